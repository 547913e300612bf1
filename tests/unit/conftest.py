"""Shared fixtures: the collection importable as ansible_collections.hwcloud.infra, and simulators on free ports."""

import os
import subprocess
import sys

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

from hwsim.control import SimulatorProcess  # noqa: E402

from hwsim.control import SleepRecorder  # noqa: E402
from hwsim.seedinfo import AK, REGION, SK  # noqa: E402


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


@pytest.fixture
def make_client():
    """make_client(sim, **options) -> Client authenticated with the permanent AK/SK unless told otherwise."""
    from ansible_collections.hwcloud.infra.plugins.module_utils._client import Client

    def factory(sim, sleep=None, backoff_base=0.01, **options):
        opts = {"region": REGION, "endpoints": sim.endpoints(), "api_retries": 5}
        if not any(k in options for k in ("access_key", "auth_token", "user_name")):
            opts.update(access_key=AK, secret_key=SK)
        opts.update(options)
        client = Client(opts, sleep=sleep or SleepRecorder(), backoff_base=backoff_base)
        return client

    return factory


@pytest.fixture
def run_module(capsys):
    """run_module(main, sim, args, check_mode=False, diff=False) -> the JSON result the module printed."""
    import json

    from ansible.module_utils.testing import patch_module_args

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
        with patch_module_args(full):
            with pytest.raises(SystemExit):
                main()
        return json.loads(capsys.readouterr().out)

    return runner


def pytest_terminal_summary(terminalreporter):
    """The totals of the fault matrix, the hostile-input test and the secret scan (tests/unit/reliability)."""
    for name, summary in (("test_fault_matrix", "matrix_summary"), ("test_hostile_inputs", "hostile_summary"),
                          ("test_secret_scan", "scan_summary")):
        module = sys.modules.get(name)
        line = getattr(module, summary)() if module is not None else None
        if line:
            terminalreporter.write_line(line)


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
