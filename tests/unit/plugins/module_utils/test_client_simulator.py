"""The client against the simulator: every auth method, TLS, retries, ambiguous writes, errors, paging, waiting."""

import json
import socket
import time

import pytest

from ansible_collections.hwcloud.infra.plugins.module_utils._client import Client, USER_AGENT
from ansible_collections.hwcloud.infra.plugins.module_utils._errors import (AmbiguousWriteError, HuaweiCloudError,
                                                                            WaitTimeoutError)

from hwsim.seedinfo import (AK, DOMAIN, OTHER_AK, OTHER_SK, PASSWORD, PROJECT_ID, REGION, SECRETS, SK, TEMP_AK,
                            TEMP_SK, TEMP_TOKEN, USER)

SERVERS = "/v1/{project_id}/dev-servers"
SERVER = "/v1/{project_id}/dev-servers/{id}"
EIPS_OF = "/v1/{project_id}/dev-servers/{id}/publicips"
INSTANCES = "/v1/{project_id}/instances"


def api_calls(sim, method=None, contains=""):
    return [r for r in sim.requests() if r.get("service") not in (None, "admin") or r.get("fault")
            if (method is None or r["method"] == method) and contains in r["path"]]


def assert_no_secret(err):
    text = str(err) + repr(err.to_dict())
    for secret in SECRETS:
        assert secret not in text


def server_id(sim, name):
    return next(s["id"] for s in sim.state()["dev_servers"] if s["name"] == name)


def eip_id(sim, alias):
    return next(e["id"] for e in sim.state()["publicips"] if e["alias"] == alias)


# ---- authentication ------------------------------------------------------------------------------------------------

def test_aksk_signed_requests_are_accepted(sim, make_client):
    client = make_client(sim, project_id=PROJECT_ID)
    servers = list(client.paginate_offset("modelarts", SERVERS, "data"))
    assert len(servers) == 25
    log = api_calls(sim)
    assert log and all(r["auth"] == "aksk" and r["principal"] == AK and r["status"] == 200 for r in log)
    assert all(r["user_agent"] == USER_AGENT for r in log)


def test_wrong_secret_key_is_rejected_with_gateway_code(sim, make_client):
    client = make_client(sim, project_id=PROJECT_ID, access_key=AK, secret_key="not-the-secret")
    with pytest.raises(HuaweiCloudError) as info:
        client.get("modelarts", SERVERS)
    err = info.value
    assert (err.status, err.code) == (401, "APIG.0301")
    assert "verify aksk signature fail" in err.error_message
    assert err.request_id and err.request_id in str(err)
    assert "not-the-secret" not in str(err) and "Signature=" not in str(err)
    assert len(api_calls(sim)) == 1, "a 401 is not retried"


def test_temporary_credentials_need_their_security_token(sim, make_client):
    client = make_client(sim, project_id=PROJECT_ID, access_key=TEMP_AK, secret_key=TEMP_SK,
                         security_token=TEMP_TOKEN)
    assert client.get("modelarts", SERVER, {"id": server_id(sim, "train-a3-01")})["name"] == "train-a3-01"
    without = make_client(sim, project_id=PROJECT_ID, access_key=TEMP_AK, secret_key=TEMP_SK)
    with pytest.raises(HuaweiCloudError) as info:
        without.get("modelarts", SERVERS)
    assert info.value.status == 401
    assert_no_secret(info.value)


def test_ready_token_and_expired_token(sim, make_client):
    token = sim.token(PROJECT_ID)
    client = make_client(sim, project_id=PROJECT_ID, auth_token=token)
    assert len(list(client.paginate_marker("clouddc", INSTANCES, "instances"))) == 16
    assert {r["auth"] for r in api_calls(sim)} == {"token"}
    sim.admin("POST", "tokens/expire")
    with pytest.raises(HuaweiCloudError) as info:
        client.get("clouddc", INSTANCES)
    assert (info.value.status, info.value.code) == (401, "APIG.0307")
    assert token not in str(info.value)


