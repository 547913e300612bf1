"""The maintained ansible-core versions, each on its Pythons, in venvs of their own (`make matrix`, part of `make test`).

For every maintained ansible-core (the support policy in README.md; `requires_ansible` in meta/runtime.yml is the
oldest of them) and every Python of that version's supported range that this machine has, a venv with only that
ansible-core and the collection's requirements (kept in .tmp/venvs and made anew when the Python or the requirements
change: tests/tools/venvs.py), the run's tarball (HWCLOUD_DIST, else built here) installed with that version's
ansible-galaxy into an empty collections path, and a simulator of its own; then: ansible-doc, an ad-hoc bind and its
idempotent re-run, both info modules, the inventory plugin (ansible-inventory --list), both roles (check mode, for
real, again) and the provision playbook (check mode, for real, again). Deprecation warnings are on: one that a job
prints fails it (the collection's own content is all that these jobs run). Jobs run in parallel.

A version whose Pythons are all missing here is reported loudly as NOT TESTED (and fails the run when
HWCLOUD_MATRIX_STRICT=1). When the package index offers a pre-release of a newer ansible-core than the matrix
holds, it runs too, and its result is reported loudly without failing the run.

    python tests/tools/matrix.py [CELL ...]     # CELL: 2.21-py3.13, 2.19-py3.11 ... (default: every cell)
"""

import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "extensions", "simulator"))

from hwsim.control import SimulatorProcess  # noqa: E402
from hwsim.seedinfo import SK  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import venvs  # noqa: E402

WORK = os.path.join(ROOT, ".tmp", "matrix")
# The maintained ansible-core series (ansible-core's release and maintenance table) and the Pythons each supports
# as a controller; each is tested on every one of them this machine has.
VERSIONS = [("2.19", ("3.11", "3.12", "3.13")), ("2.20", ("3.12", "3.13")), ("2.21", ("3.12", "3.13")),
            ("2.22", ("3.13",))]
# A series whose release is still a candidate: its newest release candidate, then its releases (a pin naming a
# pre-release lets pip take one); its cells fail the run like any other.
CANDIDATES = {"2.22": "ansible-core>=2.22.0rc1,<2.23"}
PRERELEASE = re.compile(r"^(\d+)\.(\d+)\.\d+(a|b|rc)\d+$")
DEPRECATION = re.compile(r"\[DEPRECATION WARNING\]:?(.*)")
RECAP = re.compile(r"localhost\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)")
PROVISION_VARS = os.path.join(ROOT, "docs", "examples", "provision-vars.yml")
ROLES_PLAY = os.path.join(ROOT, "tests", "compat", "roles.yml")


def find_python(version):
    """A working Python of that version: from pyenv, or on PATH (a pyenv shim of another version does not run)."""
    candidates = []
    try:
        for line in subprocess.run(["pyenv", "versions", "--bare"], capture_output=True, text=True,
                                   check=True).stdout.split():
            if line.startswith(version + "."):
                prefix = subprocess.run(["pyenv", "prefix", line], capture_output=True, text=True,
                                        check=True).stdout.strip()
                candidates.append(os.path.join(prefix, "bin", "python" + version))
    except (OSError, subprocess.CalledProcessError):
        pass
    candidates.append(shutil.which("python" + version))
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK) and subprocess.run(
                [candidate, "-c", "import sys, venv; assert sys.version.startswith(%r)" % (version + ".")],
                capture_output=True, check=False).returncode == 0:
            return candidate
    return None


def tarball():
    """The run's tarball (tests/tools/dist.sh), made when this runs on its own."""
    path = os.environ.get("HWCLOUD_DIST")
    if not path:
        with open(os.path.join(ROOT, "galaxy.yml"), encoding="utf-8") as handle:
            version = re.search(r"^version:\s*(\S+)", handle.read(), re.M).group(1)
        path = os.path.join(ROOT, ".tmp", "dist", "hwcloud-infra-%s.tar.gz" % version)
    subprocess.run(["bash", os.path.join(ROOT, "tests", "tools", "dist.sh"), path], check=True, capture_output=True)
    return path


