"""Refusals that mean "already done" are settled by a re-read; wait_timeout bounds the whole wait, throttling
included; a read answered with nothing readable is asked again."""


from ansible_collections.hwcloud.infra.plugins.modules import (cdc_imetal_ip, modelarts_devserver_eip,
                                                               modelarts_devserver_eip_batch, modelarts_devserver_info)

ALREADY = dict(status=400, error_code="ModelArts.6409", apply=True)


def bound_to(sim, address):
    eip = next(e for e in sim.state()["publicips"] if e["public_ip_address"] == address)
    return eip.get("sim_bound_server")


def server_id(sim, name):
    return next(s["id"] for s in sim.state()["dev_servers"] if s["name"] == name)


def test_a_bind_refused_because_another_job_made_it_converges(sim, run_module):
    # Another job binds the same EIP at the same moment: ModelArts answers 6409 "already bound to this LiteServer".
    sim.fault(method="POST", path=r"/dev-servers/[^/]+/publicips$",
              error_msg="EIP is already bound to this LiteServer.", count=1, **ALREADY)
    out = run_module(modelarts_devserver_eip.main, sim, {"server": "train-a3-01", "public_ip": "203.0.113.11"})
    assert not out.get("failed"), out["msg"]
    assert bound_to(sim, "203.0.113.11") == server_id(sim, "train-a3-01")
    assert [e["address"] for e in out["public_ips"]] == ["203.0.113.11"]
    assert "already as asked" in str(out.get("warnings")), out.get("warnings")
    assert len([r for r in sim.requests() if r["method"] == "POST"]) == 1
    # The change is the other job's: this run changed nothing, and says so.
    assert out["changed"] is False and out["request_ids"] == []


def test_a_refusal_the_cloud_does_not_bear_out_still_fails(sim, run_module):
    sim.fault(method="POST", path=r"/dev-servers/[^/]+/publicips$", status=400, error_code="ModelArts.6409",
              error_msg="EIP is already used by another resource.", count=1)
    out = run_module(modelarts_devserver_eip.main, sim, {"server": "train-a3-01", "public_ip": "203.0.113.11"})
    assert out["failed"] and out["error"]["code"] == "ModelArts.6409" and out["changed"] is False
    assert bound_to(sim, "203.0.113.11") is None


def test_a_batch_item_refused_as_done_already_counts_as_converged_and_unchanged(sim, run_module):
    sim.fault(method="POST", path=r"/dev-servers/%s/publicips$" % server_id(sim, "train-a3-02"),
              error_msg="EIP is already bound to this LiteServer.", count=1, **ALREADY)
    items = [{"server": "train-a3-01", "public_ip": "203.0.113.11"},
             {"server": "train-a3-02", "public_ip": "203.0.113.12"}]
    out = run_module(modelarts_devserver_eip_batch.main, sim, {"bindings": items})
    assert not out.get("failed"), out["msg"]
    assert out["totals"] == {"items": 2, "changed": 1, "unchanged": 1, "failed": 0, "not_attempted": 0}
    assert [r["changed"] for r in out["results"]] == [True, False]
    assert bound_to(sim, "203.0.113.12") == server_id(sim, "train-a3-02")


def test_wait_timeout_bounds_the_whole_wait_throttling_included(sim, run_module):
    subnet = next(s["id"] for s in sim.state()["subnets"] if s["name"] == "subnet-a1")
    sim.configure(imetal_ip_change_polls=1000)
    # Every status read is throttled with a long Retry-After: the client's own retries must not outlast the wait.
    sim.fault(method="GET", path=r"/instances/[^/]+/status$", status=429, retry_after=20, count=None)
    out = run_module(cdc_imetal_ip.main, sim, {"instance": "gpu-node-03", "wait_timeout": 3,
                                               "nics": [{"subnet_id": subnet, "ip_address": "10.0.1.70"}]})
    # Every second the run spent waiting is a sleep on the test's clock: none may reach past the 3 s deadline.
    slept = sum(run_module.clock.calls)
    assert out["failed"] and slept <= 3.0 + 1e-9, (run_module.clock.calls, out["msg"])
    wait = out["waits"][0]
    assert 2.5 <= wait["seconds"] <= 3.0, wait


def test_a_read_answered_with_an_empty_200_is_asked_again(sim, run_module):
    sim.fault(method="GET", path=r"/dev-servers/[^/]+/publicips$", status=200, raw="", count=1)
    out = run_module(modelarts_devserver_info.main, sim, {"server": "train-a3-04"})
    assert not out.get("failed"), out["msg"]
    assert [e["address"] for e in out["servers"][0]["public_ips"]] == ["203.0.113.40"]
