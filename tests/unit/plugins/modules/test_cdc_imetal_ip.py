"""cdc_imetal_ip: validation, comparison and prediction, and the entry point against the simulator."""

import pytest

from ansible_collections.hwcloud.infra.plugins.module_utils._errors import HuaweiCloudError
from ansible_collections.hwcloud.infra.plugins.module_utils._clouddc import (change_refusal, is_converged, nics_match,
                                                                             predict, validate_nics)
from ansible_collections.hwcloud.infra.plugins.modules.cdc_imetal_ip import main

S1, S2 = "subnet-1", "subnet-2"


# ---- pure logic ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("nics,fragment", [
    ([], "1 or 2 network interfaces"),
    ([{"subnet_id": S1}] * 3, "got 3"),
    ([{"subnet_id": S1, "ip_address": "10.0.0.256"}], "not an IPv4 address"),
    ([{"subnet_id": S1, "ip_address": "fe80::1"}], "not an IPv4 address"),
    ([{"subnet_id": S1, "ip_address": "10.0.0.5"}, {"subnet_id": S2, "ip_address": "10.0.0.5"}], "both ask for"),
    ([{"subnet_id": "a/b"}], "not a valid id"),
    ([{"subnet_id": ""}], "non-empty"),
])
def test_validate_nics_rejects(nics, fragment):
    with pytest.raises(HuaweiCloudError) as info:
        validate_nics(nics)
    assert fragment in str(info.value)


def test_validate_nics_normalises():
    assert validate_nics([{"subnet_id": S1}, {"subnet_id": S2, "ip_address": "10.0.2.5"}]) == [
        {"subnet_id": S1, "ip_address": None}, {"subnet_id": S2, "ip_address": "10.0.2.5"}]
    # An empty address (a variable that templated to nothing) is refused, not taken as "allocate one".
    with pytest.raises(HuaweiCloudError) as info:
        validate_nics([{"subnet_id": S1, "ip_address": ""}])
    assert "nics[0].ip_address is empty" in str(info.value)


CURRENT = [{"subnet_id": S1, "ipv4_address": "10.0.1.10"}, {"subnet_id": S2, "ipv4_address": "10.0.2.10"}]


@pytest.mark.parametrize("wanted,expected", [
    ([{"subnet_id": S1, "ip_address": "10.0.1.10"}, {"subnet_id": S2, "ip_address": "10.0.2.10"}], True),
    ([{"subnet_id": S1, "ip_address": None}, {"subnet_id": S2, "ip_address": None}], True),
    ([{"subnet_id": S1, "ip_address": "10.0.1.11"}, {"subnet_id": S2, "ip_address": None}], False),
    ([{"subnet_id": S2, "ip_address": None}, {"subnet_id": S1, "ip_address": None}], False),
    ([{"subnet_id": S1, "ip_address": None}], False),
])
def test_nics_match_position_by_position(wanted, expected):
    assert nics_match(CURRENT, wanted) is expected


def test_vpc_comparison_and_prediction():
    instance = {"id": "i", "name": "n", "vpc_id": "vpc-a", "network_interfaces": CURRENT, "state": "running",
                "operation_state": "install-succeed"}
    wanted = [{"subnet_id": S1, "ip_address": None}, {"subnet_id": S2, "ip_address": None}]
    assert is_converged(instance, None, wanted) and is_converged(instance, "vpc-a", wanted)
    assert not is_converged(instance, "vpc-b", wanted)
    predicted = predict(instance, "vpc-b", [{"subnet_id": "subnet-b", "ip_address": None}])
    assert predicted["vpc_id"] == "vpc-b"
    assert predicted["network_interfaces"] == [{"subnet_id": "subnet-b", "ipv4_address": None}]
    assert instance["vpc_id"] == "vpc-a", "prediction does not modify the input"


@pytest.mark.parametrize("state,operation,allowed", [
    ("running", "install-succeed", True),
    ("running", "modify-ip-succeed", True),
    ("stopped", "modify-ip-failed", True),
    ("running", "modify-ip-processing", False),
    ("running", "reinstall-processing", False),
    ("stopped", "install-succeed", False),
    ("error", "install-failed", False),
    ("pending", None, False),
])
def test_change_refusal(state, operation, allowed):
    refusal = change_refusal({"state": state, "operation_state": operation})
    assert (refusal is None) is allowed
    if not allowed:
        assert str(state) in refusal


# ---- entry point -------------------------------------------------------------------------------------------------------

def inst(sim, name):
    return next(i for i in sim.state()["instances"] if i["name"] == name)


def subnet(sim, name):
    return next(s for s in sim.state()["subnets"] if s["name"] == name)


def puts(sim):
    return [r for r in sim.requests() if r["method"] == "PUT"]


def addresses(sim, name):
    return [n["ipv4_address"] for n in inst(sim, name)["network_interfaces"]]


