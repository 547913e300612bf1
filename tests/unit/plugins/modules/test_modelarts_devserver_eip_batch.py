"""modelarts_devserver_eip_batch against the simulator: bulk reads, shared planning, concurrent writes, one wait."""

from ansible_collections.hwcloud.infra.plugins.modules.modelarts_devserver_eip_batch import main

from hwsim.seedinfo import DOMAIN, PASSWORD, REGION, USER

FLEET = [
    {"server": "train-a3-01", "public_ip": "203.0.113.11"},
    {"server": "train-a3-02", "public_ip": "203.0.113.12"},
    {"server": "train-a3-03", "public_ip": "203.0.113.13"},
    {"server": "shared-a3-06", "public_ip": "203.0.113.14"},
]


def bound_to(sim, name):
    state = sim.state()
    server_id = next(s["id"] for s in state["dev_servers"] if s["name"] == name)
    return sorted(e["public_ip_address"] for e in state["publicips"] if e["sim_bound_server"] == server_id)


def api(sim, method=None):
    return [r for r in sim.requests() if r.get("service") not in (None, "iam") and
            (method is None or r["method"] == method)]


def test_a_fleet_converges_in_one_task_and_a_rerun_is_two_reads(sim, run_module):
    out = run_module(main, sim, {"bindings": FLEET, "concurrency": 4})
    assert not out.get("failed"), out.get("msg")
    assert out["changed"] and out["totals"] == {"items": 4, "changed": 4, "unchanged": 0, "failed": 0,
                                                "not_attempted": 0}
    for item in FLEET:
        assert bound_to(sim, item["server"]) == [item["public_ip"]]
    expected = [[{"id": r["after"][0]["id"], "address": i["public_ip"]}] for r, i in zip(out["results"], FLEET)]
    assert [r["after"] for r in out["results"]] == expected
    assert all(len(r["request_ids"]) == 1 for r in out["results"])
    reads = [r for r in api(sim, "GET") if "/publicips" not in r["path"] or "/eip/" in r["path"]]
    assert len(api(sim, "POST")) == 4 and len(reads) == len(api(sim, "GET"))
    sim.clear_requests()
    again = run_module(main, sim, {"bindings": FLEET})
    assert again["changed"] is False and again["totals"]["unchanged"] == 4
    assert [r["path"].rsplit("/", 2)[-1] for r in api(sim)] == ["all", "publicips"]


def test_check_mode_and_diff_write_nothing(sim, run_module):
    out = run_module(main, sim, {"bindings": FLEET[:2]}, check_mode=True, diff=True)
    assert out["changed"] and all(r["changed"] for r in out["results"]) and not api(sim, "POST")
    assert [d["after"]["public_ips"][0]["address"] for d in out["diff"]] == ["203.0.113.11", "203.0.113.12"]
    assert "train-a3-01" in out["diff"][0]["before_header"]
    assert bound_to(sim, "train-a3-01") == []


def test_every_bad_item_is_reported_before_any_write(sim, run_module):
    items = [{"server": "train-a3-01", "public_ip": "300.1.1.1"},
             {"server": "train-a3-02", "state": "present"},
             {"server": "train-a3-03", "public_ip": "203.0.113.13", "exclusive": True, "state": "absent"},
             {"server": "a/b", "public_ip": "203.0.113.14"},
             {"server": "train-a3-04", "public_ip": "203.0.113.15"},
             {"server": "infer-a3-05", "public_ip": "203.0.113.15"}]
    out = run_module(main, sim, {"bindings": items})
    assert out["failed"] and "5 of 6 item(s) cannot be done; nothing was changed" in out["msg"]
    for index in (0, 1, 2, 3, 5):
        assert "bindings[%d]" % index in out["msg"]
    # The valid item was planned (reads only); no invalid value reached the API.
    assert {r["method"] for r in sim.requests()} <= {"GET"}
    assert not [r for r in sim.requests() if "300.1.1.1" in r["path"] or "a/b" in r["path"]]
    # When every item is invalid, nothing at all is sent.
    sim.clear_requests()
    out = run_module(main, sim, {"bindings": items[:4]})
    assert "4 of 4 item(s) are invalid; nothing was sent" in out["msg"] and sim.requests() == []


