"""modelarts_devserver_eip: the planning logic, and the module's entry point against the simulator."""

import pytest

from ansible_collections.hwcloud.infra.plugins.module_utils._errors import HuaweiCloudError
from ansible_collections.hwcloud.infra.plugins.module_utils._modelarts import (match_binding, refused_for_server,
                                                                               plan_bindings)
from ansible_collections.hwcloud.infra.plugins.modules.modelarts_devserver_eip import main

from hwsim.seedinfo import SECRETS

A = {"id": "a", "address": "203.0.113.1"}
B = {"id": "b", "address": "203.0.113.2"}
C = {"id": "c", "address": "203.0.113.3"}


# ---- planning -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("state,bound,target,exclusive,unbind,bind,after", [
    ("present", [], A, False, [], A, [A]),
    ("present", [A], A, False, [], None, [A]),
    ("present", [B], A, False, [], A, [A, B]),
    ("present", [B, C], A, True, [B, C], A, [A]),
    ("present", [A, B], A, True, [B], None, [A]),
    ("absent", [A, B], A, False, [A], None, [B]),
    ("absent", [B], None, False, [B], None, []),
    ("absent", [], None, False, [], None, []),
    ("absent", [A, B], None, False, [A, B], None, []),
    ("absent", [A, B], {"id": None, "address": "203.0.113.9"}, False, [], None, [A, B]),
])
def test_plan_bindings(state, bound, target, exclusive, unbind, bind, after):
    assert plan_bindings(state, bound, target, exclusive) == {"unbind": unbind, "bind": bind, "after": after}


def test_match_binding_by_id_or_address():
    assert match_binding([A, B], "b") == B
    assert match_binding([A, B], "203.0.113.1") == A
    assert match_binding([A, B], "203.0.113.9") is None


@pytest.mark.parametrize("status,code,message,expected", [
    (400, "ModelArts.6404", "LiteServer instance 'x' not found.", False),
    (400, "ModelArts.6413", "LiteServer instance 'x' has no EIP bound.", True),
    (404, "ModelArts.7000", "public ip not found", True),
    (400, "ModelArts.0001", "invalid parameter", True),
    (403, "ModelArts.0002", "no EIP permission", False),
    (429, "APIG.0308", "throttled", False),
    (500, None, "no eip", False),
    (None, None, "connection reset", False),
])
def test_refused_for_server(status, code, message, expected):
    """Any 4xx but the unknown-server code, throttling and a refused permission sends the read to the VPC EIP API
    (a 403 is no answer about the server: the credentials lack the call's action, and the task says so)."""
    err = HuaweiCloudError("x", status=status, code=code, error_message=message)
    assert refused_for_server(err) is expected


# ---- entry point ------------------------------------------------------------------------------------------------------

def ids(sim):
    state = sim.state()
    servers = {s["name"]: s for s in state["dev_servers"] if s["name"] != "dup-name"}
    eips = {e["alias"]: e for e in state["publicips"]}
    return servers, eips


def writes(sim):
    return [r for r in sim.requests() if r["method"] in ("POST", "PUT", "DELETE") and r.get("service") != "iam"]


def reads(sim):
    return [r for r in sim.requests() if r["method"] == "GET" and r.get("service") != "iam"]


def bound_to(sim, server_name):
    server = next(s for s in sim.state()["dev_servers"] if s["name"] == server_name)
    return sorted(e["public_ip_address"] for e in sim.state()["publicips"] if e["sim_bound_server"] == server["id"])


def test_check_mode_predicts_and_writes_nothing(sim, run_module):
    servers, eips = ids(sim)
    args = {"server": servers["train-a3-01"]["id"], "public_ip": eips["free-01"]["id"], "project_id": None}
    out = run_module(main, sim, args, check_mode=True, diff=True)
    assert out["changed"] is True
    assert out["public_ips"] == [{"id": eips["free-01"]["id"], "address": "203.0.113.11"}]
    header = "Lite Server train-a3-01 (%s)" % servers["train-a3-01"]["id"]
    assert out["diff"] == {"before_header": header, "after_header": header, "before": {"public_ips": []},
                           "after": {"public_ips": out["public_ips"]}}
    assert out["request_ids"] == []
    assert writes(sim) == []
    assert bound_to(sim, "train-a3-01") == []