def test_check_mode_writes_nothing_and_predicts(sim, run_module):
    a1, a2 = subnet(sim, "subnet-a1")["id"], subnet(sim, "subnet-a2")["id"]
    args = {"instance": "gpu-node-01", "nics": [{"subnet_id": a1, "ip_address": "10.0.1.50"}, {"subnet_id": a2}]}
    out = run_module(main, sim, args, check_mode=True, diff=True)
    assert out["changed"] is True and out["request_id"] is None
    # The second NIC keeps its subnet and names no address: it keeps its current one.
    assert out["instance"]["network_interfaces"] == [{"subnet_id": a1, "ipv4_address": "10.0.1.50"},
                                                     {"subnet_id": a2, "ipv4_address": "10.0.2.10"}]
    assert out["diff"]["before"]["network_interfaces"][0]["ipv4_address"] == "10.0.1.10"
    assert out["diff"]["after"]["network_interfaces"][0]["ipv4_address"] == "10.0.1.50"
    assert puts(sim) == [] and addresses(sim, "gpu-node-01") == ["10.0.1.10", "10.0.2.10"]


def test_apply_then_converged_with_one_read(sim, run_module):
    a1, a2 = subnet(sim, "subnet-a1")["id"], subnet(sim, "subnet-a2")["id"]
    instance_id = inst(sim, "gpu-node-01")["id"]
    args = {"instance": instance_id, "project_id": "0a1b2c3d4e5f40718293a4b5c6d7e8f9",
            "nics": [{"subnet_id": a1, "ip_address": "10.0.1.50"}, {"subnet_id": a2, "ip_address": "10.0.2.50"}]}
    out = run_module(main, sim, args, diff=True)
    assert out["changed"] and out["request_id"] == puts(sim)[0]["request_id"]
    assert out["instance"]["operation_state"] == "modify-ip-succeed"
    assert [n["ipv4_address"] for n in out["instance"]["network_interfaces"]] == ["10.0.1.50", "10.0.2.50"]
    assert addresses(sim, "gpu-node-01") == ["10.0.1.50", "10.0.2.50"]
    sim.clear_requests()
    again = run_module(main, sim, args)
    assert again["changed"] is False and again["request_id"] is None
    assert [r["method"] + " " + r["path"].rsplit("/", 1)[-1] for r in sim.requests()] == ["GET instances"]


def test_auto_allocated_address_is_reported_and_then_stable(sim, run_module):
    a1 = subnet(sim, "subnet-a1")["id"]
    b1 = subnet(sim, "subnet-b1")
    args = {"instance": "gpu-node-02", "vpc_id": b1["vpc_id"], "nics": [{"subnet_id": b1["id"]}]}
    out = run_module(main, sim, args)
    allocated = out["instance"]["network_interfaces"][0]["ipv4_address"]
    assert out["changed"] and allocated and allocated.startswith("172.16.0.")
    assert out["instance"]["vpc_id"] == b1["vpc_id"] and addresses(sim, "gpu-node-02") == [allocated]
    again = run_module(main, sim, args)
    assert again["changed"] is False and again["instance"]["network_interfaces"][0]["ipv4_address"] == allocated
    assert a1 != b1["id"]


def reserve(sim, subnet_name, address):
    """Reserve an address inside a subnet: the VPC API does not show it, so only the change itself fails on it."""
    seed = sim.state()
    next(s for s in seed["subnets"] if s["name"] == subnet_name).setdefault("reserved", []).append(address)
    sim.reset(seed)


def test_failed_change_reports_the_instance_error(sim, run_module):
    a1 = subnet(sim, "subnet-a1")["id"]
    reserve(sim, "subnet-a1", "10.0.1.99")
    out = run_module(main, sim, {"instance": "gpu-node-03", "nics": [{"subnet_id": a1, "ip_address": "10.0.1.99"}]})
    assert out["failed"] and "modify-ip-failed" in out["msg"] and "CLOUDDC.2002" in out["msg"]
    assert out["error"]["code"] == "CLOUDDC.2002" and "10.0.1.99" in out["error"]["message"]
    assert out["error"]["request_id"] == puts(sim)[0]["request_id"]
    assert addresses(sim, "gpu-node-03") == ["10.0.1.12"]


def test_busy_instance_is_refused_without_a_put(sim, run_module):
    a1 = subnet(sim, "subnet-a1")["id"]
    out = run_module(main, sim, {"instance": "busy-node", "nics": [{"subnet_id": a1, "ip_address": "10.0.1.60"}]})
    assert out["failed"] and "reinstall-processing" in out["msg"] and "nothing was sent" in out["msg"]
    assert out["changed"] is False and puts(sim) == []
    out = run_module(main, sim, {"instance": "stopped-node", "nics": [{"subnet_id": a1, "ip_address": "10.0.1.60"}]})
    assert out["failed"] and "state stopped" in out["msg"] and puts(sim) == []


def test_retry_after_a_failed_change(sim, run_module):
    a1 = subnet(sim, "subnet-a1")["id"]
    out = run_module(main, sim, {"instance": "failed-node", "nics": [{"subnet_id": a1, "ip_address": "10.0.1.61"}]})
    assert out["changed"] and out["instance"]["state"] == "running"
    assert addresses(sim, "failed-node") == ["10.0.1.61"]


