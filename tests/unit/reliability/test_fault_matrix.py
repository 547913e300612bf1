"""The fault matrix: every fault the simulator can inject x every operation, once and always.

Each cell runs a module against the simulator with the fault on the operation's route and checks that the module
either converges or fails with a message naming the operation; that the simulator's final state is as asked or as
before; that ``changed`` is true exactly when the state changed; that no write was applied twice; and that no
traceback, secret or redirect credential reaches the output. The totals are printed at the end of the test run
(tests/unit/conftest.py).
"""

import functools
import json

import pytest

from ansible_collections.hwcloud.infra.plugins.module_utils._client import Client
from ansible_collections.hwcloud.infra.plugins.module_utils._module import HuaweiCloudModule
from ansible_collections.hwcloud.infra.plugins.modules import cdc_imetal_ip, modelarts_devserver_eip
from ansible_collections.hwcloud.infra.plugins.modules import modelarts_devserver_info

from hwsim.seedinfo import SECRETS

TIMEOUT = 1  # api_timeout of every cell: "slow" faults hold the request longer than this
WAIT = 20  # wait_timeout of every cell: a change that never shows ends the wait after this
SLOW = 1.6
WRONG_SHAPE = '["not", "the", {"documented": "shape"}]'
HTML_502 = "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"
REDIRECT = "https://admin:redirect-secret@login.example.invalid/auth?next=/v1"

# name -> (fault fields, target): "route" is the operation's own route, "reads" the reads it depends on.
FAULTS = {
    "429 Retry-After": (dict(status=429, retry_after=0), "route"),
    "429": (dict(status=429), "route"),
    "500": (dict(status=500), "route"),
    "502": (dict(status=502), "route"),
    "503": (dict(status=503), "route"),
    "504 applied": (dict(status=504, apply=True), "route"),
    "drop before": (dict(drop="before"), "route"),
    "drop after": (dict(drop="after"), "route"),
    "slow read": (dict(latency=SLOW), "reads"),
    "slow write applied late": (dict(latency=SLOW), "route"),
    "slow answer after applying": (dict(latency_after=SLOW), "route"),
    "HTML 502": (dict(status=502, raw=HTML_502, content_type="text/html"), "route"),
    "empty 200": (dict(status=200, raw="", apply=True), "route"),
    "non-JSON 200": (dict(status=200, raw="<html><body>OK</body></html>", content_type="text/html", apply=True),
                     "route"),
    "wrong-shape 200": (dict(status=200, raw=WRONG_SHAPE, apply=True), "route"),
    "302": (dict(status=302, raw="", headers={"Location": REDIRECT}), "route"),
    # Answers that say nothing and were not applied: a write answered so is settled by reading the state back.
    "empty 200 not applied": (dict(status=200, raw=""), "route"),
    "non-JSON 200 not applied": (dict(status=200, raw="<html><body>OK</body></html>", content_type="text/html"),
                                 "route"),
    "wrong-shape 200 not applied": (dict(status=200, raw=WRONG_SHAPE), "route"),
    "500 applied": (dict(status=500, apply=True), "route"),
    "504 not applied": (dict(status=504), "route"),
    # A read answered with nothing readable: asked again, like a 5xx.
    "empty 200 read": (dict(status=200, raw=""), "reads"),
    "non-JSON 200 read": (dict(status=200, raw="<html><body>OK</body></html>", content_type="text/html"), "reads"),
    "wrong-shape 200 read": (dict(status=200, raw=WRONG_SHAPE), "reads"),
}
OPERATIONS = ("info read", "bind", "unbind", "rebind leg 1", "rebind leg 2", "iMetal change", "iMetal status poll")


def _servers(state):
    return {s["name"]: s["id"] for s in state["dev_servers"] if s["name"] != "dup-name"}


def _operation(name, state):
    """(module main, args, route (method, path regex), reads (method, path regex), what a failure must name)."""
    servers = _servers(state)
    eips = {e["public_ip_address"]: e["id"] for e in state["publicips"]}
    subnet_a1 = next(s["id"] for s in state["subnets"] if s["name"] == "subnet-a1")
    lite = "Lite Server"
    if name == "info read":
        route = ("GET", r"/dev-servers/%s/publicips$" % servers["train-a3-04"])
        return modelarts_devserver_info.main, {"server": "train-a3-04"}, route, route, lite
    if name == "bind":
        return (modelarts_devserver_eip.main, {"server": "train-a3-01", "public_ip": "203.0.113.15"},
                ("POST", r"/dev-servers/%s/publicips$" % servers["train-a3-01"]), ("GET", r"/publicips"), lite)
    if name == "unbind":
        return (modelarts_devserver_eip.main, {"server": "train-a3-04", "public_ip": "203.0.113.40", "state": "absent"},
                ("DELETE", r"/publicips/%s$" % eips["203.0.113.40"]), ("GET", r"/publicips"), lite)
    if name.startswith("rebind"):
        args = {"server": "train-a3-01", "public_ip": "203.0.113.40", "allow_rebind": True}
        route = ("DELETE", r"/dev-servers/%s/publicips/" % servers["train-a3-04"]) if name.endswith("1") else \
            ("POST", r"/dev-servers/%s/publicips$" % servers["train-a3-01"])
        return modelarts_devserver_eip.main, args, route, ("GET", r"/publicips"), lite
    args = {"instance": "gpu-node-03", "nics": [{"subnet_id": subnet_a1, "ip_address": "10.0.1.66"}]}
    status = ("GET", r"/instances/[^/]+/status$")
    route = ("PUT", r"/instances/[^/]+/ip$") if name == "iMetal change" else status
    return cdc_imetal_ip.main, args, route, status, "iMetal instance"


