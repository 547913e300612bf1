"""Run the integration targets (tests/integration/targets/<name>/tasks/main.yml) against simulators of their own.

    python tests/integration/run.py [--groups N] [target ...]

The targets are split into N groups (2 by default, one per core) by the time each took last (kept in
.tmp/integration-times.json; a target never timed counts as the slowest), the longest first, each group on the
group that has the least so far. Each group starts a simulator on 127.0.0.1 and a free port, points the HW_*
environment at it and runs its targets one after the other with ansible-playbook (the simulator reset before each);
the groups run side by side. Each target's output is printed when it ends; the runner stops the simulators and exits
non-zero if any target failed.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
ROOT = os.path.dirname(TESTS)
TARGETS = os.path.join(HERE, "targets")
TIMES = os.path.join(ROOT, ".tmp", "integration-times.json")
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


def recorded_times():
    try:
        with open(TIMES, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return {}


def split(targets, groups, times):
    """Targets in ``groups`` groups of about equal recorded time: the longest first, each to the lightest group."""
    slowest = max(times.values(), default=60.0)
    buckets = [[] for _group in range(max(1, min(groups, len(targets))))]
    loads = [0.0] * len(buckets)
    for name in sorted(targets, key=lambda n: (-times.get(n, slowest), n)):
        lightest = loads.index(min(loads))
        buckets[lightest].append(name)
        loads[lightest] += times.get(name, slowest)
    return buckets


def run_group(names, results, lock):
    with SimulatorProcess() as sim, tempfile.TemporaryDirectory(prefix="hwcloud-it-") as work:
        env = sim.ansible_env()
        env.update({"ANSIBLE_ROLES_PATH": TARGETS, "ANSIBLE_NOCOLOR": "1",
                    "ANSIBLE_LOCAL_TEMP": os.path.join(work, "ansible-local")})
        for name in names:
            sim.reset()
            playbook = os.path.join(work, "%s.yml" % name)
            with open(playbook, "w", encoding="utf-8") as handle:
                handle.write("- hosts: localhost\n  gather_facts: false\n  roles:\n    - %s\n" % name)
            started = time.monotonic()
            proc = subprocess.run(["ansible-playbook", "-i", "localhost,", "-c", "local", playbook], env=env,
                                  cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
            seconds = time.monotonic() - started
            with lock:
                verdict = "ok" if proc.returncode == 0 else "FAILED"
                print("==== integration target %s (%s, %.1f s)" % (name, verdict, seconds))
                print(proc.stdout, flush=True)
                results.append((name, proc.returncode, seconds))


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--groups", type=int, default=int(os.environ.get("HWCLOUD_IT_GROUPS", "2")))
    parser.add_argument("targets", nargs="*")
    args = parser.parse_args(argv)
    targets = discover(args.targets)
    if not targets:
        sys.exit("no integration targets found")
    times = recorded_times()
    results, lock = [], threading.Lock()
    threads = [threading.Thread(target=run_group, args=(group, results, lock))
               for group in split(targets, args.groups, times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print("\nintegration targets (%d group(s) side by side):" % len(threads))
    for name, rc, seconds in sorted(results):
        print("  %-32s %s  %5.1f s" % (name, "ok" if rc == 0 else "FAILED (rc=%d)" % rc, seconds))
    failed = [name for name, rc, _s in results if rc != 0]
    lost = sorted(set(targets) - set(name for name, _rc, _s in results))
    print("%d target(s), %d failed%s" % (
        len(targets), len(failed) + len(lost), ", never ran: %s" % ", ".join(lost) if lost else ""))
    times.update((name, round(seconds, 1)) for name, rc, seconds in results if rc == 0)
    os.makedirs(os.path.dirname(TIMES), exist_ok=True)
    with open(TIMES, "w", encoding="utf-8") as handle:
        json.dump(times, handle, indent=1, sort_keys=True)
    if os.environ.get("HWCLOUD_COUNTS_DIR") and not args.targets:
        with open(os.path.join(os.environ["HWCLOUD_COUNTS_DIR"], "integration.json"), "w", encoding="utf-8") as out:
            json.dump({"targets": len(targets), "passed": len(targets) - len(failed) - len(lost)}, out)
    return 1 if failed or lost else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
