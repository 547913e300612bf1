"""ansible-navigator (--ee false, as on a workstation or in CI without containers) runs the provision playbook
against the simulator from this checkout: check mode, for real, again without a change; its playbook artifacts go
where the checkout's ansible-navigator.yml puts them (.tmp/ansible-navigator), never beside the playbook."""

import glob
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
ARTIFACTS = os.path.join(ROOT, ".tmp", "ansible-navigator")


def navigator(sim, tmp_path, *extra):
    env = sim.ansible_env()
    env.update(PATH=BIN + os.pathsep + env.get("PATH", ""), ANSIBLE_COLLECTIONS_PATH=os.path.join(
        ROOT, ".tmp", "collections"), ANSIBLE_NOCOLOR="1", ANSIBLE_HOME=str(tmp_path / "ansible-home"),
        ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_INVENTORY_UNPARSED_WARNING="false", HOME=str(tmp_path))
    argv = [os.path.join(BIN, "ansible-navigator"), "run", "playbooks/provision.yml", "-i", "localhost,",
            "-e", "@docs/examples/provision-vars.yml"] + list(extra)
    proc = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    recap = RECAP.search(proc.stdout)
    assert proc.returncode == 0 and recap and recap.group(4) == "0", proc.stdout[-3000:] + proc.stderr[-3000:]
    return int(recap.group(2))


def test_navigator_runs_the_provision_playbook_and_keeps_its_artifacts_out_of_the_collection(sim, tmp_path):
    before = set(glob.glob(os.path.join(ARTIFACTS, "provision-artifact-*.json")))
    assert navigator(sim, tmp_path, "--check", "--diff") > 0
    assert not [r for r in sim.requests() if r.get("service") not in (None, "iam") and r["method"] != "GET"]
    assert navigator(sim, tmp_path) > 0
    assert navigator(sim, tmp_path) == 0
    created = set(glob.glob(os.path.join(ARTIFACTS, "provision-artifact-*.json"))) - before
    assert len(created) == 3
    with open(sorted(created)[-1], encoding="utf-8") as handle:
        artifact = json.load(handle)
    assert artifact["status"] == "successful"
    assert not glob.glob(os.path.join(ROOT, "playbooks", "*-artifact-*.json"))
    assert not os.path.exists(os.path.join(ROOT, "ansible-navigator.log"))