def _observed(sim):
    """What the cells compare: who holds each EIP, and the iMetal instances' addressing and operation."""
    state = sim.state()
    bindings = {e["id"]: e.get("sim_bound_server") for e in state["publicips"]}
    instances = {i["id"]: (i.get("vpc_id"), [(n["subnet_id"], n.get("ipv4_address"))
                                             for n in i.get("network_interfaces") or []], i.get("operation_state"),
                           i.get("state"))
                 for i in state["instances"]}
    return {"bindings": bindings, "instances": instances}


def _settle(sim):
    """Let an asynchronous change the module stopped watching finish, as the cloud would on its own."""
    sim.admin("DELETE", "faults")
    client = Client(dict(sim.connection_options(), api_retries=0))
    for _round in range(20):
        pending = [i["id"] for i in sim.state()["instances"] if i.get("operation_state") == "modify-ip-processing"]
        if not pending:
            return
        for instance_id in pending:
            client.get("clouddc", "/v1/{project_id}/instances/{id}/status", {"id": instance_id})
    raise AssertionError("an iMetal change never finished")


def _applied_writes(sim):
    """(method, path) of every write the API handlers applied (answered 2xx by the API, whatever the client saw)."""
    applied = {}
    for entry in sim.requests():
        if entry["method"] in ("POST", "PUT", "DELETE") and entry.get("service") != "iam" \
                and entry.get("status") is not None and 200 <= entry["status"] < 300 \
                and entry.get("fault") in (None, "drop-after", "latency", "applied-then-status"):
            key = (entry["method"], entry["path"])
            applied[key] = applied.get(key, 0) + 1
    return applied


@pytest.fixture
def fast_client(monkeypatch):
    """Modules build their client with short backoff (its sleeps are on the test's clock, which holds a slow answer
    until the cloud's time for it has come): the matrix tests outcomes, not timing."""
    monkeypatch.setattr(HuaweiCloudModule, "client_class",
                        staticmethod(functools.partial(Client, backoff_base=0.02)))


def _reference(sim, run_module, main, args):
    """The state the operation asks for: the same run with no fault."""
    sim.reset()
    sim.configure(rate_limit_per_second=0)
    out = run_module(main, sim, args)
    assert not out.get("failed"), out.get("msg")
    _settle(sim)
    return _observed(sim)


CELLS = [(op, fault, mode) for op in OPERATIONS for fault in FAULTS for mode in ("once", "always")]


@pytest.mark.parametrize("operation,fault,mode", CELLS, ids=["%s|%s|%s" % c for c in CELLS])
def test_fault_matrix_cell(sim, run_module, fast_client, tally, operation, fault, mode):
    main, args, route, reads, names = _operation(operation, sim.state())
    args = dict(args, api_timeout=TIMEOUT, api_retries=2, **({} if operation == "info read" else {"wait_timeout": WAIT}))
    asked = _reference(sim, run_module, main, args)

    sim.reset()
    sim.configure(rate_limit_per_second=0)
    before = _observed(sim)
    spec, target = FAULTS[fault]
    method, path = route if target == "route" else reads
    sim.fault(method=method, path=path, count=1 if mode == "once" else None, **spec)
    out = run_module(main, sim, args)
    _settle(sim)
    after = _observed(sim)

    problems = []
    text = json.dumps(out)
    if "Traceback" in text or "Module failed" in text or "unexpected error" in out.get("msg", ""):
        problems.append("traceback or unexpected exception: %s" % out.get("msg"))
    if out.get("failed") and names not in out.get("msg", ""):
        problems.append("the failure does not name the operation: %s" % out.get("msg"))
    if after not in (before, asked):
        problems.append("the final state is neither as before nor as asked")
    if not out.get("failed") and after != asked:
        problems.append("reported success but the state is not as asked")
    if bool(out.get("changed")) != (after != before):
        problems.append("changed=%s but the state %s" % (out.get("changed"), "changed" if after != before else
                                                         "did not change"))
    twice = {key: count for key, count in _applied_writes(sim).items() if count > 1}
    if twice:
        problems.append("writes applied more than once: %s" % twice)
    if "redirect-secret" in text or any(secret in text for secret in SECRETS):
        problems.append("a secret reached the output")
    if operation == "info read" and not out.get("failed"):
        truth = sorted(e["public_ip_address"] for e in sim.state()["publicips"]
                       if e.get("sim_bound_server") == _servers(sim.state())["train-a3-04"])
        if sorted(e["address"] for e in out["servers"][0]["public_ips"]) != truth:
            problems.append("the info module reported %s, the truth is %s" % (out["servers"][0]["public_ips"], truth))
    tally("fault_matrix", [operation, fault, mode], not problems)
    assert not problems, "%s; msg: %s" % ("; ".join(problems), out.get("msg"))
