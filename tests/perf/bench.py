"""Benchmarks of hwcloud.infra against the simulator, with their targets.

    python tests/perf/bench.py [--quick]

Prints one line per measurement and exits 1 when a target is missed. Targets are generous on purpose (shared CI
machines are noisy); they catch order-of-magnitude regressions, not percent changes.
"""

import argparse
import copy
import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.path.insert(0, os.path.join(ROOT, ".tmp", "collections"))

from simulator.control import SimulatorProcess  # noqa: E402
from simulator.seedinfo import AK, PROJECT_ID, SK  # noqa: E402
from simulator.state import load_seed  # noqa: E402

from ansible_collections.hwcloud.infra.plugins.module_utils import _signer  # noqa: E402
from ansible_collections.hwcloud.infra.plugins.module_utils._client import Client  # noqa: E402

RESULTS = []


def record(name, value, unit, target, better="lower"):
    ok = value <= target if better == "lower" else value >= target
    RESULTS.append({"name": name, "value": round(value, 3), "unit": unit, "target": target, "ok": ok})
    comparison = "<=" if better == "lower" else ">="
    print("%-46s %10.3f %-6s target %s %s  %s" % (name, value, unit, comparison, target, "ok" if ok else "MISSED"))


def bench_signer(count):
    headers = {"Content-Type": "application/json", "User-Agent": "hwcloud.infra/bench", "X-Project-Id": PROJECT_ID}
    query = [("limit", "100"), ("marker", "13551d6b-755d-4757-b956-536f674975c0")]
    started = time.perf_counter()
    for _round in range(count):
        _signer.sign("GET", "modelarts.ap-southeast-3.myhuaweicloud.com", "/v1/%s/dev-servers" % PROJECT_ID, query,
                     headers, b"", AK, SK)
    record("signer: one SDK-HMAC-SHA256 signature", (time.perf_counter() - started) / count * 1e6, "us", 100)


def client(sim):
    return Client(dict(sim.connection_options(), project_id=PROJECT_ID))


def bench_round_trip(sim, count):
    sim.configure(rate_limit_per_second=0)
    c = client(sim)
    started = time.perf_counter()
    for _round in range(count):
        c.get("modelarts", "/v1/{project_id}/dev-servers", query={"limit": 1})
    per_call = (time.perf_counter() - started) / count * 1000
    record("client: signed GET round trip (simulator)", per_call, "ms", 10)
    sim.reset()


def fleet_seed(servers):
    seed = load_seed(os.path.join(ROOT, "tests", "simulator", "seed.json"))
    template = seed["dev_servers"][0]
    fleet = []
    for index in range(servers):
        server = copy.deepcopy(template)
        server["id"] = "fleet-%06d" % index
        server["name"] = "fleet-node-%06d" % index
        server["cloud_server"]["id"] = "bms-%06d" % index
        fleet.append(server)
    seed["dev_servers"] = fleet
    seed["config"] = {"rate_limit_per_second": 0}
    return seed


def bench_fleet_listing(sim, servers):
    sim.reset(fleet_seed(servers))
    c = client(sim)
    tracemalloc.start()
    started = time.perf_counter()
    listed = list(c.paginate_offset("modelarts", "/v1/{project_id}/dev-servers", "data", limit=100))
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(listed) == servers
    record("fleet: list %d Lite Servers (%d pages)" % (servers, c.calls), elapsed, "s", servers / 100.0)
    record("fleet: peak Python memory while listing", peak / 1e6, "MB", servers * 0.01)
    sim.reset()


def bench_role_concurrency(sim, bindings):
    env = sim.ansible_env()
    env["ANSIBLE_COLLECTIONS_PATH"] = os.path.join(ROOT, ".tmp", "collections")
    env["ANSIBLE_NOCOLOR"] = "1"
    timings = {}
    with tempfile.TemporaryDirectory() as work:
        for concurrency in (1, bindings):
            sim.reset()
            # Every bind takes 0.5 s on the cloud side, as a slow API would.
            sim.fault(method="POST", path="/publicips$", latency=0.5, count=None)
            playbook = os.path.join(work, "p.yml")
            names = ["train-a3-01", "train-a3-02", "train-a3-03", "infer-a3-05"][:bindings]
            items = ["{server: %s, public_ip: 203.0.113.%d}" % (n, 11 + i) for i, n in enumerate(names)]
            with open(playbook, "w", encoding="utf-8") as handle:
                handle.write("- hosts: localhost\n  connection: local\n  gather_facts: false\n"
                             "  vars:\n    ansible_python_interpreter: \"{{ ansible_playbook_python }}\"\n"
                             "  roles:\n    - role: hwcloud.infra.lite_server_expose\n"
                             "      lite_server_expose_concurrency: %d\n"
                             "      lite_server_expose_bindings: [%s]\n" % (concurrency, ", ".join(items)))
            started = time.perf_counter()
            proc = subprocess.run(["ansible-playbook", "-i", "localhost,", playbook], env=env, cwd=ROOT,
                                  capture_output=True, text=True, check=False)
            timings[concurrency] = time.perf_counter() - started
            if proc.returncode != 0:
                print(proc.stdout[-3000:])
                raise SystemExit("role run failed at concurrency %d" % concurrency)
    record("role: expose %d servers, concurrency 1" % bindings, timings[1], "s", 60)
    record("role: expose %d servers, concurrency %d" % (bindings, bindings), timings[bindings], "s", 60)
    record("role: speed-up from concurrency", timings[1] / timings[bindings], "x", 1.2, better="higher")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes")
    args = parser.parse_args()
    bench_signer(2000 if args.quick else 20000)
    with SimulatorProcess() as sim:
        bench_round_trip(sim, 50 if args.quick else 300)
        bench_fleet_listing(sim, 500 if args.quick else 2000)
        bench_role_concurrency(sim, 4)
    with open(os.path.join(ROOT, ".tmp", "perf-results.json"), "w", encoding="utf-8") as handle:
        json.dump(RESULTS, handle, indent=1)
    missed = [r["name"] for r in RESULTS if not r["ok"]]
    print("%d measurements, %d missed" % (len(RESULTS), len(missed)))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