def test_items_that_cannot_be_done_stop_the_task_before_any_write(sim, run_module):
    items = [{"server": "train-a3-01", "public_ip": "203.0.113.11"},
             {"server": "nobody", "public_ip": "203.0.113.12"},
             {"server": "dup-name", "public_ip": "203.0.113.13"},
             {"server": "ls-stopped", "public_ip": "203.0.113.14"},
             {"server": "train-a3-02", "public_ip": "203.0.113.40"},
             {"server": "train-a3-03", "public_ip": "203.0.113.50", "allow_rebind": True}]
    out = run_module(main, sim, {"bindings": items})
    assert out["failed"] and "5 of 6 item(s) cannot be done" in out["msg"] and out["changed"] is False
    for fragment in ("nobody", "dup-name", "STOPPED", "allow_rebind", "ELB"):
        assert fragment in out["msg"]
    assert out["results"][0]["error"].startswith("not attempted: the batch was refused before any change")
    assert [p["position"] for p in out["problems"]] == [1, 2, 3, 4, 5]
    assert out["totals"] == {"items": 6, "changed": 0, "unchanged": 0, "failed": 5, "not_attempted": 1}
    assert len(out["msg"].splitlines()) == 6 and out["report"][0].startswith("bindings[0] train-a3-01: not attempted")
    assert not api(sim, "POST") and not api(sim, "DELETE")


def test_a_refused_item_fails_the_task_after_the_others_were_handled(sim, run_module):
    target = next(s["id"] for s in sim.state()["dev_servers"] if s["name"] == "train-a3-02")
    sim.fault(method="POST", path="/dev-servers/%s/publicips$" % target, status=400, count=None,
              error_code="ModelArts.6411", error_msg="Refused.")
    items = FLEET[:3] + [{"server": "train-a3-02", "public_ip": "203.0.113.15"}]
    out = run_module(main, sim, {"bindings": items, "concurrency": 2})
    assert out["failed"] and out["changed"]
    assert out["totals"] == {"items": 4, "changed": 2, "unchanged": 0, "failed": 1, "not_attempted": 1}
    assert "bindings[1] (train-a3-02): " in out["msg"] and "ModelArts.6411" in out["msg"]
    assert "bindings[3] (train-a3-02): not attempted" in out["msg"]
    assert "Changed: bindings[0] (train-a3-01), bindings[2] (train-a3-03)" in out["msg"]
    assert bound_to(sim, "train-a3-01") == ["203.0.113.11"] and bound_to(sim, "train-a3-02") == []
    assert [r["changed"] for r in out["results"]] == [True, False, True, False]


def test_same_rules_as_the_single_module_rebind_and_exclusive(sim, run_module):
    run_module(main, sim, {"bindings": [{"server": "train-a3-01", "public_ip": "203.0.113.11"},
                                        {"server": "train-a3-01", "public_ip": "203.0.113.12"}]})
    assert bound_to(sim, "train-a3-01") == ["203.0.113.11", "203.0.113.12"]
    out = run_module(main, sim, {"bindings": [
        {"server": "train-a3-01", "public_ip": "203.0.113.13", "exclusive": True},
        {"server": "train-a3-02", "public_ip": "203.0.113.40", "allow_rebind": True}]})
    assert not out.get("failed"), out.get("msg")
    assert bound_to(sim, "train-a3-01") == ["203.0.113.13"]
    assert bound_to(sim, "train-a3-02") == ["203.0.113.40"] and bound_to(sim, "train-a3-04") == []
    assert [[e["address"] for e in r["after"]] for r in out["results"]] == [["203.0.113.13"], ["203.0.113.40"]]


