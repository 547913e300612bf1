"""An AWX/AAP sliced job: the inventory plugin's hosts split into slices as AWX splits them, one ansible-runner job
per slice started at the same time against one simulator, each running playbooks/expose_hosts.yml."""

import copy
import json
import os
import subprocess
import sys
import threading

import pytest

from ansible_output import plain
from hwsim.control import SEED, SimulatorProcess
from hwsim.state import load_seed

# Every test here starts ansible (or another program of the toolchain): `make test` runs them, `make check` not.
pytestmark = pytest.mark.ansible_process

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SLICES = 3
SERVERS = 30
INVENTORY = ("plugin: hwcloud.infra.huaweicloud\nservices: [modelarts]\n"
             "filters: {status: [RUNNING], name: 'fleet-*'}\n")


def fleet_seed():
    """The seed with 30 RUNNING A3 Lite Servers more (fleet-node-NN), none with an EIP."""
    seed = load_seed(SEED)
    template = next(s for s in seed["dev_servers"] if s["name"] == "infer-a3-05")
    for index in range(SERVERS):
        server = copy.deepcopy(template)
        server.update(id="f1ee7000-0000-4000-8000-%012d" % index, name="fleet-node-%02d" % index,
                      cloud_server={"id": "b0000000-0000-4000-8000-%012d" % index, "type": "BMS"})
        seed["dev_servers"].append(server)
    return seed


def slices_of(hosts, count):
    """AWX's job slicing: the inventory's hosts in order, slice k (1-based) takes every count-th from the k-th."""
    ordered = sorted(hosts)
    return [ordered[k::count] for k in range(count)]


def inventory_hosts(env, work):
    path = os.path.join(work, "fleet.huaweicloud.yml")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(INVENTORY)
    out = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-inventory"), "-i", path, "--list",
                          "--export"], env=env, capture_output=True, text=True, check=True).stdout
    return plain(json.loads(out)["_meta"]["hostvars"])


def run_job(private, hosts, hostvars, env, outcome, name):
    """One job as AWX gives it to ansible-runner: a static inventory of its hosts with their variables."""
    import ansible_runner
    inventory = {"all": {"children": {"hwcloud_lite_servers": {"hosts": dict((h, hostvars[h]) for h in hosts)}}}}
    os.makedirs(os.path.join(private, "inventory"))
    with open(os.path.join(private, "inventory", "hosts.json"), "w", encoding="utf-8") as handle:
        json.dump(inventory, handle)
    result = ansible_runner.run(private_data_dir=private, playbook="hwcloud.infra.expose_hosts", envvars=env,
                                quiet=True)
    events = [e.get("event_data", {}) for e in result.events]
    batch = next((e.get("res") for e in events if e.get("task_action") == "hwcloud.infra.modelarts_devserver_eip_batch"
                  and e.get("res")), None)
    outcome[name] = {"status": result.status, "rc": result.rc, "stdout": result.stdout.read(), "batch": batch}


def sliced_job(tmp_path, prefix, slices, hostvars, env):
    """Every slice's job started at the same time; {slice index: outcome}."""
    outcome = {}
    threads = [threading.Thread(target=run_job, args=(str(tmp_path / ("%s-%d" % (prefix, k))), hosts, hostvars, env,
                                                      outcome, k)) for k, hosts in enumerate(slices)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(600)
    return outcome


def bindings(sim):
    state = sim.state()
    names = dict((s["id"], s["name"]) for s in state["dev_servers"])
    return dict((names[e["sim_bound_server"]], e.get("alias")) for e in state["publicips"]
                if e["sim_bound_server"] and names[e["sim_bound_server"]].startswith("fleet-"))


def written_servers(sim):
    writes = [r for r in sim.requests() if r["method"] == "POST" and "/dev-servers/" in r["path"]]
    return [r["path"].split("/dev-servers/")[1].split("/")[0] for r in writes]


def test_sliced_job_converges_each_slice_and_equals_a_single_run(tmp_path, monkeypatch):
    for name in list(os.environ):
        if name.startswith(("HW_", "HUAWEICLOUD_SDK_")):
            monkeypatch.delenv(name)
    seed = fleet_seed()
    with SimulatorProcess() as sim:
        sim.reset(seed)
        env = sim.ansible_env()
        env.update(ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".tmp", "collections"),
                   ANSIBLE_HOME=str(tmp_path / "ansible-home"))
        hostvars = inventory_hosts(env, str(tmp_path))
        assert len(hostvars) == SERVERS
        slices = slices_of(hostvars, SLICES)
        assert sorted(h for s in slices for h in s) == sorted(hostvars)
        assert [len(s) for s in slices] == [SERVERS // SLICES] * SLICES
        # The single run, for comparison.
        single = {}
        run_job(str(tmp_path / "single"), sorted(hostvars), hostvars, env, single, "single")
        assert single["single"]["status"] == "successful", single["single"]["stdout"][-3000:]
        expected = bindings(sim)
        assert len(expected) == SERVERS and all(expected[n] == n for n in expected), expected
        # The sliced job: every slice at the same time, against the same (reset) simulator.
        sim.reset(seed)
        sim.clear_requests()
        outcome = sliced_job(tmp_path, "slice", slices, hostvars, env)
        for k in range(SLICES):
            assert outcome[k]["status"] == "successful" and outcome[k]["rc"] == 0, outcome[k]["stdout"][-3000:]
            batch = outcome[k]["batch"]
            changed = sorted(r["server_name"] for r in batch["results"] if r["changed"])
            assert changed == sorted(hostvars[h]["hwcloud_name"] for h in slices[k])
        # No two slices touched the same server: each server was written once, by the slice that holds it.
        writes = written_servers(sim)
        assert len(writes) == SERVERS and len(set(writes)) == SERVERS
        assert bindings(sim) == expected
        # A second sliced run changes nothing.
        rerun = sliced_job(tmp_path, "again", slices, hostvars, env)
        assert all(rerun[k]["batch"]["changed"] is False for k in range(SLICES))
