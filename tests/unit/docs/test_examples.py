"""Every documented example runs as written, against the simulator.

* Each module's EXAMPLES (tasks only) runs as one play: in check mode (which must write nothing), for real, and again
  (which must change nothing).
* Each ```yaml and ```bash block of README.md, docs/*.md and the roles' and extensions' READMEs runs verbatim, the
  blocks of a page in order, in a work directory of the page's own (with the checkout's docs/, playbooks/ and
  extensions/ beside it) and a simulator reset to its seed: a playbook or a task list in check mode, for real and
  again (no change the second time); a bash block as it is (twice, the second run changing nothing, unless marked).
  README.md's bash blocks run in the README test (tests/tools/readme_test.py), on a fresh clone.

A block may be marked in the line before it:

* ``<!-- example: not run (why) -->``: not run (a real account, a container engine, ...); the reason is required and
  shows as the test's skip reason;
* ``<!-- example: output (what) -->``: a result or an error as the collection prints it; parsed, not run;
* ``<!-- example: file NAME -->``: the block is the file NAME: written to the work directory for the blocks after it
  (an inventory source, say); when NAME is a file of the checkout, the block must be that file;
* ``<!-- example: repeats (why) -->``: a block that changes something each time it runs (it allocates and
  releases, or starts and stops a simulator, say): a bash block runs once, a playbook's re-run may change.

The variables a documented example may take from a vault: ``vault_hw_access_key`` and ``vault_hw_secret_key``
(the simulator's access key here).
"""

import ast
import glob
import os
import re
import subprocess
import sys

import pytest
import yaml

from hwsim.seedinfo import AK, SK

# Every test here starts ansible (or another program of the toolchain): `make test` runs them, `make check` not.
pytestmark = pytest.mark.ansible_process

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BIN = os.path.dirname(sys.executable)
RECAP = re.compile(r"localhost\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)")
FENCE = re.compile(r"(?:<!-- example: ([a-z -]+?)(?: \(([^)]*)\)| ([^ >]+))? -->\s*\n)?```(yaml|bash)\n(.*?)```", re.S)
PAGES = ["README.md"] + sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")) + glob.glob(
    os.path.join(ROOT, "roles", "*", "README.md")) + glob.glob(os.path.join(ROOT, "extensions", "*", "README.md")))
PAGES = [os.path.relpath(os.path.join(ROOT, p), ROOT) for p in PAGES]
MODULES = sorted(os.path.basename(p)[:-3] for p in glob.glob(os.path.join(ROOT, "plugins", "modules", "*.py")))
VAULT = {"vault_hw_access_key": AK, "vault_hw_secret_key": SK}
KINDS = ("not run", "output", "file", "repeats")


def blocks(page):
    with open(os.path.join(ROOT, page), encoding="utf-8") as handle:
        text = handle.read()
    found = []
    for kind, why, name, language, body in FENCE.findall(text):
        assert not kind or kind in KINDS, "%s: unknown example marker %r" % (page, kind)
        assert kind not in ("not run", "output", "repeats") or why.strip(), "%s: %r needs a reason" % (page, kind)
        found.append({"kind": kind or None, "why": why, "name": name, "language": language, "body": body})
    return found


def examples_of(module):
    with open(os.path.join(ROOT, "plugins", "modules", module + ".py"), encoding="utf-8") as handle:
        tree = ast.parse(handle.read())
    return next(n.value.value for n in tree.body if isinstance(n, ast.Assign)
                and getattr(n.targets[0], "id", None) == "EXAMPLES")


def environment(sim, tmp_path):
    env = sim.ansible_env()
    env.update(PATH=BIN + os.pathsep + env.get("PATH", ""), ANSIBLE_NOCOLOR="1", HOME=str(tmp_path / "home"),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".tmp", "collections"),
               ANSIBLE_HOME=str(tmp_path / "ansible-home"), ANSIBLE_LOCALHOST_WARNING="false",
               ANSIBLE_INVENTORY_UNPARSED_WARNING="false")
    os.makedirs(env["HOME"], exist_ok=True)
    return env


def writes(sim):
    # Logins and the credential services (metadata, pod identity, STS) change nothing in the cloud.
    return [r for r in sim.requests() if r.get("service") not in (None, "iam", "metadata", "podidentity", "sts")
            and r["method"] != "GET"]


def play_of(tasks):
    return [{"name": "Documented example", "hosts": "localhost", "connection": "local", "gather_facts": False,
             "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}"}, "tasks": tasks}]


