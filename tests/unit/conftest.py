"""Shared fixtures: the collection importable as ansible_collections.hwcloud.infra, and simulators on free ports."""

import functools
import json
import os
import re
import subprocess
import sys
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TESTS = os.path.join(ROOT, "tests")
COLLECTIONS = os.path.join(ROOT, ".tmp", "collections")

if not os.path.isdir(os.path.join(COLLECTIONS, "ansible_collections", "hwcloud", "infra")):
    subprocess.check_call(["bash", os.path.join(TESTS, "tools", "collection-tree.sh"), "link", COLLECTIONS],
                          stdout=subprocess.DEVNULL)
for path in (COLLECTIONS, TESTS, os.path.join(ROOT, "extensions", "simulator")):
    if path not in sys.path:
        sys.path.insert(0, path)

from hwsim.control import SimulatorProcess, VirtualClock  # noqa: E402
from hwsim.seedinfo import AK, REGION, SK  # noqa: E402


@pytest.fixture(autouse=True)
def every_call_has_its_iam_actions(request):
    """No call without a row: every call a client of this process prepares during a test is in the table of IAM
    actions (plugins/module_utils/_permissions.py). The simulator's own tests, which send it calls the collection
    never makes, are not held to it."""
    from ansible_collections.hwcloud.infra.plugins.module_utils._client import Client
    Client.unlisted.clear()
    yield
    if os.sep + "simulator" + os.sep in str(request.node.fspath):
        return
    unlisted = sorted(Client.unlisted)
    Client.unlisted.clear()
    assert not unlisted, "calls with no row in module_utils/_permissions.py: %s" % unlisted


@pytest.fixture(scope="session")
def simulator():
    with SimulatorProcess() as sim:
        yield sim


@pytest.fixture(scope="session")
def tls_simulator():
    with SimulatorProcess(tls=True) as sim:
        yield sim


@pytest.fixture
def sim(simulator):
    """The shared HTTP simulator, reset to its seed with an empty request log."""
    simulator.reset()
    return simulator


@pytest.fixture
def tls_sim(tls_simulator):
    tls_simulator.reset()
    return tls_simulator


def pytest_configure(config):
    config.addinivalue_line("markers", "real_clock: runs on the real clock (sleeps really sleep): the few "
                                       "end-to-end tests that keep the real-clock path proven")
    config.addinivalue_line("markers", "ansible_process: starts ansible, ansible-playbook, ansible-runner, molecule "
                                       "or another program of the toolchain (left out of `make check`)")


# The programs of the toolchain a test may start (`make check` runs none of them; a test that does is marked
# ansible_process), and the Python modules that are one when run with -m.
TOOLCHAIN = ("ansible", "ansible-playbook", "ansible-inventory", "ansible-doc", "ansible-galaxy", "ansible-runner",
             "ansible-navigator", "ansible-builder", "ansible-test", "ansible-lint", "molecule")
TOOLCHAIN_MODULES = ("ansible", "ansible_runner", "ansible_navigator", "ansible_builder", "ansiblelint", "molecule",
                     "galaxy_importer")
_TOOLCHAIN_WORD = re.compile(r"(?<![\w./-])(?:\S*/)?(%s)(?![\w.-])" % "|".join(re.escape(t) for t in TOOLCHAIN))


def toolchain_command(args):
    """The toolchain program ``args`` (a Popen argument list or command line) starts, or None."""
    argv = [str(a) for a in args] if isinstance(args, (list, tuple)) else [str(args)]
    name = os.path.basename(argv[0])
    if name in TOOLCHAIN:
        return name
    if name.startswith("python") and "-m" in argv[:-1]:
        module = argv[argv.index("-m") + 1]
        if module.split(".")[0] in TOOLCHAIN_MODULES:
            return "python -m " + module
    if name in ("bash", "sh") or len(argv) == 1:
        found = _TOOLCHAIN_WORD.search(" ".join(argv[1:] if name in ("bash", "sh") else argv))
        if found:
            return found.group(1)
    return None