def test_password_login_happens_once_per_client_and_scopes_the_project(sim, make_client):
    client = make_client(sim, user_name=USER, password=PASSWORD, domain_name=DOMAIN)
    assert client.project_id == PROJECT_ID
    client.get("modelarts", SERVERS)
    client.get("clouddc", INSTANCES)
    logins = api_calls(sim, "POST", "/v3/auth/tokens")
    assert len(logins) == 1
    assert logins[0]["body"]["auth"]["identity"]["methods"] == ["password"]
    assert PASSWORD not in json.dumps(sim.requests()), "the simulator's log keeps no password"
    assert not api_calls(sim, "GET", "/v3/projects"), "the token already names the project"


def test_wrong_password_error_parsed_from_nested_iam_body(sim, make_client):
    client = make_client(sim, user_name=USER, password="wrong-pass", domain_name=DOMAIN)
    with pytest.raises(HuaweiCloudError) as info:
        client.get("modelarts", SERVERS)
    err = info.value
    assert (err.status, err.code, err.error_message) == (401, "401", "The username or password is wrong.")
    assert "wrong-pass" not in str(err) and "wrong-pass" not in repr(err.to_dict())
    assert "log in to IAM as ops-admin" in str(err)


def test_project_id_discovered_by_region_name_with_aksk(sim, make_client):
    client = make_client(sim)
    assert client.project_id == PROJECT_ID
    client.get("modelarts", SERVERS)
    discovery = api_calls(sim, "GET", "/v3/projects")
    assert len(discovery) == 1 and discovery[0]["query"] == "name=ap-southeast-3"
    other = make_client(sim, access_key=OTHER_AK, secret_key=OTHER_SK)
    assert other.project_id == "2c3d4e5f60718293a4b5c6d7e8f90a1b"


def test_project_discovery_fails_clearly_without_a_matching_project(sim, make_client):
    client = make_client(sim, region="eu-west-0")
    with pytest.raises(HuaweiCloudError) as info:
        client.get("modelarts", SERVERS)
    assert "the account has no IAM project in region eu-west-0" in str(info.value)


def test_foreign_project_is_forbidden(sim, make_client):
    client = make_client(sim, project_id=PROJECT_ID, access_key=OTHER_AK, secret_key=OTHER_SK)
    with pytest.raises(HuaweiCloudError) as info:
        client.get("modelarts", SERVERS)
    assert info.value.status == 403


# ---- TLS -------------------------------------------------------------------------------------------------------------

def test_tls_with_ca_bundle(tls_sim, make_client):
    client = make_client(tls_sim, project_id=PROJECT_ID, ca_bundle=tls_sim.ca_file)
    assert client.get("modelarts", SERVERS)["total"] == 25


def test_tls_verification_is_on_by_default(tls_sim, make_client):
    client = make_client(tls_sim, project_id=PROJECT_ID)
    with pytest.raises(HuaweiCloudError) as info:
        client.get("modelarts", SERVERS)
    assert "TLS error" in str(info.value) and "ca_bundle" in info.value.hint
    assert "CERTIFICATE_VERIFY_FAILED" in str(info.value)
    assert client.sleep.calls == [], "certificate failures are not retried"


def test_tls_validation_can_be_switched_off(tls_sim, make_client):
    client = make_client(tls_sim, project_id=PROJECT_ID, validate_certs=False)
    assert client.get("modelarts", SERVERS)["total"] == 25


# ---- retries ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_reads_are_retried_on_throttling_and_server_errors(sim, make_client, status):
    sim.fault(method="GET", path="/dev-servers$", status=status, count=2)
    client = make_client(sim, project_id=PROJECT_ID)
    assert client.get("modelarts", SERVERS)["total"] == 25
    assert [r["status"] for r in api_calls(sim, "GET", "/dev-servers")] == [status, status, 200]
    assert len(client.sleep.calls) == 2


def test_retry_after_seconds_is_honoured(sim, make_client):
    sim.fault(method="GET", path="/dev-servers$", status=429, count=1, retry_after=3)
    client = make_client(sim, project_id=PROJECT_ID)
    client.get("modelarts", SERVERS)
    assert client.sleep.calls == [3.0]