def run_playbook(sim, env, cwd, path, what, converges=True):
    """Check mode (no write), for real, again (no change, unless it does not converge: simulator_admin's examples
    drive the simulator, and an injected fault or a reset is an action each time)."""
    vault = os.path.join(cwd, "example-vault.yml")
    with open(vault, "w", encoding="utf-8") as handle:
        yaml.safe_dump(VAULT, handle)
    changed = []
    for step, extra in (("check mode", ["--check", "--diff"]), ("run", []), ("re-run", [])):
        sim.clear_requests()
        proc = subprocess.run([os.path.join(BIN, "ansible-playbook"), "-i", "localhost,", path, "-e", "@" + vault]
                              + extra, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False)
        recaps = RECAP.findall(proc.stdout)
        assert proc.returncode == 0 and recaps, "%s, %s:\n%s\n%s" % (what, step, proc.stdout[-4000:],
                                                                     proc.stderr[-2000:])
        changed.append(sum(int(r[1]) for r in recaps))
        if step == "check mode":
            assert writes(sim) == [], "%s: check mode wrote %s" % (what, writes(sim))
    if not converges:
        return changed
    assert changed[2] == 0, "%s: the re-run changed %d task(s)" % (what, changed[2])
    assert (changed[0] > 0) == (changed[1] > 0), "%s: check mode predicted changed=%d, the run changed=%d" % (
        what, changed[0], changed[1])
    return changed


@pytest.mark.parametrize("module", MODULES)
def test_module_examples_run_as_written(sim, tmp_path, module):
    tasks = yaml.safe_load(examples_of(module))
    assert isinstance(tasks, list) and tasks, "%s: EXAMPLES is not a list of tasks" % module
    for task in tasks:
        assert "hosts" not in task and "tasks" not in task, "%s: EXAMPLES hold tasks only: %s" % (
            module, task.get("name"))
        assert task.get("name"), "%s: every example task has a name" % module
    path = tmp_path / "examples.yml"
    path.write_text(yaml.safe_dump(play_of(tasks), sort_keys=False))
    changed = run_playbook(sim, environment(sim, tmp_path), str(tmp_path), str(path), "%s EXAMPLES" % module,
                           converges=not module.startswith("simulator_"))
    if not module.endswith("_info"):
        assert changed[1] > 0, "%s: the examples of a module that writes changed nothing" % module


def page_cases():
    cases = []
    for page in PAGES:
        found = blocks(page)
        if found:
            cases.append(page)
    return cases


def run_bash(env, cwd, body, what, repeats):
    outputs = []
    for _attempt in range(1 if repeats else 2):
        proc = subprocess.run(["bash", "-euo", "pipefail", "-c", body], cwd=cwd, env=env, capture_output=True,
                              text=True, timeout=600, check=False)
        assert proc.returncode == 0, "%s:\n%s\n%s" % (what, proc.stdout[-4000:], proc.stderr[-3000:])
        outputs.append(proc.stdout)
    if not repeats:
        again = outputs[1]
        assert "CHANGED" not in again and not re.search(r"changed=[1-9]", again), \
            "%s: running it again changed something:\n%s" % (what, again[-3000:])


@pytest.mark.parametrize("page", page_cases())
def test_documented_snippets_run_as_written(sim, tmp_path, page):
    env = environment(sim, tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    for name in ("docs", "playbooks", "extensions"):
        os.symlink(os.path.join(ROOT, name), str(work / name))
    skipped, ran = [], 0
    for index, block in enumerate(blocks(page)):
        what = "%s, %s block %d" % (page, block["language"], index + 1)
        if block["kind"] == "not run":
            skipped.append("%s: %s" % (what, block["why"]))
            continue
        if page == "README.md" and block["language"] == "bash":
            continue  # the README test runs these, on a fresh clone
        if block["kind"] == "output":
            yaml.safe_load(block["body"]) if block["language"] == "yaml" else None
            continue
        if block["kind"] == "file":
            original = os.path.join(ROOT, block["name"])
            if os.path.exists(original):
                with open(original, encoding="utf-8") as handle:
                    assert handle.read() == block["body"], "%s is not %s as the checkout has it" % (
                        what, block["name"])
            else:
                (work / block["name"]).write_text(block["body"])
            ran += 1
            continue
        if block["language"] == "bash":
            run_bash(env, str(work), block["body"], what, block["kind"] == "repeats")
        else:
            data = yaml.safe_load(block["body"])
            assert isinstance(data, list), "%s: neither a playbook nor a task list; mark it (file or output)" % what
            plays = data if all("hosts" in p or "import_playbook" in p or "ansible.builtin.import_playbook" in p
                                for p in data) else play_of(data)
            path = work / ("example-%d.yml" % (index + 1))
            path.write_text(yaml.safe_dump(plays, sort_keys=False))
            sim.reset()
            run_playbook(sim, env, str(work), str(path), what, converges=block["kind"] != "repeats")
        ran += 1
    if skipped and not ran:
        pytest.skip("; ".join(skipped))