@pytest.fixture(autouse=True)
def _fast_tier_starts_no_toolchain(request, monkeypatch):
    """In the fast tier (HWCLOUD_TEST_TIER=check, `make check`) a test that starts ansible or another toolchain
    program fails, naming it: such a test must be marked ansible_process (and runs in `make test`)."""
    if os.environ.get("HWCLOUD_TEST_TIER") != "check" or request.node.get_closest_marker("ansible_process"):
        return

    def refuse(argv):
        program = toolchain_command(argv)
        if program:
            pytest.fail("%s starts %s: mark it @pytest.mark.ansible_process" % (request.node.nodeid, program),
                        pytrace=False)

    popen = subprocess.Popen.__init__
    monkeypatch.setattr(subprocess.Popen, "__init__",
                        lambda self, args, *rest, **kw: refuse(args) or popen(self, args, *rest, **kw))
    try:
        import pexpect  # ansible-runner starts ansible-playbook through it
    except ImportError:
        return
    spawn = pexpect.spawn.__init__
    monkeypatch.setattr(pexpect.spawn, "__init__", lambda self, command, args=(), *rest, **kw: refuse(
        [command] + list(args or ())) or spawn(self, command, args, *rest, **kw))


def _virtual_clock(request, sim):
    """The test's clock: a VirtualClock moving ``sim``'s clock, or the real one for a test marked real_clock."""
    return VirtualClock(sim if isinstance(sim, SimulatorProcess) else None,
                        real=request.node.get_closest_marker("real_clock") is not None)


@pytest.fixture
def make_client(request):
    """make_client(sim, **options) -> Client authenticated with the permanent AK/SK unless told otherwise, on the
    test's clock (``client.sleep`` is its VirtualClock: ``client.sleep.calls`` lists the delays it slept)."""
    from ansible_collections.hwcloud.infra.plugins.module_utils._client import Client

    def factory(sim, sleep=None, backoff_base=0.01, **options):
        opts = {"region": REGION, "endpoints": sim.endpoints(), "api_retries": 5}
        if not any(k in options for k in ("access_key", "auth_token", "user_name")):
            opts.update(access_key=AK, secret_key=SK)
        opts.update(options)
        sleep = sleep or _virtual_clock(request, sim)
        clock = sleep.monotonic if isinstance(sleep, VirtualClock) else time.monotonic
        return Client(opts, sleep=sleep, clock=clock, backoff_base=backoff_base)

    return factory


@pytest.fixture
def run_module(capsys, request):
    """run_module(main, sim, args, check_mode=False, diff=False) -> the JSON result the module printed.

    The module's client runs on the test's clock (a VirtualClock moving the simulator's, unless the test is marked
    real_clock); ``run_module.clock`` is the clock of the last run."""
    from unittest import mock

    from ansible.module_utils.testing import patch_module_args

    from ansible_collections.hwcloud.infra.plugins.module_utils._client import Client
    from ansible_collections.hwcloud.infra.plugins.module_utils._module import HuaweiCloudModule

    def runner(main, sim, args, check_mode=False, diff=False, connection=True):
        full = {}
        if connection:
            full.update(sim.connection_options())
        full.update(args)
        full.update(_ansible_check_mode=check_mode, _ansible_diff=diff)
        # Each run reports its own warnings: ansible-core keeps them in globals of the process.
        from ansible.module_utils.common import warnings
        for name in ("_global_warnings", "_global_deprecations"):
            getattr(warnings, name, {}).clear()
        clock = runner.clock = _virtual_clock(request, sim)
        client_class = HuaweiCloudModule.client_class
        if client_class is Client or isinstance(client_class, functools.partial):
            kwargs = dict(getattr(client_class, "keywords", {}), sleep=clock, clock=clock.monotonic)
            client_class = functools.partial(getattr(client_class, "func", client_class), **kwargs)
        with patch_module_args(full), \
                mock.patch.object(HuaweiCloudModule, "client_class", staticmethod(client_class)):
            with pytest.raises(SystemExit):
                main()
        return json.loads(capsys.readouterr().out)

    runner.clock = None
    return runner


# What the reliability tests counted, gathered from every worker's reports (pytest-xdist runs tests in other
# processes; a test's user_properties come back with its report): kind -> {key: value}.
TALLIES = {}


@pytest.fixture
def tally(request):
    """tally(kind, key, value): count something for the summary at the end of the run (the fault matrix's cells, the
    hostile values, the secret scan's runs), from any worker."""
    def record(kind, key, value):
        request.node.user_properties.append(("tally", [kind, key, value]))
    return record


def pytest_runtest_logreport(report):
    for name, value in report.user_properties:
        if name == "tally":
            kind, key, count = value
            TALLIES.setdefault(kind, {})[json.dumps(key)] = count