def test_retry_after_http_date_is_honoured(sim, make_client):
    from email.utils import formatdate
    sim.fault(method="GET", path="/dev-servers$", status=503, count=1, retry_after=formatdate(time.time() + 30,
                                                                                              usegmt=True))
    client = make_client(sim, project_id=PROJECT_ID)
    client.get("modelarts", SERVERS)
    assert len(client.sleep.calls) == 1 and 25 <= client.sleep.calls[0] <= 31


def test_retries_are_bounded_by_api_retries(sim, make_client):
    sim.fault(method="GET", path="/dev-servers$", status=503, count=None, error_code="APIG.0503",
              error_msg="Service unavailable")
    client = make_client(sim, project_id=PROJECT_ID, api_retries=2)
    with pytest.raises(HuaweiCloudError) as info:
        client.get("modelarts", SERVERS)
    assert (info.value.status, info.value.code, info.value.error_message) == (503, "APIG.0503", "Service unavailable")
    assert len(api_calls(sim, "GET", "/dev-servers")) == 3
    assert len(client.sleep.calls) == 2


def test_throttling_is_retried_for_a_time_budget_not_a_count(sim, make_client):
    from ansible_collections.hwcloud.infra.plugins.module_utils._client import THROTTLE_BUDGET
    sim.fault(method="GET", path="/dev-servers$", status=429, count=None, retry_after=2)
    client = make_client(sim, project_id=PROJECT_ID, api_retries=2)
    with pytest.raises(HuaweiCloudError) as info:
        client.get("modelarts", SERVERS)
    assert info.value.code == "APIG.0308"
    assert client.sleep.calls == [2.0] * int(THROTTLE_BUDGET / 2)
    assert len(api_calls(sim, "GET", "/dev-servers")) == int(THROTTLE_BUDGET / 2) + 1


def test_zero_retries_fails_at_once(sim, make_client):
    sim.fault(method="GET", path="/dev-servers$", status=429, count=1)
    client = make_client(sim, project_id=PROJECT_ID, api_retries=0)
    with pytest.raises(HuaweiCloudError) as info:
        client.get("modelarts", SERVERS)
    assert info.value.code == "APIG.0308"
    assert client.sleep.calls == []


def test_backoff_grows_exponentially_within_the_jitter_bound(sim):
    sim.fault(method="GET", path="/dev-servers$", status=500, count=4)
    bounds = []
    client = Client({"region": REGION, "project_id": PROJECT_ID, "access_key": AK, "secret_key": SK,
                     "endpoints": sim.endpoints()}, sleep=lambda s: None, backoff_base=0.5,
                    rand=lambda lo, hi: bounds.append((lo, hi)) or hi)
    client.get("modelarts", SERVERS)
    assert bounds == [(0, 1.0), (0, 2.0), (0, 4.0), (0, 8.0)]


def test_dropped_connection_on_a_read_is_retried(sim, make_client):
    sim.fault(method="GET", path="/dev-servers$", drop="before", count=1)
    client = make_client(sim, project_id=PROJECT_ID)
    assert client.get("modelarts", SERVERS)["total"] == 25
    assert len(client.sleep.calls) == 1


def test_read_timeout_on_a_read_is_retried(sim, make_client):
    sim.fault(method="GET", path="/dev-servers$", latency=2.5, count=1)
    client = make_client(sim, project_id=PROJECT_ID, api_timeout=1)
    assert client.get("modelarts", SERVERS)["total"] == 25
    assert len(client.sleep.calls) == 1
    sim.advance(2.5)  # the first read, held on the cloud's clock, lands: the next test finds nothing in flight
    assert len([r for r in sim.requests() if r["method"] == "GET"]) == 2