def test_apply_then_converged_run_by_ids_is_one_read(sim, run_module):
    servers, eips = ids(sim)
    args = {"server": servers["train-a3-01"]["id"], "public_ip": eips["free-01"]["id"],
            "project_id": "0a1b2c3d4e5f40718293a4b5c6d7e8f9"}
    out = run_module(main, sim, args)
    assert out["changed"] is True and len(out["request_ids"]) == 1
    # The bind's own answer is the first read-back: after the write, one read of the EIP's status.
    after = [r for r in sim.requests() if r["seq"] > writes(sim)[0]["seq"]]
    assert [r["path"].rsplit("/", 2)[-2:] for r in after] == [["publicips", eips["free-01"]["id"]]]
    assert out["request_ids"][0] == writes(sim)[0]["request_id"]
    assert out["server"] == {"id": servers["train-a3-01"]["id"], "name": "train-a3-01", "status": "RUNNING",
                             "cloud_server_id": servers["train-a3-01"]["cloud_server"]["id"]}
    assert bound_to(sim, "train-a3-01") == ["203.0.113.11"]
    sim.clear_requests()
    again = run_module(main, sim, args)
    assert again["changed"] is False and again["public_ips"] == out["public_ips"]
    assert [r["path"].rsplit("/", 1)[-1] for r in reads(sim)] == ["publicips"]
    assert again["server"]["id"] == servers["train-a3-01"]["id"] and again["server"]["name"] is None
    assert writes(sim) == []
    by_address = run_module(main, sim, dict(args, public_ip="203.0.113.11", exclusive=True))
    assert by_address["changed"] is False and len(reads(sim)) == 2


def test_by_name_and_address_without_vpc_lookup_when_converged(sim, run_module):
    args = {"server": "train-a3-04", "public_ip": "203.0.113.40"}
    out = run_module(main, sim, args)
    assert out["changed"] is False
    assert not [r for r in reads(sim) if "publicips" in r["path"] and "dev-servers" not in r["path"]]


def test_exclusive_and_absent(sim, run_module):
    out = run_module(main, sim, {"server": "train-a3-04", "public_ip": "203.0.113.13", "exclusive": True},
                     check_mode=True)
    assert [e["address"] for e in out["public_ips"]] == ["203.0.113.13"] and out["changed"]
    out = run_module(main, sim, {"server": "train-a3-04", "public_ip": "203.0.113.13", "exclusive": True})
    assert bound_to(sim, "train-a3-04") == ["203.0.113.13"] and len(out["request_ids"]) == 2
    out = run_module(main, sim, {"server": "train-a3-04", "state": "absent", "public_ip": "203.0.113.99"})
    assert out["changed"] is False and bound_to(sim, "train-a3-04") == ["203.0.113.13"], "not bound here: no-op"
    out = run_module(main, sim, {"server": "train-a3-04", "state": "absent"})
    assert out["changed"] and out["public_ips"] == [] and bound_to(sim, "train-a3-04") == []
    out = run_module(main, sim, {"server": "train-a3-04", "state": "absent", "public_ip": "203.0.113.13"})
    assert out["changed"] is False


def test_stopped_server_is_refused_without_any_write(sim, run_module):
    out = run_module(main, sim, {"server": "ls-stopped", "public_ip": "203.0.113.12"})
    assert out["failed"] and "its status is STOPPED" in out["msg"] and "nothing was changed" in out["msg"]
    assert out["changed"] is False
    assert writes(sim) == []


def test_unknown_server_reports_the_api_error(sim, run_module):
    out = run_module(main, sim, {"server": "00000000-0000-0000-0000-000000000000", "public_ip": "203.0.113.12"})
    assert out["failed"] and "ModelArts.6404" in out["msg"]
    assert out["error"]["code"] == "ModelArts.6404" and out["error"]["request_id"]
    assert "Failed to find Lite Server 00000000-0000-0000-0000-000000000000" in out["msg"]


def test_ambiguous_name_lists_candidates(sim, run_module):
    out = run_module(main, sim, {"server": "dup-name", "public_ip": "203.0.113.12"})
    assert out["failed"] and "matches 2 Lite Servers" in out["msg"]
    assert all(s["id"] in out["msg"] for s in sim.state()["dev_servers"] if s["name"] == "dup-name")


@pytest.mark.parametrize("args,fragment", [
    ({"server": "train-a3-01", "public_ip": "999.1.1.1"}, "neither a valid IPv4 address nor an EIP id"),
    ({"server": "a/b", "public_ip": "203.0.113.12"}, "neither an id nor a valid name"),
    ({"server": "train-a3-01", "public_ip": "../../publicips"}, "neither a valid IPv4 address nor an EIP id"),
    ({"server": "train-a3-01", "public_ip": "127.0.0.1"}, "loopback"),
    ({"server": "train-a3-01", "public_ip": "203.0.113.12", "wait_timeout": 10 ** 400}, "from 1 to 86400"),
    ({"server": "train-a3-01"}, "state is present but all of the following are missing: public_ip"),
    ({"server": "train-a3-01", "public_ip": "203.0.113.12", "wait_timeout": 0}, "wait_timeout must be a whole number"),
    ({"server": "train-a3-01", "state": "absent", "exclusive": True}, "exclusive applies to state=present"),
])
def test_bad_inputs_fail_before_any_request(sim, run_module, args, fragment):
    out = run_module(main, sim, args)
    assert out["failed"] and fragment in out["msg"]
    assert sim.requests() == []


