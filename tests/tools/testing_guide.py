"""docs/testing-your-playbooks.md as a user follows it (`make testing-guide`, part of `make test`).

The guide's bash block runs as written in a copy of docs/examples/testing with the run's tarball beside it, in a
shell with a home of its own (the collection it installs stays there) and the system's PATH: the plain playbook
test and the molecule scenario must pass, and no simulator may be left running. Everything is made anew in
.tmp/testing-guide for each run but the venv the guide makes (~/.venvs/hwcloud-test), kept while the system's
python3 and the guide's block stay the same (tests/tools/venvs.py).
"""

import glob
import os
import re
import shutil
import subprocess
import sys

import venvs

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GUIDE = os.path.join(ROOT, "docs", "testing-your-playbooks.md")
BLOCK = re.compile(r"<!-- example: not run \(tests/tools/testing_guide\.py[^>]*-->\s*\n```bash\n(.*?)```", re.S)


def system_path():
    """The system's PATH: this checkout's venv taken off."""
    return os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if not p.startswith(ROOT))


def dist_tarball():
    """The run's tarball (tests/tools/dist.sh; `make testing-guide` makes it)."""
    path = os.environ.get("HWCLOUD_DIST")
    if not path or not os.path.isfile(path):
        sys.exit("testing-guide: no tarball at HWCLOUD_DIST (%s): run it as `make testing-guide`" % path)
    return path


def main():
    with open(GUIDE, encoding="utf-8") as handle:
        found = BLOCK.findall(handle.read())
    if len(found) != 1:
        sys.exit("testing-guide: docs/testing-your-playbooks.md must have the one block this check runs")
    work = os.path.join(ROOT, ".tmp", "testing-guide")
    python3 = shutil.which("python3", path=system_path())
    with venvs.WorkTree(work, {"home/.venvs/hwcloud-test": venvs.key_of(python3, [found[0]])}) as tree:
        project = os.path.join(work, "my-project")
        shutil.copytree(os.path.join(ROOT, "docs", "examples", "testing"), project)
        shutil.copy(dist_tarball(), project)
        home = os.path.join(work, "home")
        os.makedirs(home)
        tree.restore()
        env = {"HOME": home, "PATH": system_path(),
               "PIP_CACHE_DIR": os.environ.get("PIP_CACHE_DIR") or os.path.expanduser("~/.cache/pip"),
               # The guide's pip installs into its venv or nowhere (never into the system's Python).
               "PIP_REQUIRE_VIRTUALENV": "true",
               "LANG": "C.UTF-8", "ANSIBLE_NOCOLOR": "1", "PY_COLORS": "0", "NO_COLOR": "1"}
        for name in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_CONFIG_FILE"):
            if name in os.environ:
                env[name] = os.environ[name]
        proc = subprocess.run(["bash", "-euxo", "pipefail", "-c", found[0]], cwd=project, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=1500, check=False)
        output = proc.stdout
        if proc.returncode != 0:
            print(output[-8000:])
            sys.exit("testing-guide: the guide's commands failed (exit %d)" % proc.returncode)
        for pattern, why in ((r"localhost\s*:\s*ok=\d+\s+changed=\d+\s+unreachable=0\s+failed=0", "the playbook test"),
                             (r"Molecule executed 1 scenario \(1 successful\)", "the molecule scenario")):
            if not re.search(pattern, output):
                print(output[-8000:])
                sys.exit("testing-guide: %s did not pass" % why)
        left = glob.glob(os.path.join(project, "**", "hwsim.json"), recursive=True)
        if left:
            sys.exit("testing-guide: a simulator was left running: %s" % left)
        print("testing-guide: docs/testing-your-playbooks.md passed as written (playbook test and molecule "
              "scenario, on %s installed into the venv the guide makes)" % os.path.basename(
                  glob.glob(os.path.join(project, "hwcloud-infra-*.tar.gz"))[0]))


if __name__ == "__main__":
    main()
