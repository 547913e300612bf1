"""Connection failures told apart: refused, DNS, proxy, TLS, reset; each in one sentence naming the endpoint, the
cause and what to check (``error.hint``), the whole message kept; refused connections fail within seconds.

Nothing here leaves 127.0.0.1: the DNS failure comes from a patched resolver, the proxies are local ports."""

import socket
import socketserver
import threading

import pytest

from ansible_collections.hwcloud.infra.plugins.module_utils._client import FAST_FAILURE_BUDGET
from ansible_collections.hwcloud.infra.plugins.module_utils._errors import AmbiguousWriteError, HuaweiCloudError
from ansible_collections.hwcloud.infra.plugins.modules import modelarts_devserver_info

from hwsim.seedinfo import PROJECT_ID

SERVERS = "/v1/{project_id}/dev-servers"
SERVICES = ("iam", "modelarts", "clouddc", "vpc")


def closed_port():
    """A local port nothing listens on (bound, then let go)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Endpoints(object):
    """Stands in for a simulator with every service at ``url`` (make_client takes its endpoints)."""

    def __init__(self, url):
        self.url = url

    def endpoints(self):
        return dict((s, self.url) for s in SERVICES)


@pytest.fixture
def no_direct_lookups(monkeypatch):
    """A resolver that knows 127.0.0.1 only: any other name fails as an unknown host would, never looked up."""
    real = socket.getaddrinfo
    asked = []

    def resolve(host, *args, **kwargs):
        if host in ("127.0.0.1", "localhost"):
            return real("127.0.0.1", *args, **kwargs)
        asked.append(host)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    return asked


@pytest.fixture
def proxy_env(monkeypatch):
    """proxy_env(url): HTTP(S)_PROXY set to ``url``, NO_PROXY covering 127.0.0.1 only."""
    def apply(url):
        for name in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy", "ALL_PROXY", "all_proxy"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("HTTPS_PROXY", url)
        monkeypatch.setenv("HTTP_PROXY", url)
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        monkeypatch.delenv("no_proxy", raising=False)
    return apply


class RefusingProxy(socketserver.ThreadingTCPServer):
    """A local proxy that answers every request (a CONNECT too) with 403 and closes the connection."""
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        socketserver.ThreadingTCPServer.__init__(self, ("127.0.0.1", 0), RefusingProxy.Handler)
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.server_address[1]

    def close(self):
        self.shutdown()
        self.server_close()

    class Handler(socketserver.StreamRequestHandler):
        def handle(self):
            self.rfile.readline()
            self.wfile.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")


def failure(client, method="GET", path=SERVERS, **kwargs):
    with pytest.raises(HuaweiCloudError) as info:
        client.request(method, "modelarts", path, **kwargs)
    return info.value


def test_a_refused_connection_names_the_endpoint_and_fails_within_the_fast_budget(make_client):
    port = closed_port()
    client = make_client(Endpoints("http://127.0.0.1:%d" % port), project_id=PROJECT_ID, backoff_base=1.0)
    err = failure(client)
    text = str(err)
    assert "127.0.0.1:%d refused the connection (Connection refused)" % port in text, text
    assert "nothing accepts connections on that port" in text
    assert "endpoints option" in err.hint and "running" in err.hint
    assert err.to_dict()["hint"] == err.hint
    # Retried, but with at most FAST_FAILURE_BUDGET seconds of sleeping whatever api_retries (5) would allow.
    assert 1 <= len(client.sleep.calls) <= 5
    assert sum(client.sleep.calls) <= FAST_FAILURE_BUDGET
    assert "HTTPConnectionPool" not in text and "Max retries" not in text and not text.endswith("...")


def test_a_refused_write_is_known_not_sent_and_not_ambiguous(make_client):
    client = make_client(Endpoints("http://127.0.0.1:%d" % closed_port()), project_id=PROJECT_ID)
    err = failure(client, "POST", "/v1/{project_id}/dev-servers/{id}/publicips", path_params={"id": "x"},
                  body={"public_ip_id": "y"})
    assert not isinstance(err, AmbiguousWriteError)
    assert "refused the connection" in str(err)


def test_a_module_against_a_stopped_endpoint_fails_in_seconds_with_the_hint(sim, run_module):
    port = closed_port()
    out = run_module(modelarts_devserver_info.main, sim,
                     {"endpoints": Endpoints("http://127.0.0.1:%d" % port).endpoints(), "project_id": PROJECT_ID})
    assert out["failed"] and not out["changed"]
    assert "127.0.0.1:%d refused the connection" % port in out["msg"], out["msg"]
    assert "endpoints option" in out["error"]["hint"]
    # The module's default retries and backoff: the sleeping stays within the budget (the refusals are instant).
    assert sum(run_module.clock.calls) <= FAST_FAILURE_BUDGET


def test_an_unresolvable_host_is_a_dns_failure_not_a_refusal(make_client, no_direct_lookups):
    client = make_client(Endpoints("https://modelarts.ap-southeast-33.example.invalid"), project_id=PROJECT_ID,
                         backoff_base=1.0)
    err = failure(client)
    text = str(err)
    assert "the host name of modelarts.ap-southeast-33.example.invalid:443 does not resolve" in text, text
    assert "Name or service not known" in text
    assert "region" in err.hint and "DNS" in err.hint
    assert no_direct_lookups and set(no_direct_lookups) == {"modelarts.ap-southeast-33.example.invalid"}
    assert sum(client.sleep.calls) <= FAST_FAILURE_BUDGET


def test_a_proxy_that_is_not_there_is_named_as_the_proxy(make_client, proxy_env, no_direct_lookups):
    port = closed_port()
    proxy_env("http://user:proxy-secret@127.0.0.1:%d" % port)
    client = make_client(Endpoints("http://modelarts.example.invalid:8080"), project_id=PROJECT_ID,
                         backoff_base=1.0)
    err = failure(client)
    text = str(err) + repr(err.to_dict())
    assert "the proxy 127.0.0.1:%d could not take the request to modelarts.example.invalid:8080" % port in text, text
    assert "Connection refused" in text
    assert "HTTPS_PROXY" in err.hint and "NO_PROXY" in err.hint
    assert "proxy-secret" not in text
    assert not no_direct_lookups, "the endpoint's host is the proxy's to resolve"
    assert sum(client.sleep.calls) <= FAST_FAILURE_BUDGET


def test_a_proxy_that_refuses_the_tunnel_is_named_as_the_proxy(make_client, proxy_env, no_direct_lookups):
    proxy = RefusingProxy()
    try:
        proxy_env(proxy.url)
        client = make_client(Endpoints("https://modelarts.example.invalid"), project_id=PROJECT_ID)
        err = failure(client)
    finally:
        proxy.close()
    text = str(err)
    assert "the proxy 127.0.0.1:%d could not take the request to modelarts.example.invalid:443" \
        % proxy.server_address[1] in text, text
    assert "403" in text
    assert "HTTPS_PROXY" in err.hint
    assert not no_direct_lookups


def test_a_certificate_the_client_does_not_trust_is_a_tls_failure_with_the_ca_bundle_hint(tls_sim, make_client):
    client = make_client(tls_sim, project_id=PROJECT_ID)
    err = failure(client)
    text = str(err)
    host = tls_sim.endpoints()["modelarts"].split("://", 1)[1].rstrip("/")
    assert "the TLS handshake with %s failed" % host in text, text
    assert "CERTIFICATE_VERIFY_FAILED" in text and "_ssl.c" not in text
    assert "ca_bundle" in err.hint
    assert client.sleep.calls == [], "an untrusted certificate is not retried"


def test_a_reset_connection_keeps_its_retries(sim, make_client):
    # The simulator closes the connection without answering, five times; the sixth attempt is answered.
    sim.fault(method="GET", path=r"/dev-servers$", drop="before", count=5)
    client = make_client(sim, project_id=PROJECT_ID, api_retries=5)
    assert client.get("modelarts", SERVERS)["total"] == 25
    assert len(client.sleep.calls) == 5


def test_a_connection_reset_every_time_says_so(sim, make_client):
    sim.fault(method="GET", path=r"/dev-servers$", drop="before", count=None)
    client = make_client(sim, project_id=PROJECT_ID, api_retries=2)
    err = failure(client)
    assert "was closed before an answer" in str(err) and "gave up after 3 attempt(s)" in str(err), str(err)
    assert "proxy" in err.hint
