"""vpc_eip and vpc_eip_info against the simulator (EIP allocation and release as the VPC EIP API does them)."""

import pytest

from ansible_output import warning_texts

from hwsim.control import SEED
from hwsim.state import load_seed

from ansible_collections.hwcloud.infra.plugins.modules.vpc_eip import main as eip_main
from ansible_collections.hwcloud.infra.plugins.modules.vpc_eip_info import main as info_main


def eips(sim, name=None):
    return [e for e in sim.state()["publicips"] if name is None or e.get("alias") == name]


def writes(sim):
    return [r for r in sim.requests() if r.get("service") not in (None, "iam") and r["method"] != "GET"]


def test_allocate_check_apply_and_idempotent(sim, run_module):
    args = {"name": "web-01", "bandwidth_size": 10, "bandwidth_charge_mode": "traffic"}
    checked = run_module(eip_main, sim, args, check_mode=True, diff=True)
    assert checked["changed"] and checked["eip"]["id"] is None and checked["eip"]["name"] == "web-01"
    assert checked["diff"]["before"] == {"eip": None} and not writes(sim) and not eips(sim, "web-01")
    out = run_module(eip_main, sim, args)
    assert out["changed"] and len(out["request_ids"]) == 1
    created = eips(sim, "web-01")
    assert len(created) == 1 and created[0]["bandwidth_size"] == 10 and created[0]["bandwidth_charge_mode"] == "traffic"
    # Waited until it was no longer being created.
    assert out["eip"]["status"] == "DOWN" and out["eip"]["free"] and out["eip"]["address"].startswith("203.0.113.")
    assert out["eip"]["bandwidth"]["size"] == 10 and out["waits"][0]["attempts"] >= 1
    post = [r for r in writes(sim) if r["method"] == "POST"][0]
    assert post["path"].endswith("/publicips") and post["path"].startswith("/v1/")
    sim.clear_requests()
    again = run_module(eip_main, sim, args, check_mode=True)
    assert again["changed"] is False and again["eip"]["id"] == created[0]["id"]
    again = run_module(eip_main, sim, args)
    assert again["changed"] is False and not writes(sim)


def test_allocate_on_a_shared_bandwidth(sim, run_module):
    shared = sim.state()["bandwidths"][0]
    out = run_module(eip_main, sim, {"name": "on-shared", "bandwidth_share_type": "WHOLE",
                                     "bandwidth_id": shared["id"]})
    assert not out.get("failed"), out["msg"]
    assert out["changed"] and out["eip"]["bandwidth"]["id"] == shared["id"]
    assert out["eip"]["bandwidth"]["share_type"] == "WHOLE" and out["eip"]["bandwidth"]["size"] == shared["size"]
    body = [r for r in writes(sim) if r["method"] == "POST"][0]["body"]
    assert body["bandwidth"] == {"id": shared["id"], "share_type": "WHOLE"}
    missing = run_module(eip_main, sim, {"name": "on-nothing", "bandwidth_share_type": "WHOLE"})
    assert missing["failed"] and "bandwidth_id" in missing["msg"]
    unknown = run_module(eip_main, sim, {"name": "on-unknown", "bandwidth_share_type": "WHOLE",
                                         "bandwidth_id": "0" * 8 + "-0000-4000-8000-" + "0" * 12})
    assert unknown["failed"] and "VPC.0501" in unknown["msg"] and unknown["changed"] is False


def test_release_by_name_and_by_id(sim, run_module):
    created = run_module(eip_main, sim, {"name": "tmp-eip"})["eip"]
    checked = run_module(eip_main, sim, {"name": "tmp-eip", "state": "absent"}, check_mode=True)
    assert checked["changed"] and eips(sim, "tmp-eip")
    out = run_module(eip_main, sim, {"id": created["id"], "state": "absent"})
    assert out["changed"] and out["eip"] is None and not eips(sim, "tmp-eip")
    again = run_module(eip_main, sim, {"id": created["id"], "state": "absent"})
    assert again["changed"] is False


