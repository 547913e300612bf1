"""Crash-safe re-runs: a batch killed after 7 writes (a controller crash, an AWX job cancelled) and run again, at
once and after the work it left behind ended, converges with every item written once."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from ansible_collections.hwcloud.infra.plugins.module_utils._client import Client
from ansible_collections.hwcloud.infra.plugins.modules import cdc_imetal_ip_batch, modelarts_devserver_eip_batch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
COLLECTIONS = os.path.join(ROOT, ".tmp", "collections")
SIZE = 20
KILL_AFTER = 7


def imetal_fleet(sim):
    sim.reset({"hwsim_seed": 1, "vpcs": [{"name": "v", "subnets": [{"name": "s", "cidr": "10.20.0.0/16"}]}],
               "imetal_instances": [{"name": "node-%02d" % n, "nics": [{"subnet": "s", "ip": "10.20.0.%d" % (10 + n)}]}
                                    for n in range(SIZE)],
               "config": {"imetal_ip_change_polls": 2, "imetal_ip_change_seconds": 2, "rate_limit_per_second": 0}})
    subnet = sim.state()["subnets"][0]["id"]
    return [{"instance": "node-%02d" % n, "nics": [{"subnet_id": subnet, "ip_address": "10.20.1.%d" % (10 + n)}]}
            for n in range(SIZE)]


def eip_fleet(sim):
    """14 free EIPs to bind and 6 to move from the servers holding them (an unbind and a bind each)."""
    servers = [{"name": "s-%02d" % n} for n in range(SIZE)]
    holders = [{"name": "h-%02d" % n, "eips": ["198.51.100.%d" % (10 + n)]} for n in range(14, SIZE)]
    sim.reset({"hwsim_seed": 1, "vpcs": [{"name": "v", "subnets": [{"name": "s", "cidr": "10.30.0.0/16"}]}],
               "lite_servers": servers + holders,
               "eips": [{"address": "198.51.100.%d" % (10 + n)} for n in range(14)],
               "config": {"rate_limit_per_second": 0, "eip_quota": 1000}})
    return [dict({"server": "s-%02d" % n, "public_ip": "198.51.100.%d" % (10 + n)},
                 **({"allow_rebind": True} if n >= 14 else {})) for n in range(SIZE)]


def writes(sim):
    return [r for r in sim.requests() if r["method"] in ("POST", "PUT", "DELETE") and r.get("service") != "iam"
            and r.get("status") is not None and 200 <= r["status"] < 300]


def killed_after(sim, name, args, count):
    """Run the module ``name`` as its own process and kill it (SIGKILL) once ``count`` writes were applied."""
    path = os.path.join(COLLECTIONS, "args.%d.json" % os.getpid())
    with open(path, "w", encoding="utf-8") as handle:
        json.dump({"ANSIBLE_MODULE_ARGS": dict(sim.connection_options(), **args)}, handle)
    env = dict(os.environ, PYTHONPATH=COLLECTIONS)
    proc = subprocess.Popen([sys.executable, "-m", "ansible_collections.hwcloud.infra.plugins.modules.%s" % name,
                             path], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while len(writes(sim)) < count:
            assert proc.poll() is None, "the batch ended before %d writes: %s" % (count, proc.communicate())
            assert time.monotonic() < deadline, "no %d writes within 60 s" % count
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    finally:
        os.unlink(path)
    return len(writes(sim))


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
    items = imetal_fleet(sim)
    args = {"instances": items, "concurrency": 1, "rate_limit": 5, "wait_timeout": 60}
    sent = killed_after(sim, "cdc_imetal_ip_batch", args, KILL_AFTER)
    assert KILL_AFTER <= sent < SIZE
    if when != "at once":
        finish_orphans(sim)
    else:
        assert any(i["operation_state"] == "modify-ip-processing" for i in sim.state()["instances"])
    out = run_module(cdc_imetal_ip_batch.main, sim, dict(args, rate_limit=0))
    assert not out.get("failed"), out["msg"]
    assert out["totals"] == {"items": SIZE, "changed": SIZE - sent, "unchanged": sent, "failed": 0,
                             "not_attempted": 0}, out["totals"]
    puts = {}
    for request in writes(sim):
        puts[request["path"]] = puts.get(request["path"], 0) + 1
    assert len(puts) == SIZE and set(puts.values()) == {1}, puts
    read = {i["name"]: i["network_interfaces"][0]["ipv4_address"] for i in sim.state()["instances"]}
    assert read == {i["instance"]: i["nics"][0]["ip_address"] for i in items}
    adopted = [r for r in out["results"] if r["found"]]
    assert len(adopted) == (sent if when == "at once" else 0)
    assert all("found an IP change already in progress" in line for line in out["report"] if "found" in line)


@pytest.mark.parametrize("when", ["at once", "after a pause"])
def test_a_killed_eip_batch_of_binds_and_moves_is_run_again(sim, run_module, when):
    items = eip_fleet(sim)
    args = {"bindings": items, "concurrency": 1, "rate_limit": 5, "wait_timeout": 60}
    sent = killed_after(sim, "modelarts_devserver_eip_batch", args, KILL_AFTER)
    assert sent >= KILL_AFTER
    if when != "at once":
        # A pause: a second passes for the cloud, and what the killed run had in flight lands.
        sim.advance(1)
    out = run_module(modelarts_devserver_eip_batch.main, sim, dict(args, rate_limit=0))
    assert not out.get("failed"), out["msg"]
    state = sim.state()
    names = {s["id"]: s["name"] for s in state["dev_servers"]}
    bound = {e["public_ip_address"]: names.get(e.get("sim_bound_server")) for e in state["publicips"]}
    assert bound == {i["public_ip"]: i["server"] for i in items}
    # Every EIP bound once, and each moved one unbound from its holder once.
    per_eip = {}
    for request in writes(sim):
        eip = request["path"].rsplit("/", 1)[-1] if request["method"] == "DELETE" else json.dumps(request["body"])
        per_eip[(request["method"], eip)] = per_eip.get((request["method"], eip), 0) + 1
    assert set(per_eip.values()) == {1}, per_eip
    assert sum(1 for method, _e in per_eip if method == "POST") == SIZE
    assert sum(1 for method, _e in per_eip if method == "DELETE") == SIZE - 14