def test_wait_false_returns_in_progress(sim, run_module):
    a1 = subnet(sim, "subnet-a1")["id"]
    out = run_module(main, sim, {"instance": "gpu-node-03", "wait": False,
                                 "nics": [{"subnet_id": a1, "ip_address": "10.0.1.62"}]})
    assert out["changed"] and out["instance"]["operation_state"] == "modify-ip-processing"
    assert len(puts(sim)) == 1 and not [r for r in sim.requests() if r["path"].endswith("/status")]


def test_wait_timeout_reports_the_last_state(sim, run_module):
    sim.configure(imetal_ip_change_polls=1000)
    a1 = subnet(sim, "subnet-a1")["id"]
    out = run_module(main, sim, {"instance": "gpu-node-03", "wait_timeout": 1,
                                 "nics": [{"subnet_id": a1, "ip_address": "10.0.1.63"}]})
    assert out["failed"] and "timed out after 1 seconds" in out["msg"] and "modify-ip-processing" in out["msg"]


def test_throttling_and_server_errors_while_polling_are_survived(sim, run_module):
    sim.fault(method="GET", path="/status$", status=429, count=1, retry_after=0)
    sim.fault(method="GET", path="/status$", status=500, count=1)
    a1 = subnet(sim, "subnet-a1")["id"]
    out = run_module(main, sim, {"instance": "gpu-node-03", "nics": [{"subnet_id": a1, "ip_address": "10.0.1.64"}]})
    assert out["changed"] and addresses(sim, "gpu-node-03") == ["10.0.1.64"]
    statuses = [r["status"] for r in sim.requests() if r["path"].endswith("/status")]
    assert statuses[:2] == [429, 500] and statuses[-1] == 200


def test_lost_answer_of_an_applied_put_is_not_resent(sim, run_module):
    sim.fault(method="PUT", path="/ip$", drop="after", count=1)
    a1 = subnet(sim, "subnet-a1")["id"]
    out = run_module(main, sim, {"instance": "gpu-node-03", "nics": [{"subnet_id": a1, "ip_address": "10.0.1.65"}]})
    assert out["changed"] and addresses(sim, "gpu-node-03") == ["10.0.1.65"]
    assert len(puts(sim)) == 1


def test_lost_put_that_did_not_apply_is_sent_once_more(sim, run_module):
    sim.fault(method="PUT", path="/ip$", drop="before", count=1)
    a1 = subnet(sim, "subnet-a1")["id"]
    out = run_module(main, sim, {"instance": "gpu-node-03", "api_timeout": 2,
                                 "nics": [{"subnet_id": a1, "ip_address": "10.0.1.66"}]})
    assert out["changed"] and addresses(sim, "gpu-node-03") == ["10.0.1.66"]
    assert [p["fault"] for p in puts(sim)] == ["drop-before", None]
    log = sim.requests()
    first, second = [i for i, r in enumerate(log) if r["method"] == "PUT"]
    settle_reads = [r for r in log[first:second] if r["method"] == "GET" and r["path"].endswith("/instances")]
    assert len(settle_reads) >= 3, "re-read for the settle window (api_timeout) before sending again"


@pytest.mark.parametrize("args,fragment", [
    ({"instance": "gpu-node-01", "nics": [{"subnet_id": "s", "ip_address": "10.0.0.1"},
                                          {"subnet_id": "t", "ip_address": "10.0.0.1"}]}, "both ask for 10.0.0.1"),
    ({"instance": "gpu-node-01", "nics": [{"subnet_id": "s"}] * 3}, "got 3"),
    ({"instance": "gpu-node-01", "nics": [{"subnet_id": "s", "ip_address": "10.0.0"}]}, "not an IPv4 address"),
    ({"instance": "x\n", "nics": [{"subnet_id": "s"}]}, "neither an id nor a valid name"),
    ({"instance": "gpu-node-01", "nics": [{"subnet_id": "s", "ip_address": "127.0.0.1"}]}, "loopback"),
    ({"instance": "gpu-node-01", "nics": [{"subnet_id": "s", "ip_address": "255.255.255.255"}]}, "broadcast"),
    ({"instance": "gpu-node-01", "nics": [{"subnet_id": "s"}], "wait_timeout": 10 ** 30}, "from 1 to 86400"),
    ({"instance": "gpu-node-01", "vpc_id": "a/b", "nics": [{"subnet_id": "s"}]}, "vpc_id"),
    ({"instance": "gpu-node-01", "nics": [{"subnet_id": "s"}], "wait_timeout": -1}, "wait_timeout"),
])
def test_bad_inputs_are_rejected_before_any_request(sim, run_module, args, fragment):
    out = run_module(main, sim, args)
    assert out["failed"] and fragment in out["msg"]
    assert sim.requests() == []


def test_unknown_and_ambiguous_instances(sim, run_module):
    out = run_module(main, sim, {"instance": "nobody", "nics": [{"subnet_id": "s"}]})
    assert out["failed"] and "no iMetal instance with id or name 'nobody'" in out["msg"]
    out = run_module(main, sim, {"instance": "dup-node", "nics": [{"subnet_id": "s"}]})
    assert out["failed"] and "matches 3 iMetal instances" in out["msg"]