def test_eip_in_use_names_the_holder(sim, run_module):
    out = run_module(main, sim, {"server": "train-a3-01", "public_ip": "203.0.113.50"})
    assert out["failed"] and "in use by ELB" in out["msg"] and writes(sim) == []
    out = run_module(main, sim, {"server": "train-a3-01", "public_ip": "203.0.113.40"})
    assert "in use by Lite Server train-a3-04" in out["msg"] and "allow_rebind" in out["msg"]
    out = run_module(main, sim, {"server": "train-a3-01", "public_ip": "203.0.113.50", "allow_rebind": True})
    assert out["failed"] and "in use by ELB" in out["msg"] and writes(sim) == []


def test_rebind_moves_the_eip(sim, run_module):
    out = run_module(main, sim, {"server": "train-a3-01", "public_ip": "203.0.113.40", "allow_rebind": True})
    assert out["changed"] and len(out["request_ids"]) == 2
    assert bound_to(sim, "train-a3-01") == ["203.0.113.40"] and bound_to(sim, "train-a3-04") == []
    assert [w["method"] for w in writes(sim)] == ["DELETE", "POST"]


def test_refused_bind_after_moving_restores_the_eip_to_its_holder(sim, run_module):
    out = run_module(main, sim, {"server": "legacy-ecs-01", "public_ip": "203.0.113.40", "allow_rebind": True})
    assert out["failed"] and out["changed"] is False, "rolled back: the cloud is as it was"
    assert "ModelArts.6411" in out["msg"]
    assert "rolled back: EIP 203.0.113.40 is bound to Lite Server train-a3-04" in out["msg"]
    assert out["error"]["code"] == "ModelArts.6411"
    assert bound_to(sim, "train-a3-04") == ["203.0.113.40"] and bound_to(sim, "legacy-ecs-01") == []
    assert [w["method"] for w in writes(sim)] == ["DELETE", "POST", "POST"]


def test_failed_rollback_says_where_the_eip_is(sim, run_module):
    servers, _eips = ids(sim)
    holder = servers["train-a3-04"]["id"]
    sim.fault(method="POST", path="/dev-servers/%s/publicips$" % holder, status=400, count=None,
              error_code="ModelArts.6499", error_msg="quota exceeded")
    out = run_module(main, sim, {"server": "legacy-ecs-01", "public_ip": "203.0.113.40", "allow_rebind": True})
    assert out["failed"] and out["changed"] is True, "the EIP was moved off its holder and could not be put back"
    assert "Rolling back failed" in out["msg"] and "ModelArts.6499" in out["msg"]
    assert "EIP 203.0.113.40 is unbound from Lite Server train-a3-04" in out["msg"]
    assert bound_to(sim, "train-a3-04") == [] and bound_to(sim, "legacy-ecs-01") == []


def test_exclusive_rolls_back_the_unbinds_when_the_bind_is_refused(sim, run_module):
    sim.fault(method="POST", path="/publicips$", status=400, count=1, error_code="ModelArts.6499",
              error_msg="quota exceeded")
    before = bound_to(sim, "train-a3-04")
    out = run_module(main, sim, {"server": "train-a3-04", "public_ip": "203.0.113.13", "exclusive": True})
    assert out["failed"] and out["changed"] is False and "rolled back" in out["msg"]
    assert bound_to(sim, "train-a3-04") == before


def test_rebind_waits_for_the_release_before_binding(sim, run_module):
    sim.configure(eip_settle_reads=3)
    out = run_module(main, sim, {"server": "train-a3-01", "public_ip": "203.0.113.40", "allow_rebind": True})
    assert out["changed"] and bound_to(sim, "train-a3-01") == ["203.0.113.40"]
    log = [r for r in sim.requests() if r.get("service") != "iam"]
    delete = next(i for i, r in enumerate(log) if r["method"] == "DELETE")
    post = next(i for i, r in enumerate(log) if r["method"] == "POST")
    eip_reads = [r for r in log[delete:post] if "/eip/publicips/" in r["path"]]
    assert len(eip_reads) >= 3, "the EIP was read until it showed free, then bound"


def test_empty_list_answered_as_error_counts_as_nothing_bound(sim, run_module):
    sim.configure(list_eips_when_empty="error")
    out = run_module(main, sim, {"server": "train-a3-02", "public_ip": "203.0.113.14"})
    assert out["changed"] and [e["address"] for e in out["public_ips"]] == ["203.0.113.14"]
    out = run_module(main, sim, {"server": "train-a3-02", "state": "absent"})
    assert out["changed"] and out["public_ips"] == []