def test_absent_unbinds_and_waits_for_the_release(sim, run_module):
    sim.configure(eip_release_reads=2)
    out = run_module(main, sim, {"bindings": [{"server": "train-a3-04", "state": "absent"}]})
    assert out["changed"] and bound_to(sim, "train-a3-04") == [] and out["results"][0]["after"] == []
    held = next(e for e in sim.state()["publicips"] if e["alias"] == "bound-a3-04")
    assert held["status"] == "DOWN"


def test_password_login_happens_once_for_the_whole_fleet(sim, run_module):
    args = {"region": REGION, "endpoints": sim.endpoints(), "user_name": USER, "password": PASSWORD,
            "domain_name": DOMAIN, "bindings": FLEET, "concurrency": 4}
    out = run_module(main, sim, args, connection=False)
    assert not out.get("failed"), out.get("msg")
    logins = [r for r in sim.requests() if r["path"] == "/v3/auth/tokens"]
    assert len(logins) == 1 and out["totals"]["changed"] == 4


def test_public_ip_auto_keeps_reuses_or_allocates_and_is_idempotent(sim, run_module):
    from ansible_collections.hwcloud.infra.plugins.modules.vpc_eip import main as eip_main
    named = run_module(eip_main, sim, {"name": "train-a3-02"})["eip"]
    items = [{"server": "train-a3-04", "public_ip": "auto"}, {"server": "train-a3-02", "public_ip": "auto"},
             {"server": "train-a3-01", "public_ip": "auto"}]
    sim.clear_requests()
    checked = run_module(main, sim, {"bindings": items, "auto_eip": {"bandwidth_size": 8}}, check_mode=True)
    assert checked["changed"] and [r["changed"] for r in checked["results"]] == [False, True, True]
    assert not [r for r in sim.requests() if r["method"] in ("POST", "DELETE") and r.get("service") != "iam"]
    out = run_module(main, sim, {"bindings": items, "auto_eip": {"bandwidth_size": 8}})
    assert not out.get("failed"), out["msg"]
    assert [r["changed"] for r in out["results"]] == [False, True, True]
    state = sim.state()
    by_alias = dict((e.get("alias"), e) for e in state["publicips"])
    servers = dict((s["name"], s["id"]) for s in state["dev_servers"])
    assert by_alias["train-a3-02"]["id"] == named["id"] and by_alias["train-a3-02"]["sim_bound_server"] == servers[
        "train-a3-02"]
    assert by_alias["train-a3-01"]["sim_bound_server"] == servers["train-a3-01"]
    assert by_alias["train-a3-01"]["bandwidth_size"] == 8
    assert out["servers"]["train-a3-01"]["public_ips"] == [by_alias["train-a3-01"]["public_ip_address"]]
    assert out["servers"]["train-a3-04"]["public_ips"] == ["203.0.113.40"]
    assert len(out["results"][2]["request_ids"]) == 2, "allocation and bind"
    sim.clear_requests()
    again = run_module(main, sim, {"bindings": items})
    assert again["changed"] is False
    assert not [r for r in sim.requests() if r["method"] != "GET" and r.get("service") != "iam"]


def test_public_ip_auto_releases_the_new_eip_when_its_bind_fails(sim, run_module):
    target = next(s for s in sim.state()["dev_servers"] if s["name"] == "train-a3-03")
    sim.fault(method="POST", path="/dev-servers/%s/publicips$" % target["id"], status=400, count=None,
              error_code="ModelArts.6409", error_msg="refused")
    out = run_module(main, sim, {"bindings": [{"server": "train-a3-03", "public_ip": "auto"}]})
    assert out["failed"] and "released again" in out["msg"] and out["changed"] is False
    assert not [e for e in sim.state()["publicips"] if e.get("alias") == "train-a3-03"]