@pytest.mark.real_clock
def test_rate_limit_is_survived_with_backoff(sim, make_client):
    sim.configure(rate_limit_per_second=4)
    client = make_client(sim, project_id=PROJECT_ID, backoff_base=0.5, api_retries=8)
    for _attempt in range(10):
        client.get("modelarts", SERVERS)
    statuses = [r["status"] for r in api_calls(sim, "GET", "/dev-servers")]
    assert 429 in statuses and statuses.count(200) == 10


# ---- writes: re-sent only when certainly not applied; otherwise an ambiguous error ---------------------------------

def bind(client, sim, server="train-a3-01", eip="free-01"):
    return client.request("POST", "modelarts", EIPS_OF, {"id": server_id(sim, server)},
                          body={"public_ip_id": eip_id(sim, eip)}, operation="bind EIP")


@pytest.mark.parametrize("status", [429, 503])
def test_write_refused_by_throttling_or_503_is_sent_again(sim, make_client, status):
    sim.fault(method="POST", path="/publicips$", status=status, count=1)
    client = make_client(sim, project_id=PROJECT_ID)
    resp = bind(client, sim)
    assert resp.body["public_ips"] == [{"id": eip_id(sim, "free-01"), "address": "203.0.113.11"}]
    assert [r["status"] for r in api_calls(sim, "POST")] == [status, 200]


@pytest.mark.parametrize("status", [500, 502, 504])
def test_write_answered_by_500_502_504_is_ambiguous_and_not_resent(sim, make_client, status):
    sim.fault(method="POST", path="/publicips$", status=status, count=1, error_code="SIM.%d" % status)
    client = make_client(sim, project_id=PROJECT_ID)
    with pytest.raises(AmbiguousWriteError) as info:
        bind(client, sim)
    assert (info.value.status, info.value.code) == (status, "SIM.%d" % status)
    assert len(api_calls(sim, "POST")) == 1
    assert client.sleep.calls == []


def test_connection_dropped_after_applying_a_write_is_ambiguous_and_applied_once(sim, make_client):
    sim.fault(method="POST", path="/publicips$", drop="after", count=1)
    client = make_client(sim, project_id=PROJECT_ID)
    with pytest.raises(AmbiguousWriteError) as info:
        bind(client, sim)
    assert "outcome is unknown" in str(info.value)
    assert len(api_calls(sim, "POST")) == 1
    bound = client.get("modelarts", EIPS_OF, {"id": server_id(sim, "train-a3-01")})["public_ips"]
    assert [b["address"] for b in bound] == ["203.0.113.11"], "the write was applied exactly once"


def test_connection_dropped_before_applying_a_write_is_ambiguous_and_not_applied(sim, make_client):
    sim.fault(method="POST", path="/publicips$", drop="before", count=1)
    client = make_client(sim, project_id=PROJECT_ID)
    with pytest.raises(AmbiguousWriteError):
        bind(client, sim)
    assert len(api_calls(sim, "POST")) == 1
    assert not [e for e in sim.state()["publicips"] if e["sim_bound_server"] == server_id(sim, "train-a3-01")]


def test_read_timeout_on_a_write_is_ambiguous(sim, make_client):
    sim.fault(method="PUT", path="/ip$", latency=2.5, count=1)
    client = make_client(sim, project_id=PROJECT_ID, api_timeout=1)
    inst = next(i for i in sim.state()["instances"] if i["name"] == "gpu-node-02")
    with pytest.raises(AmbiguousWriteError) as info:
        client.request("PUT", "clouddc", "/v1/{project_id}/instances/{id}/ip", {"id": inst["id"]},
                       body={"nics": [{"subnet_id": inst["network_interfaces"][0]["subnet_id"]}]})
    assert "timed out" in str(info.value)
    sim.advance(2.5)  # the write, held on the cloud's clock, lands late: once, never re-sent
    assert len([r for r in sim.requests() if r["method"] == "PUT"]) == 1