def test_lost_answer_after_the_bind_applied_is_not_resent(sim, run_module):
    sim.fault(method="POST", path="/publicips$", drop="after", count=1)
    out = run_module(main, sim, {"server": "train-a3-01", "public_ip": "203.0.113.15"})
    assert out["changed"] and bound_to(sim, "train-a3-01") == ["203.0.113.15"]
    assert len([w for w in writes(sim) if w["method"] == "POST"]) == 1
    assert "re-read shows it took effect" in repr(out.get("warnings")), "the warning tells what happened"


def test_lost_bind_that_did_not_apply_is_sent_once_more(sim, run_module):
    sim.fault(method="POST", path="/publicips$", drop="before", count=1)
    out = run_module(main, sim, {"server": "train-a3-01", "public_ip": "203.0.113.15", "api_timeout": 2})
    assert out["changed"] and bound_to(sim, "train-a3-01") == ["203.0.113.15"]
    posts = [w for w in sim.requests() if w["method"] == "POST"]
    assert [p["fault"] for p in posts] == ["drop-before", None]
    log = sim.requests()
    first, second = [i for i, r in enumerate(log) if r["method"] == "POST"]
    assert len([r for r in log[first:second] if r["method"] == "GET"]) >= 3, "re-read for the settle window first"


def test_api_failure_carries_error_and_no_secret(sim, run_module):
    sim.fault(method="POST", path="/publicips$", status=400, count=1, error_code="ModelArts.6499",
              error_msg="quota exceeded")
    out = run_module(main, sim, {"server": "train-a3-01", "public_ip": "203.0.113.16"})
    assert out["failed"]
    assert out["msg"].startswith("Failed to bind EIP 203.0.113.16 to Lite Server train-a3-01")
    assert out["error"]["code"] == "ModelArts.6499" and out["error"]["message"] == "quota exceeded"
    assert out["error"]["request_id"] == writes(sim)[0]["request_id"]
    text = repr(out)
    assert not any(secret in text for secret in SECRETS)


def test_wait_follows_eip_status(sim, run_module):
    sim.configure(eip_settle_reads=2)
    out = run_module(main, sim, {"server": "train-a3-03", "public_ip": "203.0.113.17"})
    assert out["changed"] and [e["address"] for e in out["public_ips"]] == ["203.0.113.17"]
    statuses = [r for r in reads(sim) if "/eip/publicips/" in r["path"]]
    assert len(statuses) == 4, "once before the bind (may these credentials read it), BINDING twice, then ACTIVE"


def test_wait_timeout_reports_last_state(sim, run_module):
    sim.configure(eip_settle_reads=1000)
    out = run_module(main, sim, {"server": "train-a3-03", "public_ip": "203.0.113.17", "wait_timeout": 1})
    assert out["failed"] and "timed out after 1 seconds" in out["msg"] and "BINDING" in out["msg"]


@pytest.mark.parametrize("by", ["name", "id"])
def test_fresh_bind_is_reads_of_what_it_names_a_write_and_one_verification(sim, run_module, by):
    """A free EIP: the server and the EIP are read (plus ModelArts' own list, the one-read path, by id), the EIP
    once by id (the read that confirms the bind: credentials that may not make it stop before the write), then one
    write, then one read of the EIP's status; the diff is what the bind's answer listed."""
    servers, eips = ids(sim)
    server = servers["train-a3-02"]
    before = bound_to(sim, "train-a3-02")
    args = {"server": server["id"] if by == "id" else "train-a3-02", "public_ip": "203.0.113.12",
            "project_id": "0a1b2c3d4e5f40718293a4b5c6d7e8f9"}
    out = run_module(main, sim, args, diff=True)
    assert out["changed"] is True and bound_to(sim, "train-a3-02") == sorted(before + ["203.0.113.12"])
    assert [e["address"] for e in out["diff"]["before"]["public_ips"]] == before
    assert [e["address"] for e in out["diff"]["after"]["public_ips"]] == sorted(before + ["203.0.113.12"])
    assert out["public_ips"] == out["diff"]["after"]["public_ips"]
    assert len(writes(sim)) == 1
    assert [(w["attempts"], w["waited_for"].startswith("the EIPs of Lite Server")) for w in out["waits"]] == [(1, True)]
    expected_reads = 5
    assert len(reads(sim)) == expected_reads, [(r["path"], r["query"]) for r in reads(sim)]
    sim.clear_requests()
    again = run_module(main, sim, args)
    assert again["changed"] is False and writes(sim) == []
