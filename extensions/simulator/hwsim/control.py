"""Start, drive and stop a simulator process from tests and scripts (stdlib only)."""

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

# The folder that holds the hwsim package (what PYTHONPATH needs to run it).
PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seed.yml")


# The environment variables of the collection's connection options, as users (and AWX) set them.
VARIABLES = {"region": "HW_REGION_NAME", "access_key": "HW_ACCESS_KEY", "secret_key": "HW_SECRET_KEY",
             "endpoints": "HW_ENDPOINTS", "ca_bundle": "HW_CA_BUNDLE"}


def connection_env(options, url):
    """HW_* variables (and HWSIM_URL) for a simulator's connection options."""
    env = dict((VARIABLES[option], json.dumps(value, sort_keys=True) if isinstance(value, dict) else value)
               for option, value in options.items() if value is not None)
    env["HWSIM_URL"] = url
    return env


class SimulatorProcess:
    """A simulator on 127.0.0.1 and a free port; use as a context manager or call start()/stop()."""

    def __init__(self, tls=False, seed=SEED, python=sys.executable):
        self.tls = tls
        self.seed = seed
        self.python = python
        self.proc = None
        self.url = None
        self.ca_file = None
        # The region of the seed it started with (its first project's name): what the connection options name.
        self.region = None
        self._workdir = None

    def start(self, timeout=30):
        self._workdir = tempfile.mkdtemp(prefix="hwsim-")
        ready = os.path.join(self._workdir, "ready.json")
        cmd = [self.python, "-m", "hwsim", "--port", "0", "--seed", self.seed, "--ready-file", ready]
        if self.tls:
            cmd += ["--tls", "--cert-dir", self._workdir]
        env = dict(os.environ, PYTHONPATH=PACKAGE_PARENT + os.pathsep + os.environ.get("PYTHONPATH", ""))
        self.proc = subprocess.Popen(cmd, cwd=PACKAGE_PARENT, env=env, stdout=subprocess.DEVNULL, start_new_session=True,
                                     stderr=open(os.path.join(self._workdir, "stderr.log"), "wb"))
        deadline = time.monotonic() + timeout
        while not os.path.exists(ready):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("simulator did not start: %s" % self.stderr())
            time.sleep(0.05)
        with open(ready, encoding="utf-8") as handle:
            info = json.load(handle)
        self.url = info["url"]
        self.ca_file = info["ca_file"]
        self.region = info["region"]
        return self

    def stderr(self):
        path = os.path.join(self._workdir or "", "stderr.log")
        if os.path.exists(path):
            with open(path, encoding="utf-8", errors="replace") as handle:
                return handle.read()[-4000:]
        return ""

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- admin API ----------------------------------------------------------------------------------------------

    def admin(self, method, name, body=None):
        import ssl
        data = None if body is None else json.dumps(body).encode("utf-8")
        req = urllib.request.Request("%s/__sim__/%s" % (self.url, name), data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        context = ssl.create_default_context(cafile=self.ca_file) if self.ca_file else None
        with urllib.request.urlopen(req, timeout=10, context=context) as resp:
            payload = resp.read()
        return json.loads(payload) if payload else None

    def reset(self, seed=None):
        return self.admin("POST", "reset", seed)

    def configure(self, **config):
        return self.admin("PATCH", "config", config)

    def fault(self, **spec):
        return self.admin("POST", "faults", spec)

    def policies(self, policies, user=None, agency=None):
        """Attach IAM ``policies`` (policy documents; None: full access again) to a simulated user (by name or id;
        the permanent keys' user when neither is named) or agency."""
        if user is None and agency is None:
            from .seedinfo import USER
            user = USER
        target = {"agency": agency} if agency is not None else {"user": user}
        return self.admin("POST", "policies", dict(target, policies=policies))

    def requests(self):
        return self.admin("GET", "requests")["requests"]

    def clear_requests(self):
        return self.admin("DELETE", "requests")

    def state(self):
        return self.admin("GET", "state")

    def find(self, kind, value, key="name"):
        """The record of the state's list ``kind`` (dev_servers, publicips, instances ...) whose ``key`` is
        ``value``."""
        return next(record for record in self.state()[kind] if record.get(key) == value)

    def advance(self, seconds):
        """Move the simulated cloud's clock forward (see VirtualClock); returns {"offset", "now"}."""
        return self.admin("POST", "clock", {"advance": seconds})

    def token(self, project_id, ttl=None):
        body = {"project_id": project_id}
        if ttl is not None:
            body["ttl"] = ttl
        return self.admin("POST", "tokens", body)["token"]

    def endpoints(self):
        return {service: self.url for service in ("iam", "modelarts", "clouddc", "vpc", "sts")}

    def connection_options(self):
        """The collection's connection options (module option names) that point a module at this simulator with
        the simulated account's permanent AK/SK and its seed's region, trusting its certificate when it serves
        HTTPS."""
        from .seedinfo import AK, SK
        options = {"region": self.region, "access_key": AK, "secret_key": SK,
                   "endpoints": self.endpoints()}
        if self.ca_file:
            options["ca_bundle"] = self.ca_file
        return options

    def ansible_env(self, base=None):
        """An environment for ansible commands that points every module at this simulator through HW_* variables,
        as users (and AWX) configure the collection; other HW_*/HUAWEICLOUD_SDK_* variables are dropped."""
        env = dict(os.environ if base is None else base)
        for name in [n for n in env if n.startswith(("HW_", "HUAWEICLOUD_SDK_", "HUAWEICLOUD_OIDC_", "HC_CONTAINER_"))]:
            del env[name]
        env.update(connection_env(self.connection_options(), self.url))
        # The instance metadata service of the chain is the simulator's (never 169.254.169.254).
        env["HW_METADATA_URL"] = self.url
        env.update({
            "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
            "ANSIBLE_RETRY_FILES_ENABLED": "0",
        })
        return env


class VirtualClock:
    """Time a test controls, for a client's ``clock`` and ``sleep``: ``Client(..., clock=vc.monotonic, sleep=vc)``.

    Sleeping (calling it with seconds) returns at once, records the delay in ``calls`` and moves the clock on by as
    much, and the clock of ``sim`` (a SimulatorProcess) too, so the simulated cloud sees the time pass: a throttling
    window closes, an iMetal change of ``imetal_ip_change_seconds`` finishes, a token expires. A 120-second retry
    budget is checked in milliseconds. ``now`` is the clock's time (a test may move it on without sleeping).
    ``real=True`` sleeps for real on the real clock (and still records): the end-to-end tests of the real-clock
    path."""

    def __init__(self, sim=None, real=False, start=1000.0):
        self.sim = sim
        self.real = real
        self.calls = []
        self.now = start
        self._lock = threading.Lock()

    def monotonic(self):
        if self.real:
            return time.monotonic()
        with self._lock:
            return self.now

    def __call__(self, seconds):
        self.calls.append(seconds)
        if self.real:
            time.sleep(seconds)
            return
        seconds = max(0.0, float(seconds))
        with self._lock:
            self.now += seconds
        if self.sim is not None and seconds:
            self.sim.advance(seconds)
