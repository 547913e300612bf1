"""Run the integration targets (tests/integration/targets/<name>/tasks/main.yml) against a fresh simulator.

    python tests/integration/run.py [target ...]

Starts the simulator on 127.0.0.1 and a free port, points the HW_* environment at it, runs each target with
ansible-playbook (simulator reset before each), stops the simulator, and exits non-zero if any target failed.
"""

import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
ROOT = os.path.dirname(TESTS)
TARGETS = os.path.join(HERE, "targets")
sys.path.insert(0, TESTS)
sys.path.insert(0, os.path.join(ROOT, "extensions", "simulator"))

from hwsim.control import SimulatorProcess  # noqa: E402


def discover(names):
    found = []
    for name in sorted(os.listdir(TARGETS)):
        if name.startswith("setup_") or not os.path.exists(os.path.join(TARGETS, name, "tasks", "main.yml")):
            continue
        aliases = os.path.join(TARGETS, name, "aliases")
        if os.path.exists(aliases) and "disabled" in open(aliases, encoding="utf-8").read().split():
            continue
        if not names or name in names:
            found.append(name)
    missing = set(names) - set(found)
    if missing:
        sys.exit("unknown targets: %s" % ", ".join(sorted(missing)))
    return found


def main(argv):
    targets = discover(argv)
    if not targets:
        sys.exit("no integration targets found")
    results = []
    with SimulatorProcess() as sim, tempfile.TemporaryDirectory(prefix="hwcloud-it-") as work:
        env = sim.ansible_env()
        env.update({"ANSIBLE_ROLES_PATH": TARGETS, "ANSIBLE_NOCOLOR": "1",
                    "ANSIBLE_LOCAL_TEMP": os.path.join(work, "ansible-local")})
        for name in targets:
            sim.reset()
            playbook = os.path.join(work, "%s.yml" % name)
            with open(playbook, "w", encoding="utf-8") as handle:
                handle.write("- hosts: localhost\n  gather_facts: false\n  roles:\n    - %s\n" % name)
            started = time.monotonic()
            rc = subprocess.call(["ansible-playbook", "-i", "localhost,", "-c", "local", playbook], env=env, cwd=ROOT)
            results.append((name, rc, time.monotonic() - started))
    print("\nintegration targets:")
    for name, rc, seconds in results:
        print("  %-32s %s  %5.1f s" % (name, "ok" if rc == 0 else "FAILED (rc=%d)" % rc, seconds))
    failed = [name for name, rc, _s in results if rc != 0]
    print("%d target(s), %d failed" % (len(results), len(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