def test_write_that_never_reached_a_server_is_retried_then_fails_plainly(make_client):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    class Dead:
        url = "http://127.0.0.1:%d" % port

        def endpoints(self):
            return {s: self.url for s in ("iam", "modelarts", "clouddc", "vpc")}

    client = make_client(Dead(), project_id=PROJECT_ID, api_retries=2)
    with pytest.raises(HuaweiCloudError) as info:
        client.request("POST", "modelarts", EIPS_OF, {"id": "x"}, body={"public_ip_id": "y"})
    assert not isinstance(info.value, AmbiguousWriteError)
    assert "refused the connection" in str(info.value) and "gave up after 3 attempt(s)" in str(info.value)
    assert len(client.sleep.calls) == 2


# ---- errors ----------------------------------------------------------------------------------------------------------

def test_error_carries_status_code_message_request_id_method_url(sim, make_client):
    client = make_client(sim, project_id=PROJECT_ID)
    with pytest.raises(HuaweiCloudError) as info:
        client.get("modelarts", SERVER, {"id": "no-such-server"}, operation="read Lite Server no-such-server")
    d = info.value.to_dict()
    assert d["status"] == 400 and d["code"] == "ModelArts.6404"
    assert d["message"] == "LiteServer instance 'no-such-server' not found."
    assert d["method"] == "GET" and d["url"].endswith("/dev-servers/no-such-server")
    logged = api_calls(sim, "GET", "no-such-server")
    assert d["request_id"] == logged[0]["request_id"]
    assert str(info.value).startswith("read Lite Server no-such-server failed: HTTP 400 ModelArts.6404")


def test_code_message_body_and_lower_case_request_id_header(sim, make_client):
    client = make_client(sim, project_id=PROJECT_ID)
    with pytest.raises(HuaweiCloudError) as info:
        client.get("vpc", "/v1/{project_id}/publicips/{id}", {"id": "missing"})
    assert (info.value.code, info.value.error_message) == ("VPC.0504", "Could not find floatingip missing")
    with pytest.raises(HuaweiCloudError) as info:
        client.get("clouddc", "/v1/{project_id}/physicalservers/{id}", {"id": "missing"})
    assert info.value.request_id, "CloudDC answers with an X-request-id header"


def test_non_json_gateway_error_page(sim, make_client):
    sim.fault(method="GET", path="/dev-servers$", status=502, count=None,
              body="<html><head><title>502</title></head><body><h1>Bad Gateway</h1></body></html>")
    client = make_client(sim, project_id=PROJECT_ID, api_retries=0)
    with pytest.raises(HuaweiCloudError) as info:
        client.get("modelarts", SERVERS)
    assert info.value.code is None and info.value.error_message == "502 Bad Gateway"


@pytest.mark.parametrize("bad_id", ["../../v3/projects", "a b~c\u00e9%41", "x\n", "%2e%2e", "a\uff0fb", "x" * 65])
def test_ids_are_validated_before_any_request(sim, make_client, bad_id):
    client = make_client(sim, project_id=PROJECT_ID)
    with pytest.raises(HuaweiCloudError) as info:
        client.get("modelarts", SERVER, {"id": bad_id})
    assert "not a valid id" in str(info.value) or "at most 64" in str(info.value)
    assert api_calls(sim) == []


def test_a_valid_id_is_sent_signed_and_verified(sim, make_client):
    client = make_client(sim, project_id=PROJECT_ID)
    with pytest.raises(HuaweiCloudError) as info:
        client.get("modelarts", SERVER, {"id": "no_such-server"})
    assert info.value.code == "ModelArts.6404", "the path was signed and verified, then not found"
    assert api_calls(sim)[-1]["path"].endswith("/dev-servers/no_such-server")


# ---- paging and waiting ---------------------------------------------------------------------------------------------

def test_offset_paging_reads_every_page(sim, make_client):
    client = make_client(sim, project_id=PROJECT_ID)
    servers = list(client.paginate_offset("modelarts", SERVERS, "data", limit=7))
    assert len(servers) == 25 and len({s["id"] for s in servers}) == 25
    assert [r["query"] for r in api_calls(sim)] == ["limit=7&offset=%d" % o for o in (0, 7, 14, 21)]


