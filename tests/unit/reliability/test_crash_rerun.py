"""Crash-safe re-runs: a batch killed after 7 writes (a controller crash, an AWX job cancelled) and run again, at
once and after the work it left behind ended, converges with every item written once."""

import json
import os
import signal
import time

import pytest

from fleets import accepted_writes, check_claims, eip_fleet, imetal_fleet, start_module

from ansible_collections.hwcloud.infra.plugins.module_utils._client import Client
from ansible_collections.hwcloud.infra.plugins.modules import cdc_imetal_ip_batch, modelarts_devserver_eip_batch

SIZE = 20
KILL_AFTER = 7


def killed_after(sim, name, args, count):
    """Run the module ``name`` as its own process and kill it (SIGKILL) once ``count`` writes were applied."""
    proc = start_module(sim, name, args)
    try:
        deadline = time.monotonic() + 60
        while len(accepted_writes(sim)) < count:
            assert proc.poll() is None, "the batch ended before %d writes: %s" % (count, proc.communicate())
            assert time.monotonic() < deadline, "no %d writes within 60 s" % count
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    finally:
        os.unlink(proc.args_file)
    return len(accepted_writes(sim))


def finish_orphans(sim):
    """Let the changes the killed run left in progress end, as the cloud does on its own."""
    client = Client(dict(sim.connection_options(), api_retries=0))
    for _round in range(50):
        pending = [i["id"] for i in sim.state()["instances"] if i.get("operation_state") == "modify-ip-processing"]
        if not pending:
            return
        for instance_id in pending:
            client.get("clouddc", "/v1/{project_id}/instances/{id}/status", {"id": instance_id})
        sim.advance(0.2)
    raise AssertionError("an orphaned change never ended")


@pytest.mark.parametrize("when", ["at once", "after the orphaned work ended"])
def test_a_killed_imetal_batch_is_run_again(sim, run_module, when):
    items = imetal_fleet(sim, SIZE)
    args = {"instances": items, "concurrency": 1, "rate_limit": 5, "wait_timeout": 60}
    sent = killed_after(sim, "cdc_imetal_ip_batch", args, KILL_AFTER)
    assert KILL_AFTER <= sent < SIZE
    if when != "at once":
        finish_orphans(sim)
    else:
        assert any(i["operation_state"] == "modify-ip-processing" for i in sim.state()["instances"])
    orphaned = set(r["request_id"] for r in accepted_writes(sim))
    out = run_module(cdc_imetal_ip_batch.main, sim, dict(args, rate_limit=0))
    assert not out.get("failed"), out["msg"]
    # The re-run reports as changed exactly the items it wrote, not those the killed run had written.
    assert check_claims([out], [r["request_id"] for r in accepted_writes(sim) if r["request_id"] not in orphaned]) \
        == SIZE - sent
    assert out["totals"] == {"items": SIZE, "changed": SIZE - sent, "unchanged": sent, "failed": 0,
                             "not_attempted": 0}, out["totals"]
    puts = {}
    for request in accepted_writes(sim):
        puts[request["path"]] = puts.get(request["path"], 0) + 1
    assert len(puts) == SIZE and set(puts.values()) == {1}, puts
    read = {i["name"]: i["network_interfaces"][0]["ipv4_address"] for i in sim.state()["instances"]}
    assert read == {i["instance"]: i["nics"][0]["ip_address"] for i in items}
    adopted = [r for r in out["results"] if r["found"]]
    assert len(adopted) == (sent if when == "at once" else 0)
    assert all("found an IP change already in progress" in line for line in out["report"] if "found" in line)


@pytest.mark.parametrize("when", ["at once", "after a pause"])
def test_a_killed_eip_batch_of_binds_and_moves_is_run_again(sim, run_module, when):
    items = eip_fleet(sim, SIZE)
    args = {"bindings": items, "concurrency": 1, "rate_limit": 5, "wait_timeout": 60}
    sent = killed_after(sim, "modelarts_devserver_eip_batch", args, KILL_AFTER)
    assert sent >= KILL_AFTER
    if when != "at once":
        # A pause: a second passes for the cloud, and what the killed run had in flight lands.
        sim.advance(1)
    orphaned = set(r["request_id"] for r in accepted_writes(sim))
    out = run_module(modelarts_devserver_eip_batch.main, sim, dict(args, rate_limit=0))
    assert not out.get("failed"), out["msg"]
    mine = check_claims([out], [r["request_id"] for r in accepted_writes(sim) if r["request_id"] not in orphaned])
    assert out["totals"]["changed"] == len([r for r in out["results"] if r["changed"]]) and mine >= \
        out["totals"]["changed"]
    state = sim.state()
    names = {s["id"]: s["name"] for s in state["dev_servers"]}
    bound = {e["public_ip_address"]: names.get(e.get("sim_bound_server")) for e in state["publicips"]}
    assert bound == {i["public_ip"]: i["server"] for i in items}
    # Every EIP bound once, and each moved one unbound from its holder once.
    per_eip = {}
    for request in accepted_writes(sim):
        eip = request["path"].rsplit("/", 1)[-1] if request["method"] == "DELETE" else json.dumps(request["body"])
        per_eip[(request["method"], eip)] = per_eip.get((request["method"], eip), 0) + 1
    assert set(per_eip.values()) == {1}, per_eip
    assert sum(1 for method, _e in per_eip if method == "POST") == SIZE
    assert sum(1 for method, _e in per_eip if method == "DELETE") == SIZE - 14