def _summaries():
    lines = []
    cells = TALLIES.get("fault_matrix")
    if cells:
        keys = [json.loads(k) for k in cells]
        perfect = sum(1 for ok in cells.values() if ok)
        lines.append("fault matrix: %d cells (%d faults x %d operations x once/always), %d perfect" % (
            len(cells), len(set(k[1] for k in keys)), len(set(k[0] for k in keys)), perfect))
    hostile = TALLIES.get("hostile")
    if hostile:
        values, names = sum(v[0] for v in hostile.values()), sum(v[1] for v in hostile.values())
        nulls = TALLIES.get("hostile_null", {})
        line = ("hostile inputs: %d values over %d options (at least %d each) rejected before any request, but for %d "
                "names the SDK's rules allow, looked up in listings only" % (
                    values - names, len(hostile), min(v[0] for v in hostile.values()), names))
        if nulls:
            line += "; null and empty values of %d options refused or taken as unset" % len(nulls)
        lines.append(line)
    privilege = TALLIES.get("least_privilege")
    if privilege:
        lines.append("least privilege: %d uses, %d runs under their documented policies, each action taken away" % (
            len(privilege), sum(privilege.values())))
    scans = TALLIES.get("secret_scan")
    if scans:
        lines.append("secret scan at -vvvv: %d runs over %d cases, %d secret occurrences" % (
            sum(r for r, _n in scans.values()), len(scans), sum(n for _r, n in scans.values())))
    return lines


def pytest_terminal_summary(terminalreporter):
    """The totals of the fault matrix, the hostile-input test and the secret scan (tests/unit/reliability); with
    HWCLOUD_COUNTS_FILE set, those and the number of passing tests are written there as JSON (make test's final
    table checks them)."""
    for line in _summaries():
        terminalreporter.write_line(line)
    path = os.environ.get("HWCLOUD_COUNTS_FILE")
    if path:
        counts = {"passed": len(terminalreporter.stats.get("passed", [])),
                  "failed": len(terminalreporter.stats.get("failed", [])),
                  "skipped": len(terminalreporter.stats.get("skipped", []))}
        cells = TALLIES.get("fault_matrix", {})
        counts["fault_matrix_cells"] = len(cells)
        counts["fault_matrix_perfect"] = sum(1 for ok in cells.values() if ok)
        hostile = TALLIES.get("hostile", {})
        counts["hostile_values"] = sum(v[0] - v[1] for v in hostile.values())
        counts["least_privilege_uses"] = len(TALLIES.get("least_privilege", {}))
        counts["secret_scan_runs"] = sum(r for r, _n in TALLIES.get("secret_scan", {}).values())
        counts["secret_occurrences"] = sum(n for _r, n in TALLIES.get("secret_scan", {}).values())
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(counts, handle, indent=1)


def _closed_port():
    import socket
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


# A local address where nothing listens: what a machine without an instance metadata service answers.
CLOSED_URL = "http://127.0.0.1:%d" % _closed_port()


@pytest.fixture(autouse=True)
def no_user_credential_files(monkeypatch, tmp_path_factory):
    """The user's own ~/.hcloud/config.json and ~/.huaweicloud/credentials are never read by a test: the chain's
    default paths point into an empty folder (a test that wants a file names it, or points these at it)."""
    from ansible_collections.hwcloud.infra.plugins.module_utils import _sources as _auth
    empty = tmp_path_factory.mktemp("no-credential-files")
    monkeypatch.setattr(_auth, "SHARED_CONFIG_FILE", str(empty / "config.json"))
    monkeypatch.setattr(_auth, "CREDENTIALS_FILE", str(empty / "credentials"))
    for name in ("HW_PROFILE", "HW_SHARED_CONFIG_FILE", "HUAWEICLOUD_SDK_CREDENTIALS_FILE", "HW_AUTH_SOURCE"):
        monkeypatch.delenv(name, raising=False)
    # Nor a credential service: the instance metadata address is a closed port of 127.0.0.1, and the variables of
    # OIDC, federated id tokens, pod identity and assumed agencies are unset unless a test sets them.
    for name in [n for n in os.environ if n.startswith(("HUAWEICLOUD_OIDC_", "HC_CONTAINER_", "HW_ASSUME_ROLE_"))]:
        monkeypatch.delenv(name, raising=False)
    for name in ("HUAWEICLOUD_SDK_IDP_ID", "HUAWEICLOUD_SDK_ID_TOKEN_FILE", "HUAWEICLOUD_SDK_STS_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HW_METADATA_URL", CLOSED_URL)