def test_marker_paging_with_page_info(sim, make_client):
    client = make_client(sim, project_id=PROJECT_ID)
    instances = list(client.paginate_marker("clouddc", INSTANCES, "instances", limit=10))
    assert len(instances) == 16 and len({i["id"] for i in instances}) == 16
    assert len(api_calls(sim)) == 2


def test_marker_paging_by_last_id(sim, make_client):
    client = make_client(sim, project_id=PROJECT_ID)
    eips = list(client.paginate_marker("vpc", "/v1/{project_id}/publicips", "publicips", limit=5))
    assert len(eips) == 12 and len({e["id"] for e in eips}) == 12
    assert len(api_calls(sim)) == 3


def test_wait_for_an_asynchronous_ip_change(sim, make_client):
    sim.configure(imetal_ip_change_polls=3)
    client = make_client(sim, project_id=PROJECT_ID)
    lines = []
    client.on_wait = lines.append
    inst = next(i for i in sim.state()["instances"] if i["name"] == "gpu-node-02")
    subnet = inst["network_interfaces"][0]["subnet_id"]
    resp = client.request("PUT", "clouddc", "/v1/{project_id}/instances/{id}/ip", {"id": inst["id"]},
                          body={"nics": [{"subnet_id": subnet, "ip_address": "10.0.1.77"}]})
    assert resp.status == 202 and resp.request_id
    status_path = "/v1/{project_id}/instances/{id}/status"
    final = client.wait_for(lambda: client.get("clouddc", status_path, {"id": inst["id"]}),
                            lambda s: s["operation_state"] != "modify-ip-processing", timeout=60,
                            describe="the IP change", interval=0.01)
    assert final["operation_state"] == "modify-ip-succeed"
    assert len(client.sleep.calls) == 2
    # The wait is recorded for the result, and each of its reads was reported as it went.
    assert [(w["waited_for"], w["attempts"]) for w in client.waits] == [("the IP change", 3)]
    assert [line.split(" after ")[0] for line in lines] == ["waiting for the IP change: read %d" % n for n in (1, 2, 3)]
    listed = client.get("clouddc", INSTANCES, query={"instance_id": inst["id"]})["instances"][0]
    assert listed["network_interfaces"][0]["ipv4_address"] == "10.0.1.77"


@pytest.mark.real_clock
def test_wait_timeout_reports_the_last_state(sim, make_client):
    sim.configure(imetal_ip_change_polls=1000)
    client = make_client(sim, project_id=PROJECT_ID)
    inst = next(i for i in sim.state()["instances"] if i["name"] == "gpu-node-03")
    client.request("PUT", "clouddc", "/v1/{project_id}/instances/{id}/ip", {"id": inst["id"]},
                   body={"nics": [{"subnet_id": inst["network_interfaces"][0]["subnet_id"]}]})
    with pytest.raises(WaitTimeoutError) as info:
        client.wait_for(lambda: client.get("clouddc", "/v1/{project_id}/instances/{id}/status", {"id": inst["id"]}),
                        lambda s: s["operation_state"] != "modify-ip-processing", timeout=0.3,
                        describe="the IP change of gpu-node-03", interval=0.05)
    assert "timed out after 0.3 seconds waiting for the IP change of gpu-node-03" in str(info.value)
    assert "modify-ip-processing" in str(info.value)
    assert info.value.last_state["operation_state"] == "modify-ip-processing"


def test_proxies_come_from_the_environment(sim, make_client, monkeypatch):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead_proxy = "http://127.0.0.1:%d" % probe.getsockname()[1]
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy", "ALL_PROXY",
                 "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", dead_proxy)
    client = make_client(sim, project_id=PROJECT_ID, api_retries=0)
    with pytest.raises(HuaweiCloudError) as info:
        client.get("modelarts", SERVERS)
    assert "proxy" in str(info.value).lower()
    assert api_calls(sim) == [], "the request went to the proxy, not to the service"
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    assert make_client(sim, project_id=PROJECT_ID).get("modelarts", SERVERS)["total"] == 25
