"""The simulator's clock: moved forward through the admin API, it times what the cloud does on its own and the
lifetimes of what it issues, so a test lets minutes pass in no time (hwsim.control.VirtualClock does it for a
client's sleeps)."""

import time
import urllib.error

import pytest

from ansible_collections.hwcloud.infra.plugins.module_utils._errors import HuaweiCloudError

from hwsim.control import VirtualClock
from hwsim.seedinfo import PROJECT_ID

SERVERS = "/v1/{project_id}/dev-servers"
CHANGE_IP = "/v1/{project_id}/instances/{id}/ip"
STATUS = "/v1/{project_id}/instances/{id}/status"
UNBIND = "/v1/{project_id}/dev-servers/{id}/publicips/{eip}"
EIP = "/v3/{project_id}/eip/publicips/{id}"


def test_the_clock_moves_forward_only_and_a_reset_takes_it_back(sim):
    start = sim.admin("GET", "clock")
    assert start["offset"] == 0.0
    moved = sim.advance(90)
    assert moved["offset"] == 90.0 and moved["now"] > start["now"]
    for bad in (-1, "soon", None, True, float("nan")):
        with pytest.raises(urllib.error.HTTPError) as info:
            sim.advance(bad)
        assert info.value.code == 400
    assert sim.admin("GET", "clock")["offset"] == 90.0
    sim.reset()
    assert sim.admin("GET", "clock")["offset"] == 0.0


def test_a_token_expires_when_its_lifetime_has_passed_on_the_clock(sim, make_client):
    client = make_client(sim, project_id=PROJECT_ID, auth_token=sim.token(PROJECT_ID, ttl=600), api_retries=0)
    assert client.get("modelarts", SERVERS)["total"] == 25
    sim.advance(599)
    assert client.get("modelarts", SERVERS)["total"] == 25
    sim.advance(2)
    with pytest.raises(HuaweiCloudError) as info:
        client.get("modelarts", SERVERS)
    assert (info.value.status, info.value.code) == (401, "APIG.0307")


def test_an_aksk_signature_is_checked_against_the_real_wall_clock(sim, make_client):
    """The signature's date is the caller's clock: moving the cloud's time forward does not expire signatures."""
    client = make_client(sim, project_id=PROJECT_ID, api_retries=0)
    sim.advance(3600)
    assert client.get("modelarts", SERVERS)["total"] == 25


def test_a_throttling_window_closes_when_a_second_has_passed(sim, make_client):
    sim.configure(rate_limit_per_second=2)
    client = make_client(sim, project_id=PROJECT_ID, api_retries=0)
    client.get("modelarts", SERVERS)
    client.get("modelarts", SERVERS)
    with pytest.raises(HuaweiCloudError) as info:
        client.get("modelarts", SERVERS)
    assert info.value.code == "APIG.0308"
    sim.advance(1)
    assert client.get("modelarts", SERVERS)["total"] == 25


def test_an_imetal_change_of_five_minutes_ends_on_a_virtual_clock_in_no_time(sim, make_client):
    sim.configure(imetal_ip_change_seconds=300, imetal_ip_change_polls=1)
    clock = VirtualClock(sim)
    client = make_client(sim, project_id=PROJECT_ID, sleep=clock)
    inst = sim.find("instances", "gpu-node-03")
    client.request("PUT", "clouddc", CHANGE_IP, {"id": inst["id"]},
                   body={"nics": [{"subnet_id": inst["network_interfaces"][0]["subnet_id"]}]})
    state = client.wait_for(lambda: client.get("clouddc", STATUS, {"id": inst["id"]}),
                            lambda s: s["operation_state"] != "modify-ip-processing", timeout=600,
                            describe="the IP change", interval=1.0, max_interval=10.0)
    assert state["operation_state"] == "modify-ip-succeed"
    assert 300 <= sum(clock.calls) <= 310, clock.calls
    assert client.waits[0]["seconds"] == round(sum(clock.calls), 1)
    assert sim.admin("GET", "clock")["offset"] == pytest.approx(sum(clock.calls))


def test_an_eip_release_of_a_minute_ends_when_the_clock_has_moved(sim, make_client):
    sim.configure(eip_release_seconds=60)
    client = make_client(sim, project_id=PROJECT_ID, api_retries=0)
    holder = sim.find("dev_servers", "train-a3-04")
    held = sim.find("publicips", "bound-a3-04", "alias")
    client.request("DELETE", "modelarts", UNBIND, {"id": holder["id"], "eip": held["id"]})
    assert client.get("vpc", EIP, {"id": held["id"]})["publicip"]["status"] == "ACTIVE"
    sim.advance(59)
    assert client.get("vpc", EIP, {"id": held["id"]})["publicip"]["status"] == "ACTIVE"
    sim.advance(1)
    assert client.get("vpc", EIP, {"id": held["id"]})["publicip"]["status"] == "DOWN"


def test_the_request_log_is_stamped_with_the_simulated_time(sim, make_client):
    client = make_client(sim, project_id=PROJECT_ID, api_retries=0)
    sim.advance(7200)
    before = time.time()
    client.get("modelarts", SERVERS)
    stamp = [r for r in sim.requests() if r.get("service") == "modelarts"][-1]["time"]
    assert 7200 <= stamp - before < 7260


def test_simulator_admin_moves_the_clock_and_refuses_a_negative_move(sim, run_module):
    from ansible_collections.hwcloud.infra.plugins.modules import simulator_admin
    out = run_module(simulator_admin.main, sim, {"action": "advance_clock", "seconds": 45, "url": sim.url},
                     connection=False)
    assert out["changed"] and out["clock"]["offset"] == 45.0
    assert sim.admin("GET", "clock")["offset"] == 45.0
    out = run_module(simulator_admin.main, sim, {"action": "advance_clock", "seconds": -5, "url": sim.url},
                     connection=False)
    assert out["failed"] and "seconds must be 0 or more" in out["msg"]
    out = run_module(simulator_admin.main, sim, {"action": "advance_clock", "url": sim.url}, connection=False)
    assert out["failed"] and "seconds" in out["msg"]
    assert sim.admin("GET", "clock")["offset"] == 45.0


def test_a_slow_answer_waits_on_the_clock_and_moving_the_clock_lets_it_land(sim, make_client):
    """A write held 100 simulated seconds (a 'slow write applied late' fault) lands when the clock passes them, not
    before: once the move returns, the cloud shows it."""
    from ansible_collections.hwcloud.infra.plugins.module_utils._errors import AmbiguousWriteError
    sim.fault(method="POST", path="/publicips$", latency=100, count=1)
    client = make_client(sim, project_id=PROJECT_ID, api_timeout=1, api_retries=0)
    server = sim.find("dev_servers", "train-a3-01")
    eip = sim.find("publicips", "free-01", "alias")
    with pytest.raises(AmbiguousWriteError):
        client.request("POST", "modelarts", "/v1/{project_id}/dev-servers/{id}/publicips", {"id": server["id"]},
                       body={"public_ip_id": eip["id"]})
    assert sim.find("publicips", "free-01", "alias")["sim_bound_server"] is None
    sim.advance(50)
    assert sim.find("publicips", "free-01", "alias")["sim_bound_server"] is None
    sim.advance(50)
    assert sim.find("publicips", "free-01", "alias")["sim_bound_server"] == server["id"]
