"""The README's commands, pasted in order into one shell on a fresh clone of this checkout (`make readme-check`).

Every ```bash block of README.md runs, except one preceded by ``<!-- readme-test: skip (why) -->``. The first block
(the first hour: demo, simulator, ad-hoc commands, provisioning, simulator stopped) runs exactly as written; a later
block uses the simulator the first hour showed, so it runs between ``make sim`` / ``source .tmp/sim/env.sh`` and
``make sim-stop``. Fails on any command's failure, and checks what the first hour must show.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BLOCK = re.compile(r"(<!-- readme-test: skip[^>]*-->\s*\n)?```bash\n(.*?)```", re.S)
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
]


def blocks(text):
    found = [(bool(skip), body) for skip, body in BLOCK.findall(text)]
    if not found or found[0][0]:
        sys.exit("README.md: the first ```bash block (the first hour) must run")
    return [body for skip, body in found if not skip]


def script(bodies):
    lines = ["set -euo pipefail", "set -x", bodies[0]]
    for body in bodies[1:]:
        lines += ["make sim", "source .tmp/sim/env.sh", body, "make sim-stop"]
    return "\n".join(lines) + "\n"


def main():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as handle:
        bodies = blocks(handle.read())
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True,
                           text=True, check=True).stdout
    if dirty:
        print("readme-test: uncommitted changes are not part of the clone under test:\n" + dirty)
    work = tempfile.mkdtemp(prefix="hwcloud-readme-")
    clone = os.path.join(work, "hwcloud.infra")
    try:
        subprocess.run(["git", "clone", "--quiet", ROOT, clone], check=True)
        env = dict((k, v) for k, v in os.environ.items()
                   if not k.startswith(("HW_", "HUAWEICLOUD_", "ANSIBLE_", "VIRTUAL_ENV", "MAKE")))
        # A fresh shell: the system's PATH without this checkout's venv, and no proxy to reach anything else than
        # the package index the demo installs from.
        env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                      if not p.startswith(ROOT))
        proc = subprocess.run(["bash", "-c", script(bodies)], cwd=clone, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=1500, check=False)
        # What a terminal shows, without its colour codes (ansible-doc prints them even into a pipe).
        output = re.sub(r"\x1b\[[0-9;]*m", "", proc.stdout)
        if proc.returncode != 0:
            print(output[-8000:])
            sys.exit("readme-test: a README command failed (exit %d)" % proc.returncode)
        missing = [why for pattern, why in EXPECTED if not re.search(pattern, output)]
        if missing:
            print(output[-8000:])
            sys.exit("readme-test: the first hour did not show: %s" % "; ".join(missing))
        print("readme-test: %d README block(s), %d commands, passed on a fresh clone" % (
            len(bodies), sum(len([x for x in b.splitlines() if x.strip()]) for b in bodies)))
    finally:
        subprocess.run(["bash", "-c", "test ! -x .venv/bin/python || .venv/bin/python tests/tools/sim.py stop"],
                       cwd=clone, capture_output=True, check=False)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
