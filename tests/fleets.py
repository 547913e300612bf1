"""Fleets for the reliability tests, and the collection's modules run as processes of their own (as ansible runs
them, killed or side by side), counted against what the simulator accepted."""

import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS = os.path.join(ROOT, ".tmp", "collections")


def imetal_fleet(sim, size):
    """``size`` iMetal instances, each to move to a new address; a change takes 2 reads and 2 seconds."""
    sim.reset({"hwsim_seed": 1, "vpcs": [{"name": "v", "subnets": [{"name": "s", "cidr": "10.20.0.0/16"}]}],
               "imetal_instances": [{"name": "node-%02d" % n, "nics": [{"subnet": "s", "ip": "10.20.0.%d" % (10 + n)}]}
                                    for n in range(size)],
               "config": {"imetal_ip_change_polls": 2, "imetal_ip_change_seconds": 2, "rate_limit_per_second": 0}})
    subnet = sim.state()["subnets"][0]["id"]
    return [{"instance": "node-%02d" % n, "nics": [{"subnet_id": subnet, "ip_address": "10.20.1.%d" % (10 + n)}]}
            for n in range(size)]


def eip_fleet(sim, size, moved=6):
    """``size`` Lite Servers, each to get an EIP: free ones, and the last ``moved`` taken from the servers holding
    them (an unbind and a bind each)."""
    free = size - moved
    servers = [{"name": "s-%02d" % n} for n in range(size)]
    holders = [{"name": "h-%02d" % n, "eips": ["198.51.100.%d" % (10 + n)]} for n in range(free, size)]
    sim.reset({"hwsim_seed": 1, "vpcs": [{"name": "v", "subnets": [{"name": "s", "cidr": "10.30.0.0/16"}]}],
               "lite_servers": servers + holders,
               "eips": [{"address": "198.51.100.%d" % (10 + n)} for n in range(free)],
               "config": {"rate_limit_per_second": 0, "eip_quota": 1000}})
    return [dict({"server": "s-%02d" % n, "public_ip": "198.51.100.%d" % (10 + n)},
                 **({"allow_rebind": True} if n >= free else {})) for n in range(size)]


def accepted_writes(sim):
    """The writes the cloud accepted (2xx), logins and credential services aside."""
    return [r for r in sim.requests() if r["method"] in ("POST", "PUT", "DELETE")
            and r.get("service") not in ("iam", "sts", "metadata", "podidentity")
            and r.get("status") is not None and 200 <= r["status"] < 300]


def start_module(sim, name, args):
    """The module ``name`` running as a process of its own (python -m, the way AnsiballZ runs it), with ``args`` and
    the simulator's connection options; ``finish(proc)`` reads its result."""
    handle, path = tempfile.mkstemp(prefix="module-args-", suffix=".json")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump({"ANSIBLE_MODULE_ARGS": dict(sim.connection_options(), **args)}, out)
    env = dict(os.environ, PYTHONPATH=COLLECTIONS)
    proc = subprocess.Popen([sys.executable, "-m", "ansible_collections.hwcloud.infra.plugins.modules.%s" % name,
                             path], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.args_file = path
    return proc


def finish(proc, timeout=120):
    """The JSON result a module process printed (its args file removed)."""
    try:
        out, err = proc.communicate(timeout=timeout)
    finally:
        os.unlink(proc.args_file)
    try:
        return json.loads(out)
    except ValueError:
        raise AssertionError("the module printed no result (rc=%s): %s %s" % (proc.returncode, out[-2000:],
                                                                              err[-2000:]))


def claims(result):
    """(item index or None, changed, request ids) for each item of a run's result (a single module: one item)."""
    if "results" not in result:
        return [(None, bool(result.get("changed")), list(result.get("request_ids") or []))]
    return [(index, bool(item["changed"]), list(item.get("request_ids") or [item.get("request_id")]))
            for index, item in enumerate(result["results"])]


def check_claims(runs, accepted):
    """Every write the cloud accepted (``accepted``: request ids) is claimed by one of ``runs`` (module results);
    a changed item claims one at least, an unchanged item none. Returns how many were claimed."""
    accepted = set(accepted)
    claimed, problems = [], []
    for number, result in enumerate(runs, 1):
        assert not result.get("failed"), "run %d failed: %s" % (number, result.get("msg"))
        for index, changed, ids in claims(result):
            own = [i for i in ids if i in accepted]
            claimed += own
            if changed and not own:
                problems.append("run %d, item %s: changed without a write of its own" % (number, index))
            if not changed and own:
                problems.append("run %d, item %s: unchanged with accepted writes %s" % (number, index, own))
    assert sorted(claimed) == sorted(accepted), "accepted writes claimed by no run or by two"
    assert not problems, problems
    return len(claimed)