def test_public_ip_auto_is_refused_with_other_states(sim, run_module):
    out = run_module(main, sim, {"bindings": [{"server": "train-a3-01", "public_ip": "auto", "exclusive": True}]})
    assert out["failed"] and "public_ip=auto" in out["msg"]


def test_public_ip_auto_lost_allocation_answer_is_not_taken_for_an_older_eip_of_that_name(sim, run_module):
    from hwsim.control import SEED
    from hwsim.state import load_seed
    seed = load_seed(SEED)
    # An older EIP already named after train-a3-01, held by train-a3-04, listed first (lowest id).
    older = next(e for e in seed["publicips"] if e["alias"] == "bound-a3-04")
    older.update(id="00000000-0000-4000-8000-000000000001", alias="train-a3-01")
    sim.reset(seed)
    sim.fault(method="POST", path="^/v1/[^/]+/publicips$", drop="after", count=1)
    out = run_module(main, sim, {"bindings": [{"server": "train-a3-01", "public_ip": "auto"}]})
    assert not out.get("failed"), out["msg"]
    state = sim.state()
    servers = dict((s["name"], s["id"]) for s in state["dev_servers"])
    named = dict((e["id"], e) for e in state["publicips"] if e.get("alias") == "train-a3-01")
    assert len(named) == 2, "the allocation was applied once, its lost answer settled by the new EIP"
    assert named[older["id"]]["sim_bound_server"] == servers["train-a3-04"]
    new = [e for i, e in named.items() if i != older["id"]][0]
    assert new["sim_bound_server"] == servers["train-a3-01"]
    assert out["servers"]["train-a3-01"]["public_ips"] == [new["public_ip_address"]]


def test_a_duplicate_and_planning_problems_are_reported_in_one_pass(sim, run_module):
    items = [{"server": "train-a3-01", "public_ip": "203.0.113.11"},
             {"server": "train-a3-02", "public_ip": "203.0.113.11"},
             {"server": "nobody", "public_ip": "203.0.113.12"},
             {"server": "ls-stopped", "public_ip": "203.0.113.14"},
             {"server": "train-a3-03", "public_ip": "300.1.1.1"},
             {"server": "infer-a3-05", "public_ip": "203.0.113.16"}]
    out = run_module(main, sim, {"bindings": items})
    assert [p["position"] for p in out["problems"]] == [1, 2, 3, 4], out["problems"]
    lines = out["msg"].splitlines()
    assert lines[0] == "4 of 6 item(s) cannot be done; nothing was changed:" and len(lines) == 5
    assert lines[1].startswith("bindings[1] (train-a3-02): EIP 203.0.113.11 is also asked for on server train-a3-01")
    assert "STOPPED" in lines[3] and "300.1.1.1" in lines[4]
    assert out["totals"] == {"items": 6, "changed": 0, "unchanged": 0, "failed": 4, "not_attempted": 2}
    assert all(r["error"].startswith("not attempted") for r in (out["results"][0], out["results"][5]))
    assert [r for r in sim.requests() if r["method"] != "GET"] == []


def test_a_binding_the_eip_listing_cannot_show_is_confirmed_by_the_servers_own_list(sim, run_module):
    sim.configure(eip_vnic_device_shown=False)
    items = [{"server": "train-a3-01", "public_ip": "203.0.113.11"},
             {"server": "train-a3-02", "public_ip": "203.0.113.12"}]
    out = run_module(main, sim, {"bindings": items, "wait_timeout": 60})
    assert not out.get("failed"), out["msg"]
    assert out["totals"] == {"items": 2, "changed": 2, "unchanged": 0, "failed": 0, "not_attempted": 0}
    assert out["waits"][0]["seconds"] < 10, out["waits"]
    assert [e["address"] for e in out["results"][0]["after"]] == ["203.0.113.11"]
    confirmations = [r for r in sim.requests() if r["method"] == "GET" and r["path"].endswith("/publicips")
                     and "/dev-servers/" in r["path"]]
    assert len(confirmations) >= 2
