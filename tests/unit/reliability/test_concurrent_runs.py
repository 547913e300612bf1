"""Two runs at once (two jobs, or a re-run next to a run nobody stopped): ``changed`` is each run's own writes.

Each run is a module process of its own against one simulator. Every write the simulator accepted is claimed, by
its request id, by exactly one run; a run reports an item changed only when a write of its own was accepted for
it, and unchanged (with its warning) when the cloud refused its write because the other run had made the change.
"""

import pytest

from fleets import accepted_writes, check_claims, eip_fleet, finish, imetal_fleet, start_module

SIZE = 10


def check_runs(sim, runs):
    return check_claims(runs, [r["request_id"] for r in accepted_writes(sim)])


def test_two_binds_of_one_eip_to_one_server_at_once_report_one_change(sim):
    # Both runs look the EIP up at the same time (the lookup is slow), so both find it free and both bind it.
    sim.fault(method="GET", path=r"/eip/publicips$", latency_after=1.0, count=2)
    args = {"server": "train-a3-01", "public_ip": "203.0.113.11"}
    runs = [start_module(sim, "modelarts_devserver_eip", args) for _run in range(2)]
    results = [finish(proc) for proc in runs]
    assert check_runs(sim, results) == 1
    assert sorted(r["changed"] for r in results) == [False, True]
    unchanged = next(r for r in results if not r["changed"])
    assert "already as asked" in str(unchanged.get("warnings")), unchanged
    assert len([r for r in sim.requests() if r["method"] == "POST"]) == 2, "both runs bound: the race happened"


@pytest.mark.parametrize("module,fleet,key", [
    ("modelarts_devserver_eip_batch", eip_fleet, "bindings"),
    ("cdc_imetal_ip_batch", imetal_fleet, "instances"),
], ids=["EIP batch", "iMetal batch"])
def test_two_batches_at_once_each_report_their_own_writes(sim, module, fleet, key):
    items = fleet(sim, SIZE)
    args = {key: items, "concurrency": 2, "rate_limit": 8, "wait_timeout": 60}
    runs = [start_module(sim, module, args) for _run in range(2)]
    results = [finish(proc, timeout=300) for proc in runs]
    writes = check_runs(sim, results)
    assert writes >= SIZE
    assert sum(r["totals"]["changed"] for r in results) <= writes
    assert all(r["totals"]["failed"] == 0 and r["totals"]["not_attempted"] == 0 for r in results)
    # Every item ended as asked, each written once by one run or the other.
    if key == "instances":
        read = dict((i["name"], i["network_interfaces"][0]["ipv4_address"]) for i in sim.state()["instances"])
        assert read == dict((i["instance"], i["nics"][0]["ip_address"]) for i in items)
        puts = [r["path"] for r in accepted_writes(sim)]
        assert len(puts) == len(set(puts)) == SIZE
    else:
        names = dict((s["id"], s["name"]) for s in sim.state()["dev_servers"])
        bound = dict((e["public_ip_address"], names.get(e.get("sim_bound_server"))) for e in sim.state()["publicips"])
        assert bound == dict((i["public_ip"], i["server"]) for i in items)
