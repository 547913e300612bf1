"""The README's commands, pasted in order into one shell on a fresh clone of this checkout (`make readme-check`).

Every ```bash block of README.md runs, except one preceded by ``<!-- readme-test: skip (why) -->``. The first block
(the first hour: demo, simulator, ad-hoc commands, provisioning, simulator stopped) runs exactly as written; a later
block uses the simulator the first hour showed, so it runs between ``make sim`` / ``source .tmp/sim/env.sh`` and
``make sim-stop``, except one that the README says to paste "In a new shell", which runs in a shell of its own with
nothing but HOME and the system's PATH. HOME is a directory of the test's own. Fails on any command's failure, and
checks what the first hour must show. The venvs the commands make (the clone's .venv, ~/.venvs/... of a new shell)
are kept in .tmp/venvs (tests/tools/venvs.py) and made anew when their Python or what they install changes; the
commands run as written either way.
"""

import os
import re
import shutil
import subprocess
import sys

import venvs

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BLOCK = re.compile(r"(<!-- readme-test: skip[^>]*-->\s*\n)?```bash\n(.*?)```", re.S)
# A block the README introduces with "In a new shell" runs in one.
NEW_SHELL = re.compile(r"In a new shell[^\n]*(?:\n[^\n`]+)*\n\n$")
# What the first hour must show besides every command succeeding.
EXPECTED = [
    (r"demo: first run changed=\d+, second run changed=0", "the demo converges, then changes nothing"),
    (r"simulator: now run   source \.tmp/sim/env\.sh", "make sim says how to use it"),
    (r'"name": "train-a3-02"', "the info module reads the simulator's Lite Server"),
    (r"localhost \| CHANGED", "the ad-hoc bind changes the simulator"),
    (r"> HWCLOUD\.INFRA\.MODELARTS_DEVSERVER_EIP|> MODULE hwcloud\.infra\.modelarts_devserver_eip",
     "ansible-doc finds the module"),
    (r"localhost\s*: ok=\d+\s+changed=[1-9]", "provision reports a change"),
    (r"simulator: stopped", "make sim-stop stops it"),
    (r"simulator environment left", "hwsim_leave takes the simulator's variables back"),
    (r"hwcloud\.infra\.cdc_imetal_instance_info\s+List", "the collection installed in a new shell lists its modules"),
]


def blocks(text):
    """(new_shell, body) of every block that runs, in order."""
    found = []
    for match in BLOCK.finditer(text):
        if not match.group(1):
            found.append((bool(NEW_SHELL.search(text[:match.start()][-600:])), match.group(2)))
    if not found or not BLOCK.search(text) or BLOCK.search(text).group(1):
        sys.exit("README.md: the first ```bash block (the first hour) must run")
    return found


# A new shell's venv, as the README makes it: python3 -m venv ~/.venvs/NAME
NEW_SHELL_VENV = re.compile(r"python3 -m venv (~/\.venvs/[A-Za-z0-9_.-]+)")


def script(found, work):
    lines = ["set -euo pipefail", 'export HWREADME_PATH="$PATH"', "set -x", found[0][1]]
    for index, (new_shell, body) in enumerate(found[1:], 1):
        if new_shell:
            path = os.path.join(work, "block-%d.sh" % index)
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(body)
            lines.append('env -i HOME="$HOME" PATH="$HWREADME_PATH" bash -euxo pipefail %s' % path)
        else:
            lines += ["make sim", "source .tmp/sim/env.sh", body, "make sim-stop"]
    return "\n".join(lines) + "\n"


def main():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as handle:
        found = blocks(handle.read())
    bodies = [body for _new, body in found]
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True,
                           text=True, check=True).stdout
    if dirty:
        print("readme-test: uncommitted changes are not part of the clone under test:\n" + dirty)
    work = os.path.join(ROOT, ".tmp", "readme-test")
    clone = os.path.join(work, "hwcloud.infra")
    env = dict((k, v) for k, v in os.environ.items()
               if not k.startswith(("HW_", "HUAWEICLOUD_", "ANSIBLE_", "VIRTUAL_ENV", "MAKE")))
    # A fresh shell: the system's PATH without this checkout's venv, and no proxy to reach anything else than the
    # package index the demo installs from.
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if not p.startswith(ROOT))
    # A home of its own (what the README installs under ~ stays in the test), pip's cache kept; pip installs into
    # a venv or nowhere (a README command that failed to make one never installs into the system's Python).
    env.setdefault("PIP_CACHE_DIR", os.path.join(os.path.expanduser("~"), ".cache", "pip"))
    env["PIP_REQUIRE_VIRTUALENV"] = "true"
    env["HOME"] = os.path.join(work, "home")
    project_python = subprocess.run(["bash", os.path.join(ROOT, "tests", "tools", "pick-python.sh")],
                                    capture_output=True, text=True, check=True).stdout.strip()
    keys = {"hwcloud.infra/.venv": venvs.key_of(project_python, ["-r", "requirements.txt", "-r",
                                                                 "tests/requirements-demo.txt"])}
    system_python = shutil.which("python3", path=env["PATH"])
    for new_shell, body in found:
        for where in NEW_SHELL_VENV.findall(body) if new_shell else ():
            keys["home/" + where[2:]] = venvs.key_of(system_python, [body])
    with venvs.WorkTree(work, keys) as tree:
        try:
            subprocess.run(["git", "clone", "--quiet", ROOT, clone], check=True)
            os.makedirs(env["HOME"])
            tree.restore()
            proc = subprocess.run(["bash", "-c", script(found, work)], cwd=clone, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True, timeout=1500, check=False)
        finally:
            subprocess.run(["bash", "-c", "test ! -x .venv/bin/python || .venv/bin/python tests/tools/sim.py stop"],
                           cwd=clone, capture_output=True, check=False)
    # What a terminal shows, without its colour codes (ansible-doc prints them even into a pipe).
    output = re.sub(r"\x1b\[[0-9;]*m", "", proc.stdout)
    if proc.returncode != 0:
        print(output[-8000:])
        sys.exit("readme-test: a README command failed (exit %d)" % proc.returncode)
    missing = [why for pattern, why in EXPECTED if not re.search(pattern, output)]
    if missing:
        print(output[-8000:])
        sys.exit("readme-test: the first hour did not show: %s" % "; ".join(missing))
    print("readme-test: %d README block(s), %d commands, passed on a fresh clone%s" % (
        len(bodies), sum(len([x for x in b.splitlines() if x.strip()]) for b in bodies),
        " (venvs kept from an earlier run: %s)" % ", ".join(tree.reused) if tree.reused else ""))


if __name__ == "__main__":
    main()