def test_release_of_a_bound_eip_needs_unbind_and_waits_for_the_release(sim, run_module):
    sim.configure(eip_release_reads=2)
    out = run_module(eip_main, sim, {"name": "bound-a3-04", "state": "absent"})
    assert out["failed"] and "train-a3-04" in out["msg"] and "unbind" in out["msg"] and not writes(sim)
    assert eips(sim, "bound-a3-04")
    out = run_module(eip_main, sim, {"name": "bound-a3-04", "state": "absent", "unbind": True})
    assert not out.get("failed"), out["msg"]
    assert out["changed"] and len(out["request_ids"]) == 2 and not eips(sim, "bound-a3-04")
    methods = [(r["method"], r["path"].split("/")[1]) for r in writes(sim)]
    assert methods == [("DELETE", "v1"), ("DELETE", "v1")] and "dev-servers" in writes(sim)[0]["path"]


def test_release_of_an_eip_held_by_something_else_is_refused(sim, run_module):
    out = run_module(eip_main, sim, {"name": "elb-frontend", "state": "absent", "unbind": True})
    assert out["failed"] and "ELB" in out["msg"] and "does not unbind" in out["msg"] and not writes(sim)


def test_a_name_matching_several_eips_is_refused(sim, run_module):
    seed = load_seed(SEED)
    next(e for e in seed["publicips"] if e["alias"] == "free-08")["alias"] = "free-07"
    sim.reset(seed)
    for state in ("present", "absent"):
        out = run_module(eip_main, sim, {"name": "free-07", "state": state})
        assert out["failed"] and "matches 2 EIPs" in out["msg"]
    assert not writes(sim) and len(eips(sim, "free-07")) == 2


@pytest.mark.parametrize("args,message", [
    ({"name": "bad name"}, "not a valid EIP name"),
    ({"name": "x" * 65}, "not a valid EIP name"),
    ({"name": "ok", "bandwidth_size": 0}, "bandwidth_size"),
    ({"name": "ok", "bandwidth_size": 2001}, "bandwidth_size"),
    ({"name": "ok", "type": "5 bgp"}, "not a valid EIP type"),
    ({"id": "../x", "state": "absent"}, "not a valid id"),
])
def test_inputs_are_checked_before_any_request(sim, run_module, args, message):
    out = run_module(eip_main, sim, args)
    assert out["failed"] and message in out["msg"]
    assert not [r for r in sim.requests() if r.get("service")]


def test_quota_refusal_is_reported_with_the_api_error(sim, run_module):
    sim.configure(eip_quota=len(eips(sim)))
    out = run_module(eip_main, sim, {"name": "one-too-many"})
    assert out["failed"] and "VPC.0513" in out["msg"] and out["changed"] is False
    assert out["error"]["request_id"]


# ---- vpc_eip_info ----------------------------------------------------------------------------------------------------

def test_info_lists_every_eip_with_its_holder(sim, run_module):
    out = run_module(info_main, sim, {}, check_mode=True)
    assert out["changed"] is False and len(out["eips"]) == len(eips(sim))
    by_address = dict((e["address"], e) for e in out["eips"])
    assert by_address["203.0.113.40"]["holder"]["type"] == "lite_server"
    assert by_address["203.0.113.40"]["holder"]["name"] == "train-a3-04" and not by_address["203.0.113.40"]["free"]
    assert by_address["203.0.113.50"]["holder"]["type"] == "ELB"
    assert by_address["203.0.113.11"]["holder"] is None and by_address["203.0.113.11"]["free"]
    assert [e["address"] for e in out["eips"]] == sorted(by_address)
    # Bulk reads: the EIP listing and one listing of the Lite Servers for the holders.
    assert len([r for r in sim.requests() if r.get("service") not in (None, "iam")]) == 2


@pytest.mark.parametrize("args,expected", [
    ({"free": True}, ["203.0.113.11", "203.0.113.12", "203.0.113.13", "203.0.113.14", "203.0.113.15",
                      "203.0.113.16", "203.0.113.17", "203.0.113.18"]),
    ({"addresses": ["203.0.113.40", "203.0.113.60"]}, ["203.0.113.40", "203.0.113.60"]),
    ({"server": "train-a3-04"}, ["203.0.113.40"]),
    ({"server": "train-a3-01"}, []),
    ({"name": "frozen"}, ["203.0.113.70"]),
    ({"status": ["FREEZED"]}, ["203.0.113.70"]),
    ({"free": False, "status": ["ACTIVE"]}, ["203.0.113.40", "203.0.113.50", "203.0.113.60"]),
])
def test_info_filters(sim, run_module, args, expected):
    out = run_module(info_main, sim, args)
    assert not out.get("failed"), out.get("msg")
    assert [e["address"] for e in out["eips"]] == expected