def newest_prerelease(python):
    """The newest ansible-core pre-release on the package index when its series is newer than the matrix's, else
    None; a look-up that fails is said and counts as none."""
    proc = subprocess.run([python, "-m", "pip", "index", "versions", "--pre", "--disable-pip-version-check",
                           "ansible-core"], capture_output=True, text=True, check=False)
    found = re.search(r"Available versions: (.*)", proc.stdout)
    if proc.returncode != 0 or not found:
        print("matrix: could not look up ansible-core pre-releases on the package index: %s"
              % (proc.stderr.strip().splitlines() or ["no answer"])[-1])
        return None
    newest = found.group(1).split(",")[0].strip()
    match = PRERELEASE.match(newest)
    newest_series = max(tuple(int(x) for x in version[0].split(".")) for version in VERSIONS)
    if match and (int(match.group(1)), int(match.group(2))) > newest_series:
        return newest
    return None


class Job:
    def __init__(self, series, python, tarball, requirement=None, prerelease=False):
        self.series, self.python, self.tarball = series, python, tarball
        self.requirement = requirement or CANDIDATES.get(series) or "ansible-core==%s.*" % series
        self.prerelease = prerelease
        self.python_version = subprocess.run([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                                             capture_output=True, text=True, check=True).stdout.strip()
        self.name = "%s-py%s" % (series, self.python_version)
        self.dir = os.path.join(WORK, self.name)
        self.bin = None
        self.rows = []
        self.version = None
        self.deprecations = []

    def sh(self, argv, env=None, check=True):
        proc = subprocess.run(argv, env=env, cwd=self.dir, capture_output=True, text=True, check=False)
        for stream in (proc.stdout, proc.stderr):
            for line in stream.splitlines():
                found = DEPRECATION.search(line)
                if found:
                    self.deprecations.append("%s: %s" % (" ".join(os.path.basename(a) for a in argv[:3]),
                                                         found.group(1).strip()))
        if check and proc.returncode != 0:
            what = " ".join(argv[:4])
            raise RuntimeError("%s failed (rc=%d):\n%s\n%s" % (what, proc.returncode, proc.stdout[-3000:],
                                                               proc.stderr[-3000:]))
        return proc

    def install(self):
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(os.path.join(self.dir, "home"))
        venv = venvs.venv("matrix-%s" % self.name, self.python, [self.requirement, "-r", "requirements.txt"])
        self.bin = os.path.join(venv, "bin")
        self.sh([os.path.join(self.bin, "ansible-galaxy"), "collection", "install", "--offline", "-p",
                 os.path.join(self.dir, "collections"), self.tarball], env=self.env({}))
        self.version = self.sh([os.path.join(self.bin, "python"), "-c",
                                "from ansible.release import __version__; print(__version__)"]).stdout.strip()

    def env(self, base):
        env = dict(base)
        env.update(PATH=self.bin + os.pathsep + "/usr/bin:/bin", HOME=os.path.join(self.dir, "home"),
                   ANSIBLE_COLLECTIONS_PATH=os.path.join(self.dir, "collections"),
                   ANSIBLE_PYTHON_INTERPRETER=os.path.join(self.bin, "python"), ANSIBLE_NOCOLOR="1",
                   ANSIBLE_LOCAL_TEMP=os.path.join(self.dir, "tmp"), ANSIBLE_RETRY_FILES_ENABLED="0",
                   ANSIBLE_DEPRECATION_WARNINGS="1")
        return env

    def scenario(self, name, fn):
        started = time.perf_counter()
        try:
            fn()
            error = None
        except (RuntimeError, AssertionError) as exc:
            error = str(exc) or repr(exc)
        self.rows.append({"scenario": name, "ok": error is None, "seconds": round(time.perf_counter() - started, 1),
                          "error": error})

    def run(self):
        self.install()
        with SimulatorProcess() as sim:
            env = self.env(sim.ansible_env())
            ansible = os.path.join(self.bin, "ansible")
            playbook = os.path.join(self.bin, "ansible-playbook")

            def writes():
                return [r for r in sim.requests() if r.get("service") not in (None, "iam") and
                        r["method"] in ("POST", "PUT", "DELETE")]

            def play(path, extra=(), check=False, expect_changed=None):
                argv = [playbook, "-i", "localhost,", path] + list(extra) + (["--check", "--diff"] if check else [])
                out = self.sh(argv, env=env).stdout
                recap = RECAP.search(out)
                assert recap and recap.group(4) == "0", out[-3000:]
                changed = int(recap.group(2))
                if expect_changed is not None:
                    assert (changed > 0) == expect_changed, "changed=%d\n%s" % (changed, out[-3000:])

            def doc():
                out = self.sh([os.path.join(self.bin, "ansible-doc"), "hwcloud.infra.modelarts_devserver_eip_batch"],
                              env=env).stdout
                assert "bindings" in out and "concurrency" in out, out[:500]

            def adhoc_bind():
                args = ["localhost", "-m", "hwcloud.infra.modelarts_devserver_eip", "-a",
                        "server=train-a3-01 public_ip=203.0.113.11"]
                assert "CHANGED" in self.sh([ansible] + args, env=env).stdout
                again = self.sh([ansible] + args, env=env).stdout
                assert "SUCCESS" in again and '"changed": false' in again, again

            def info():
                out = self.sh([ansible, "localhost", "-m", "hwcloud.infra.modelarts_devserver_info", "-a",
                               "server=train-a3-01"], env=env).stdout
                assert "203.0.113.11" in out, out
                out = self.sh([ansible, "localhost", "-m", "hwcloud.infra.cdc_imetal_instance_info", "-a",
                               "name=gpu-node-01"], env=env).stdout
                assert "10.0.1.10" in out, out

            def inventory():
                path = os.path.join(self.dir, "matrix.huaweicloud.yml")
                with open(path, "w", encoding="utf-8") as handle:
                    handle.write("plugin: hwcloud.infra.huaweicloud\nfilters: {status: [RUNNING]}\n")
                out = self.sh([os.path.join(self.bin, "ansible-inventory"), "-i", path, "--list"], env=env).stdout
                data = json.loads(out)
                assert "train-a3-04" in data["hwcloud_lite_servers"]["hosts"], out[:2000]
                assert "gpu-node-01" in data["hwcloud_imetal"]["hosts"], out[:2000]
                assert "203.0.113.40" in json.dumps(data["_meta"]["hostvars"]["train-a3-04"]), out[:2000]

            def flow(path, extra):
                def run():
                    sim.reset()
                    sim.clear_requests()
                    play(path, extra, check=True, expect_changed=True)
                    assert not writes(), "check mode wrote: %s" % writes()
                    play(path, extra, expect_changed=True)
                    assert writes()
                    play(path, extra, check=True, expect_changed=False)
                    play(path, extra, expect_changed=False)
                return run

            def masked_credentials():
                # ansible-core 2.22 masks what a module registers as a secret: hwcloud.infra.auth's keys do not show
                # even when a play forgets no_log; older versions show them (the docs say to use no_log there).
                path = os.path.join(self.dir, "login.yml")
                with open(path, "w", encoding="utf-8") as handle:
                    handle.write("- hosts: localhost\n  connection: local\n  gather_facts: false\n  tasks:\n"
                                 "    - hwcloud.infra.auth:\n      register: login\n"
                                 "    - ansible.builtin.debug: {var: login}\n")
                out = self.sh([playbook, "-i", "localhost,", path, "-v"], env=env).stdout
                secret = SK in out
                registers = tuple(int(x) for x in self.version.split(".")[:2]) >= (2, 22)
                assert secret != registers, ("the secret key %s on ansible-core %s" % (
                    "shows" if secret else "is masked", self.version)) + "\n" + out[-2000:]

            self.scenario("ansible-doc", doc)
            self.scenario("ad-hoc bind + re-run", adhoc_bind)
            self.scenario("info modules", info)
            self.scenario("inventory plugin", inventory)
            self.scenario("roles: check, apply, check, apply", flow(ROLES_PLAY, []))
            self.scenario("provision: check, apply, check, apply",
                          flow("hwcloud.infra.provision", ["-e", "@" + PROVISION_VARS]))
            self.scenario("credentials masked (2.22+)", masked_credentials)

        def no_deprecation():
            assert not self.deprecations, "deprecation warnings:\n" + "\n".join(sorted(set(self.deprecations)))
        self.scenario("no deprecation warning", no_deprecation)
        return self


NAMES = ["ansible-doc", "ad-hoc bind + re-run", "info modules", "inventory plugin",
         "roles: check, apply, check, apply", "provision: check, apply, check, apply", "credentials masked (2.22+)",
         "no deprecation warning"]


def check_requires_ansible():
    """meta/runtime.yml's requires_ansible is the oldest maintained series: an end-of-life floor is refused."""
    with open(os.path.join(ROOT, "meta", "runtime.yml"), encoding="utf-8") as handle:
        declared = re.search(r"^requires_ansible:\s*[\"']?([^\"'\n]+)", handle.read(), re.M).group(1).strip()
    wanted = ">=%s.0" % VERSIONS[0][0]
    if declared != wanted:
        sys.exit("matrix: meta/runtime.yml says requires_ansible %r; the oldest maintained ansible-core makes it %r"
                 % (declared, wanted))


def main(only=()):
    check_requires_ansible()
    os.makedirs(WORK, exist_ok=True)
    dist = tarball()
    jobs, missing = [], []
    for series, python_versions in VERSIONS:
        found = [p for p in (find_python(v) for v in python_versions) if p]
        if not found:
            missing.append((series, "/".join(python_versions)))
        jobs += [Job(series, python, dist) for python in found]
    newest = max(jobs, key=lambda job: tuple(int(x) for x in job.python_version.split(".")), default=None)
    newest_python = newest.python if newest else sys.executable
    prerelease = newest_prerelease(newest_python)
    if prerelease and ".".join(prerelease.split(".")[:2]) in dict(VERSIONS):
        # Its series is in the matrix already, as a first-class one.
        prerelease = None
    if prerelease:
        jobs.append(Job(".".join(prerelease.split(".")[:2]), newest_python, dist,
                        requirement="ansible-core==%s" % prerelease, prerelease=True))
    if only:
        unknown = set(only) - set(job.name for job in jobs)
        if unknown:
            sys.exit("matrix: no cell %s here (cells: %s)" % (
                ", ".join(sorted(unknown)), ", ".join(job.name for job in jobs)))
        jobs = [job for job in jobs if job.name in only]
        missing = []
        prerelease = next((job.requirement.split("==")[1] for job in jobs if job.prerelease), None)
    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
        futures = dict((pool.submit(job.run), job) for job in jobs)
        for future in concurrent.futures.as_completed(futures):
            job = futures[future]
            try:
                future.result()
            except Exception as exc:  # pylint: disable=broad-except
                job.rows.append({"scenario": "install", "ok": False, "seconds": 0, "error": str(exc)})
    print("\nansible-core version matrix (%s), %.0f s" % (os.path.basename(dist), time.perf_counter() - started))
    print("%-14s %-7s " % ("core", "python") + " | ".join(NAMES))
    failures, prerelease_failures, results = [], [], []
    for job in sorted(jobs, key=lambda j: (j.prerelease, j.series, j.python_version)):
        by_name = dict((r["scenario"], r) for r in job.rows)
        cells = []
        for name in NAMES:
            row = by_name.get(name)
            cells.append(("ok %.0fs" % row["seconds"]) if row and row["ok"] else "FAILED")
        print("%-14s %-7s " % (job.version or job.requirement, job.python_version) + " | ".join(
            c.ljust(len(n)) for c, n in zip(cells, NAMES)) + ("   (pre-release)" if job.prerelease else ""))
        for row in job.rows:
            if not row["ok"]:
                line = "%s on Python %s, %s: %s" % (job.version or job.requirement, job.python_version,
                                                    row["scenario"], row["error"])
                (prerelease_failures if job.prerelease else failures).append(line)
        results.append({"ansible_core": job.version, "python": job.python, "prerelease": job.prerelease,
                        "rows": job.rows})
    for series, python_versions in missing:
        print("!!! ansible-core %s NOT TESTED: no Python %s on this machine (install one, e.g. with pyenv) !!!"
              % (series, python_versions))
    if prerelease:
        print("!!! pre-release ansible-core %s (newer than the matrix): %s !!!" % (
            prerelease, "%d problem(s), listed below; not a failure of this run" % len(prerelease_failures)
            if prerelease_failures else "every scenario passed"))
    summary = {"results": results, "not_tested": missing, "prerelease": prerelease}
    with open(os.path.join(WORK, "results.json"), "w", encoding="utf-8") as handle:
        json.dump(summary, handle, indent=1)
    if os.environ.get("HWCLOUD_COUNTS_DIR") and not only:
        with open(os.path.join(os.environ["HWCLOUD_COUNTS_DIR"], "matrix.json"), "w", encoding="utf-8") as handle:
            json.dump(summary, handle, indent=1)
    for failure in prerelease_failures:
        print("\nPRE-RELEASE PROBLEM (not failing the run) " + failure)
    for failure in failures:
        print("\nFAILED " + failure)
    if failures or (missing and os.environ.get("HWCLOUD_MATRIX_STRICT") == "1"):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
