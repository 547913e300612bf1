"""`make test`: every check of the project, in parallel where they can, with a table of their times and counts.

    python tests/tools/steps.py [--jobs N] [STEP ...]

The steps are make targets. The first ones (the venv, the collection tree, the tarball) run in order; the others
run side by side, at most ``--jobs`` at a time (3 by default: most steps wait on processes they start, the pytest
step keeps both cores busy on its own), the longest first by their last recorded time. Each step's output goes to
.tmp/steps/STEP.log and is printed when the step ends. At the end: a table of every step's wall and CPU time, the
total, and the counts the run proved (tests passed, fault-matrix cells, hostile values, integration targets,
molecule scenarios, matrix cells), each checked against the least the project accepts (MINIMUMS): a run that
proves less fails, whatever its steps said.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORK = os.path.join(ROOT, ".tmp", "steps")
COUNTS = os.path.join(ROOT, ".tmp", "counts")
TIMES = os.path.join(WORK, "times.json")

PRELUDE = ["venv", "collection", "dist"]
# The steps that run side by side, with the seconds each took on the 2-core machine (used until a run records its
# own): the order they start in.
PARALLEL = {"units": 300, "matrix": 170, "integration": 150, "sanity": 110, "readme-check": 60,
            "testing-guide": 60, "molecule": 55, "galaxy-importer": 40, "lint": 40, "docs-check": 20,
            "build-check": 10, "docsite": 15, "changelog-lint": 3}

# The least a full run proves. Lowering one is a decision to write down in the commit that makes it.
MINIMUMS = {
    "unit tests passed": 1235,
    "fault-matrix cells, all perfect": 336,
    "hostile values rejected before any request": 20366,
    "secret-scan runs, no secret seen": 39,
    "uses proven under least privilege": 16,
    "integration targets passed": 10,
    "molecule scenarios passed": 3,
    "version-matrix cells passed": 8,
    "README blocks run on a fresh clone": 4,
}


def read_json(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def log_of(step):
    try:
        with open(os.path.join(WORK, step + ".log"), encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return ""


def counts():
    """What the run proved, from the counts files the steps wrote and the lines they printed."""
    found = {}
    units = read_json(os.path.join(COUNTS, "units.json")) or {}
    if units:
        found["unit tests passed"] = units["passed"] if not units.get("failed") else 0
        found["fault-matrix cells, all perfect"] = (units["fault_matrix_cells"] if units["fault_matrix_perfect"]
                                                    == units["fault_matrix_cells"] else 0)
        found["hostile values rejected before any request"] = units["hostile_values"]
        found["secret-scan runs, no secret seen"] = (units["secret_scan_runs"] if not units["secret_occurrences"]
                                                     else 0)
        found["uses proven under least privilege"] = units.get("least_privilege_uses", 0)
    integration = read_json(os.path.join(COUNTS, "integration.json"))
    if integration:
        found["integration targets passed"] = integration["passed"]
    # A scenario passed when its verify step and its idempotence check did (molecule's own summary line counts
    # actions, not scenarios).
    plain = re.sub(r"\x1b\[[0-9;]*m", "", log_of("molecule"))
    if "Molecule executed" in plain:
        passed = [set(re.findall(r"^INFO\s+(\S+) \S+ %s: Executed: Successful" % action, plain, re.M))
                  for action in ("idempotence", "verify")]
        found["molecule scenarios passed"] = len(passed[0] & passed[1])
    matrix = read_json(os.path.join(COUNTS, "matrix.json"))
    if matrix:
        found["version-matrix cells passed"] = sum(
            1 for job in matrix["results"] if not job["prerelease"] and job["rows"] and all(
                row["ok"] for row in job["rows"]))
    readme = re.search(r"readme-test: (\d+) README block\(s\), \d+ commands, passed", log_of("readme-check"))
    if readme:
        found["README blocks run on a fresh clone"] = int(readme.group(1))
    return found


class Step:
    def __init__(self, name):
        self.name = name
        self.rc = None
        self.wall = 0.0
        self.cpu = 0.0

    def run(self, env):
        path = os.path.join(WORK, self.name + ".log")
        # Steps side by side share nothing Ansible writes (ansible-lint's mocks, installed collections, temp files).
        own = os.path.join(WORK, self.name)
        env = dict(env, ANSIBLE_HOME=os.path.join(own, "ansible-home"), ANSIBLE_LOCAL_TEMP=os.path.join(own, "tmp"))
        started = time.monotonic()
        with open(path, "w", encoding="utf-8") as log:
            proc = subprocess.Popen(["make", "--no-print-directory", self.name], cwd=ROOT, env=env, stdout=log,
                                    stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            _pid, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
        self.rc = proc.returncode
        self.wall = time.monotonic() - started
        self.cpu = usage.ru_utime + usage.ru_stime
        return self


def report(step, lock):
    with lock:
        print("\n==================== %s: %s in %.0f s ====================" % (
            step.name, "passed" if step.rc == 0 else "FAILED (exit %s)" % step.rc, step.wall), flush=True)
        sys.stdout.write(log_of(step.name))
        sys.stdout.flush()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=int(os.environ.get("HWCLOUD_TEST_JOBS", "3")))
    parser.add_argument("steps", nargs="*", help="the side-by-side steps to run (default: all of them)")
    args = parser.parse_args(argv)
    unknown = set(args.steps) - set(PARALLEL)
    if unknown:
        parser.error("unknown steps: %s (known: %s)" % (", ".join(sorted(unknown)), ", ".join(PARALLEL)))
    os.makedirs(WORK, exist_ok=True)
    for old in os.listdir(COUNTS) if os.path.isdir(COUNTS) else ():
        os.remove(os.path.join(COUNTS, old))
    os.makedirs(COUNTS, exist_ok=True)
    env = dict(os.environ, HWCLOUD_COUNTS_DIR=COUNTS)
    lock = threading.Lock()
    started = time.monotonic()
    done = []
    for name in PRELUDE:
        step = Step(name).run(env)
        done.append(step)
        report(step, lock)
        if step.rc != 0:
            return finish(done, started, complete=False)
    recorded = read_json(TIMES) or {}
    pending = sorted(args.steps or PARALLEL, key=lambda n: -recorded.get(n, PARALLEL[n]))
    running = []
    while pending or running:
        while pending and len(running) < args.jobs:
            step = Step(pending.pop(0))
            thread = threading.Thread(target=lambda s=step: report(s.run(env), lock), daemon=True)
            thread.start()
            running.append((step, thread))
            with lock:
                print("---- %s started" % step.name, flush=True)
        time.sleep(0.2)
        for entry in [e for e in running if not e[1].is_alive()]:
            running.remove(entry)
            done.append(entry[0])
    recorded.update((s.name, round(s.wall)) for s in done if s.name in PARALLEL and s.rc == 0)
    with open(TIMES, "w", encoding="utf-8") as handle:
        json.dump(recorded, handle, indent=1)
    return finish(done, started, complete=not args.steps)


def finish(done, started, complete):
    total = time.monotonic() - started
    print("\nmake test: step times (wall and CPU seconds; steps after %s ran side by side)" % PRELUDE[-1])
    print("  %-18s %-8s %7s %7s" % ("step", "result", "wall", "cpu"))
    for step in done:
        print("  %-18s %-8s %7.0f %7.0f" % (step.name, "ok" if step.rc == 0 else "FAILED", step.wall, step.cpu))
    print("  %-18s %-8s %7.0f %7.0f" % ("total", "", total, sum(s.cpu for s in done)))
    failed = [s.name for s in done if s.rc != 0]
    short = []
    if complete:
        found = counts()
        print("\nmake test: what the run proved (at least)")
        for what, least in MINIMUMS.items():
            have = found.get(what)
            ok = have is not None and have >= least
            print("  %-46s %7s   (at least %d)%s" % (what, have if have is not None else "none", least,
                                                     "" if ok else "   TOO FEW"))
            if not ok:
                short.append(what)
    if failed:
        print("\nmake test: FAILED steps: %s (their output is above, and in .tmp/steps/)" % ", ".join(failed))
        return 1
    if short:
        print("\nmake test: the run proved less than the project accepts: %s" % ", ".join(short))
        return 1
    print("\nmake test: all checks passed in %.0f s" % total)
    return 0


if __name__ == "__main__":
    sys.exit(main())
