"""The simulator from an installed collection: one command installs what it needs (requirements.txt), one starts
it (hwsim_daemon.py, nothing to set first), and what goes wrong is said plainly: a Python without its packages (with
the command that installs them), a seed file that does not exist, a seed with several problems (all of them), in
the shell and through the role (the task's msg, changed false)."""

import json
import os
import shutil
import subprocess
import sys
import venv

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SIMULATOR = os.path.join(ROOT, "extensions", "simulator")
LAUNCHER = "hwsim_daemon.py"
BAD_SEED = """hwsim_seed: 1
lite_servers:
  - {name: a, status: RUNING}
  - {name: "bad name!"}
eips:
  - {address: 203.0.113.300}
"""


@pytest.fixture
def installed(tmp_path):
    """The simulator's directory as an installed collection holds it, somewhere else than the checkout."""
    target = tmp_path / "collections" / "ansible_collections" / "hwcloud" / "infra" / "extensions" / "simulator"
    shutil.copytree(SIMULATOR, str(target), ignore=shutil.ignore_patterns("__pycache__"))
    return target


@pytest.fixture
def bare_python(tmp_path):
    """A Python with none of the simulator's packages (a venv without them)."""
    where = tmp_path / "bare"
    venv.EnvBuilder(with_pip=False).create(str(where))
    return str(where / "bin" / "python")


def launch(python, installed, *args, env=None):
    clean = dict((k, v) for k, v in os.environ.items() if k != "PYTHONPATH")
    clean.update(env or {})
    return subprocess.run([python, str(installed / LAUNCHER)] + list(args), capture_output=True, text=True,
                          env=clean, cwd=str(installed.parent), timeout=120, check=False)


def test_the_requirements_file_lists_every_package_the_simulator_imports():
    with open(os.path.join(SIMULATOR, "requirements.txt"), encoding="utf-8") as handle:
        listed = set(line.split(">")[0].split("=")[0].split("<")[0].strip().lower()
                     for line in handle if line.strip() and not line.startswith("#"))
    assert listed == {"huaweicloudsdkcore", "pyyaml", "cryptography"}
    sys.path.insert(0, SIMULATOR)
    try:
        import hwsim_daemon
    finally:
        sys.path.remove(SIMULATOR)
    assert set(package.lower() for _module, package in hwsim_daemon.NEEDS) == listed


def test_one_command_starts_it_from_an_installed_collection_without_pythonpath(installed, tmp_path):
    state = str(tmp_path / "state")
    started = launch(sys.executable, installed, "start", "--state-dir", state, "--env-file", str(tmp_path / "env.sh"))
    try:
        assert started.returncode == 0, started.stderr
        assert "simulator: listening at http://127.0.0.1:" in started.stdout
        with open(os.path.join(state, "hwsim.json"), encoding="utf-8") as handle:
            assert json.load(handle)["auth"]["region"]
    finally:
        stopped = launch(sys.executable, installed, "stop", "--state-dir", state)
    assert stopped.stdout.strip() == "simulator: stopped"


def test_a_python_without_its_packages_is_told_the_command_that_installs_them(installed, bare_python, tmp_path):
    out = launch(bare_python, installed, "start", "--state-dir", str(tmp_path / "state"))
    assert out.returncode == 2
    assert "lacks huaweicloudsdkcore, PyYAML, cryptography" in out.stderr, out.stderr
    assert "%s -m pip install -r %s" % (bare_python, installed / "requirements.txt") in out.stderr
    assert "Traceback" not in out.stderr and not os.path.exists(str(tmp_path / "state" / "hwsim.json"))


def test_a_missing_seed_file_and_a_seed_with_several_problems_are_told_plainly(installed, tmp_path):
    missing = launch(sys.executable, installed, "start", "--state-dir", str(tmp_path / "s"), "--seed",
                     str(tmp_path / "nowhere.yml"))
    assert missing.returncode == 1 and "the seed file %s does not exist" % (tmp_path / "nowhere.yml") in missing.stderr
    assert "Traceback" not in missing.stderr
    seed = tmp_path / "bad.hwsim.yml"
    seed.write_text(BAD_SEED)
    bad = launch(sys.executable, installed, "start", "--state-dir", str(tmp_path / "s"), "--seed", str(seed))
    assert bad.returncode == 1 and "3 problems" in bad.stderr, bad.stderr
    for where in ("lite_servers[0]: status 'RUNING'", "lite_servers[1]: name 'bad name!'", "eips[0]: address"):
        assert where in bad.stderr


@pytest.mark.ansible_process
def test_the_role_fails_with_the_simulators_own_message_and_changes_nothing(bare_python, tmp_path):
    seed = tmp_path / "bad.hwsim.yml"
    seed.write_text(BAD_SEED)
    play = tmp_path / "play.yml"
    play.write_text(
        "- hosts: localhost\n  connection: local\n  gather_facts: false\n"
        "  vars: {ansible_python_interpreter: '{{ ansible_playbook_python }}'}\n  tasks:\n"
        "    - block:\n"
        "        - ansible.builtin.include_role: {name: hwcloud.infra.simulator}\n"
        "          vars: {simulator_state_dir: %s, simulator_python: %s}\n"
        "      rescue:\n"
        "        - ansible.builtin.copy: {content: '{{ ansible_failed_result | to_json }}', dest: %s}\n"
        "    - block:\n"
        "        - ansible.builtin.include_role: {name: hwcloud.infra.simulator}\n"
        "          vars: {simulator_state_dir: %s, simulator_seed: %s}\n"
        "      rescue:\n"
        "        - ansible.builtin.copy: {content: '{{ ansible_failed_result | to_json }}', dest: %s}\n"
        % (tmp_path / "s1", bare_python, tmp_path / "bare.json", tmp_path / "s2", seed, tmp_path / "seed.json"))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".tmp", "collections"),
               ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
               ANSIBLE_HOME=str(tmp_path / "ansible-home"))
    proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), str(play)],
                          env=env, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    with open(str(tmp_path / "bare.json"), encoding="utf-8") as handle:
        bare = json.load(handle)
    assert bare["changed"] is False and "-m pip install -r " in bare["msg"] and "requirements.txt" in bare["msg"]
    with open(str(tmp_path / "seed.json"), encoding="utf-8") as handle:
        bad = json.load(handle)
    assert bad["changed"] is False and "3 problems" in bad["msg"] and "lite_servers[1]: name" in bad["msg"]