def test_info_by_id_and_port(sim, run_module):
    bound = next(e for e in sim.state()["publicips"] if e["alias"] == "bound-a3-04")
    out = run_module(info_main, sim, {"ids": [bound["id"]]})
    assert [e["id"] for e in out["eips"]] == [bound["id"]]
    out = run_module(info_main, sim, {"port_id": bound["vnic"]["port_id"]})
    assert [e["id"] for e in out["eips"]] == [bound["id"]]


def test_info_inputs_are_checked_before_any_request(sim, run_module):
    for args in ({"addresses": ["not-an-ip"]}, {"status": ["UP"]}, {"ids": ["a/b"]}, {"name": "a b"}):
        out = run_module(info_main, sim, args)
        assert out["failed"], args
    assert not [r for r in sim.requests() if r.get("service")]


def test_an_existing_bound_eip_reads_the_same_before_and_after(sim, run_module):
    out = run_module(eip_main, sim, {"name": "bound-a3-04"}, diff=True)
    assert out["changed"] is False and not writes(sim)
    assert out["diff"]["before"] == out["diff"]["after"]
    assert out["eip"]["holder"]["type"] == "lite_server" and out["eip"]["holder"]["name"] == "train-a3-04"
    # The holder is read once: one listing of the Lite Servers.
    assert len([r for r in sim.requests() if r["path"].endswith("/dev-servers/all")]) == 1


# What only the allocation itself can tell: check mode predicts them as null.
UNKNOWABLE = ("id", "address", "created_at", "updated_at")


@pytest.mark.parametrize("args", [
    {"name": "predicted-01"},
    {"name": "predicted-02", "bandwidth_size": 10, "bandwidth_charge_mode": "traffic", "bandwidth_name": "bw-02"},
    {"name": "predicted-03", "bandwidth_share_type": "WHOLE", "bandwidth_id": "from-seed"},
])
def test_the_check_mode_prediction_is_the_result(sim, run_module, args):
    if args.get("bandwidth_id") == "from-seed":
        args = dict(args, bandwidth_id=sim.state()["bandwidths"][0]["id"])
    predicted = run_module(eip_main, sim, args, check_mode=True, diff=True)
    result = run_module(eip_main, sim, args, diff=True)
    assert not result.get("failed"), result["msg"]
    assert all(predicted["eip"][key] is None for key in UNKNOWABLE)
    if args.get("bandwidth_share_type") != "WHOLE":
        # An own bandwidth's id comes with the allocation.
        assert predicted["eip"]["bandwidth"].pop("id") is None and result["eip"]["bandwidth"].pop("id")
    known = dict((k, v) for k, v in result["eip"].items() if k not in UNKNOWABLE)
    assert dict((k, v) for k, v in predicted["eip"].items() if k not in UNKNOWABLE) == known
    assert predicted["diff"]["after"]["eip"]["name"] == result["diff"]["after"]["eip"]["name"]
    assert predicted["changed"] is result["changed"] is True


@pytest.mark.parametrize("change,warned", [
    ({"bandwidth_size": 20}, "bandwidth_size 20"),
    ({"type": "5_sbgp"}, "type 5_sbgp"),
    ({"bandwidth_charge_mode": "traffic"}, "bandwidth_charge_mode traffic"),
])
def test_a_differing_setting_of_an_existing_eip_warns_and_changes_nothing(sim, run_module, change, warned):
    run_module(eip_main, sim, {"name": "settled-01", "bandwidth_size": 5})
    sim.clear_requests()
    out = run_module(eip_main, sim, dict({"name": "settled-01", "bandwidth_size": 5}, **change))
    assert out["changed"] is False and not writes(sim)
    assert any(warned in w and "settled-01" in w for w in warning_texts(out)), warning_texts(out)
    quiet = run_module(eip_main, sim, {"name": "settled-01", "bandwidth_size": 5})
    assert warning_texts(quiet) == []
