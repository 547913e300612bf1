"""cdc_imetal_ip_batch against the simulator: one listing, shared checks, concurrent changes, one wait."""

from ansible_collections.hwcloud.infra.plugins.modules.cdc_imetal_ip_batch import main


def subnet(sim, name):
    return next(s["id"] for s in sim.state()["subnets"] if s["name"] == name)


def addresses(sim, name):
    instance = next(i for i in sim.state()["instances"] if i["name"] == name)
    return [n["ipv4_address"] for n in instance["network_interfaces"]]


def api(sim, method=None):
    return [r for r in sim.requests() if r.get("service") not in (None, "iam") and
            (method is None or r["method"] == method)]


def batch(sim):
    b1 = subnet(sim, "subnet-b1")
    return [{"instance": "batch-node-%02d" % n, "nics": [{"subnet_id": b1, "ip_address": "172.16.0.%d" % (100 + n)}]}
            for n in range(1, 6)]


def test_a_fleet_is_readdressed_in_one_task_and_a_rerun_only_reads(sim, run_module):
    sim.configure(imetal_stale_status_reads=1)
    out = run_module(main, sim, {"instances": batch(sim), "concurrency": 3})
    assert not out.get("failed"), out.get("msg")
    assert out["totals"] == {"items": 5, "changed": 5, "unchanged": 0, "failed": 0, "not_attempted": 0}
    for n in range(1, 6):
        assert addresses(sim, "batch-node-%02d" % n) == ["172.16.0.%d" % (100 + n)]
        assert out["instances"]["batch-node-%02d" % n]["addresses"] == ["172.16.0.%d" % (100 + n)]
    assert all(r["request_id"] for r in out["results"]) and len(api(sim, "PUT")) == 5
    # One wait for all: the pending instances are read together, never one status call per instance.
    assert not [r for r in api(sim, "GET") if r["path"].endswith("/status")]
    # Progress: the wait for all is recorded, round by round, in the result and in its one-line summary.
    wait = out["waits"][-1]
    assert wait["attempts"] == len(wait["progress"]) >= 2 and wait["seconds"] > 0
    assert wait["progress"][-1] == {"done": 5, "failed": 0, "pending": 0, "seconds": wait["seconds"]}
    assert wait["progress"][0]["pending"] > 0
    assert "waited %.1f s (%d reads)" % (wait["seconds"], wait["attempts"]) in out["msg"]
    sim.clear_requests()
    again = run_module(main, sim, {"instances": batch(sim)})
    assert again["changed"] is False and again["totals"]["unchanged"] == 5 and "waits" not in again
    assert [r["path"].rsplit("/", 1)[-1] for r in api(sim)] == ["instances"]


def test_check_mode_and_diff_send_nothing(sim, run_module):
    out = run_module(main, sim, {"instances": batch(sim)[:2]}, check_mode=True, diff=True)
    assert out["changed"] and not api(sim, "PUT") and len(out["diff"]) == 2
    assert out["diff"][0]["after"]["network_interfaces"][0]["ipv4_address"] == "172.16.0.101"
    assert addresses(sim, "batch-node-01") == ["172.16.0.11"]


def test_every_bad_item_is_reported_and_nothing_is_sent(sim, run_module):
    a1, b1 = subnet(sim, "subnet-a1"), subnet(sim, "subnet-b1")
    items = [{"instance": "batch-node-01", "nics": [{"subnet_id": b1, "ip_address": "172.16.0.121"}]},
             {"instance": "busy-node", "nics": [{"subnet_id": a1, "ip_address": "10.0.1.80"}]},
             {"instance": "dup-node", "nics": [{"subnet_id": b1}]},
             {"instance": "nobody", "nics": [{"subnet_id": b1}]},
             {"instance": "batch-node-02", "nics": [{"subnet_id": b1, "ip_address": "10.9.9.9"}]},
             {"instance": "gpu-node-01", "nics": [{"subnet_id": a1, "ip_address": "10.0.1.10"}]},
             {"instance": "batch-node-03", "nics": [{"subnet_id": b1, "ip_address": "172.16.0.121"}]},
             {"instance": "batch-node-04", "nics": [{"subnet_id": b1, "ip_address": "172.16.0.12"}]}]
    out = run_module(main, sim, {"instances": items})
    assert out["failed"] and "7 of 8 item(s) cannot be done; nothing was sent" in out["msg"]
    for fragment in ("reinstall-processing", "dup-node", "nobody", "outside subnet", "purge_nics",
                     "also asked for by instances[0]", "batch-node-02"):
        assert fragment in out["msg"], fragment
    assert out["results"][0]["error"].startswith("not attempted: the batch was refused before any change")
    assert [p["position"] for p in out["problems"]] == list(range(1, 8))
    assert out["totals"] == {"items": 8, "changed": 0, "unchanged": 0, "failed": 7, "not_attempted": 1}
    assert not api(sim, "PUT")


def test_invalid_inputs_are_refused_before_any_request(sim, run_module):
    out = run_module(main, sim, {"instances": [{"instance": "a\x00b", "nics": [{"subnet_id": "s"}]},
                                               {"instance": "x", "nics": [{"subnet_id": "s", "ip_address": "1.2.3"}]}]})
    assert out["failed"] and "2 of 2 item(s) are invalid" in out["msg"] and sim.requests() == []


def test_an_asynchronous_failure_fails_the_task_after_the_others(sim, run_module):
    seed = sim.state()
    next(s for s in seed["subnets"] if s["name"] == "subnet-b1")["reserved"] = ["172.16.0.103"]
    sim.reset(seed)
    out = run_module(main, sim, {"instances": batch(sim)})
    assert out["failed"] and out["changed"]
    # Each item counts once: the failed change is failed (its change was applied and says so), not also changed.
    assert out["totals"] == {"items": 5, "changed": 4, "unchanged": 0, "failed": 1, "not_attempted": 0}
    assert "\ninstances[2] (batch-node-03): failed after a change was made: the change ended in" in out["msg"]
    assert "modify-ip-failed: CLOUDDC.2002" in out["msg"] and out["results"][2]["changed"] is True
    assert addresses(sim, "batch-node-01") == ["172.16.0.101"] and addresses(sim, "batch-node-03") == ["172.16.0.13"]
