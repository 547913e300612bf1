"""playbooks/demo.yml does only what it says: the simulator's example names only against the simulator, and
iMetal only when asked for by a variable."""

import json
import os
import re
import subprocess
import sys

import pytest

# Every test here starts ansible (or another program of the toolchain): `make test` runs them, `make check` not.
pytestmark = pytest.mark.ansible_process

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BIN = os.path.dirname(sys.executable)
RECAP = re.compile(r"localhost\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)")


def demo(sim, tmp_path, *extra, simulator=True):
    env = sim.ansible_env()
    if not simulator:
        # The same endpoints, as a user's own (real-cloud) environment would set them: no HWSIM_URL.
        del env["HWSIM_URL"]
    env.update(ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".tmp", "collections"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_HOME=str(tmp_path / "ansible-home"), ANSIBLE_LOCALHOST_WARNING="false",
               ANSIBLE_INVENTORY_UNPARSED_WARNING="false")
    proc = subprocess.run([os.path.join(BIN, "ansible-playbook"), "hwcloud.infra.demo"] + list(extra), env=env,
                          cwd=str(tmp_path), capture_output=True, text=True, timeout=300, check=False)
    return proc, RECAP.search(proc.stdout)


def api_calls(sim, service=None):
    return [r for r in sim.requests() if r.get("service") not in (None, "iam")
            and (service is None or r["service"] == service)]


def test_outside_the_simulator_the_example_names_are_refused_before_any_call(sim, tmp_path):
    proc, recap = demo(sim, tmp_path, simulator=False)
    assert proc.returncode != 0 and recap and recap.group(4) == "1"
    assert "only in the simulator" in proc.stdout and "demo_bindings" in proc.stdout
    assert api_calls(sim) == []


def test_own_bindings_run_anywhere_and_imetal_is_left_alone(sim, tmp_path):
    bindings = json.dumps({"demo_bindings": [{"server": "train-a3-03", "public_ip": "203.0.113.15"}]})
    proc, recap = demo(sim, tmp_path, "-e", bindings, simulator=False)
    assert proc.returncode == 0 and recap.group(2) == "1", proc.stdout[-3000:]
    assert api_calls(sim, "clouddc") == []
    bound = [r for r in api_calls(sim, "modelarts") if r["method"] == "POST"]
    assert len(bound) == 1


def test_imetal_only_when_asked(sim, tmp_path):
    proc, recap = demo(sim, tmp_path)
    assert proc.returncode == 0 and int(recap.group(2)) > 0, proc.stdout[-3000:]
    assert api_calls(sim, "clouddc") == []
    proc, recap = demo(sim, tmp_path, "-e", "demo_imetal_instance=gpu-node-02", "-e", "demo_imetal_address=10.0.1.42")
    assert proc.returncode == 0 and recap.group(2) == "1", proc.stdout[-3000:]
    assert [r for r in api_calls(sim, "clouddc") if r["method"] == "PUT"]
    proc, recap = demo(sim, tmp_path, "-e", "demo_imetal_instance=gpu-node-02")
    assert proc.returncode != 0 and "demo_imetal_address" in proc.stdout
