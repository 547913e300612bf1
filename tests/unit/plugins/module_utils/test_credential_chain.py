"""The credential chain's services and methods against the simulator: instance metadata (agency), CCE pod identity,
OIDC federation at STS, IAM's federated id-token login, assume agency on top of any base, renewal of a refused
credential, explicit options over the environment, and errors that name the source and never a value."""

import json
import os

import pytest

from ansible_collections.hwcloud.infra.plugins.module_utils import _sources
from ansible_collections.hwcloud.infra.plugins.module_utils._client import Client
from ansible_collections.hwcloud.infra.plugins.module_utils._errors import HuaweiCloudError
from ansible_collections.hwcloud.infra.plugins.module_utils._modelarts import list_servers
from ansible_collections.hwcloud.infra.plugins.modules import modelarts_devserver_eip_batch, modelarts_devserver_info

from hwsim.control import VirtualClock
from hwsim.seedinfo import (AK, CROSS_ACCOUNT_AGENCY, CROSS_ACCOUNT_DOMAIN, DOMAIN, ID_TOKEN, IDP_ID,
                            OIDC_AGENCY_URN, OIDC_PROVIDER_URN, OTHER_AK, OTHER_SK, PASSWORD, POD_IDENTITY_TOKEN,
                            REGION, SECRETS, SK, USER)

POD_PATH = "/v1/pod-identity/credentials"


def client(sim, **options):
    opts = dict({"region": REGION, "endpoints": sim.endpoints(), "metadata_url": sim.url}, **options)
    clock = VirtualClock(sim)
    return Client(opts, sleep=clock, clock=clock.monotonic, backoff_base=0.01, explicit=frozenset(options))


def run_info(sim, run_module, **options):
    args = dict({"region": REGION, "endpoints": sim.endpoints(), "public_ips": False, "metadata_url": sim.url},
                **options)
    return run_module(modelarts_devserver_info.main, sim, args, connection=False)


def calls(sim, path, method=None):
    return [r for r in sim.requests() if r["path"] == path and (method is None or r["method"] == method)]


def assert_no_secret(out, *extra):
    text = json.dumps(out)
    leaked = [s for s in SECRETS + extra if s in text]
    assert not leaked, leaked


def token_file(tmp_path, name, value):
    path = tmp_path / name
    path.write_text(value + "\n")
    return str(path)


def oidc_env(monkeypatch, tmp_path=None, token=ID_TOKEN):
    monkeypatch.setenv("HUAWEICLOUD_OIDC_PROVIDER_URN", OIDC_PROVIDER_URN)
    monkeypatch.setenv("HUAWEICLOUD_OIDC_AGENCY_URN", OIDC_AGENCY_URN)
    if tmp_path is None:
        monkeypatch.setenv("HUAWEICLOUD_OIDC_ID_TOKEN", token)
    else:
        monkeypatch.setenv("HUAWEICLOUD_OIDC_TOKEN_FILE", token_file(tmp_path, "oidc-token", token))


def pod_env(monkeypatch, sim, tmp_path, token=POD_IDENTITY_TOKEN):
    monkeypatch.setenv("HC_CONTAINER_CREDENTIALS_FULL_URI", sim.url + POD_PATH)
    monkeypatch.setenv("HC_CONTAINER_AUTHORIZATION_TOKEN_FILE", token_file(tmp_path, "pod-token", token))


def sees_the_project(out):
    assert not out.get("failed"), out.get("msg")
    assert len(out["servers"]) > 1, "the credentials were not the account's"
    return out


# -- instance metadata ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("token_api", ["required", "optional", "absent"])
def test_the_metadata_service_serves_the_agency_keys_with_the_sdks_protocol(sim, run_module, token_api):
    sim.configure(metadata_token_api=token_api)
    out = sees_the_project(run_info(sim, run_module, auth_source="metadata"))
    puts = calls(sim, "/meta-data/latest/api/token", "PUT")
    gets = calls(sim, "/openstack/latest/securitykey", "GET")
    assert len(puts) == 1 and len(gets) == 1, (puts, gets)
    assert out.get("changed") is False
    assert_no_secret(out)


def test_a_server_without_an_agency_is_told_so_and_not_asked_again(sim, run_module):
    sim.configure(metadata_agency="")
    out = run_info(sim, run_module, auth_source="metadata")
    assert out["failed"] and "has no agency" in out["msg"] and "instance metadata service at %s" % sim.url \
        in out["msg"], out["msg"]
    assert len(calls(sim, "/openstack/latest/securitykey")) == 1
    assert not [r for r in sim.requests() if r.get("service") in ("modelarts", "iam")]


def test_keys_are_fetched_again_before_they_expire(sim):
    sim.configure(issued_credential_ttl_seconds=300)  # less than the 600 s refresh margin: each use fetches again
    c = client(sim, auth_source="metadata")
    list_servers(c)
    list_servers(c)
    short = len(calls(sim, "/openstack/latest/securitykey"))
    assert short >= 2
    sim.configure(issued_credential_ttl_seconds=3600)
    c = client(sim, auth_source="metadata")
    list_servers(c)
    list_servers(c)
    assert len(calls(sim, "/openstack/latest/securitykey")) == short + 1


def test_no_metadata_service_fails_listing_what_was_looked_at(sim, run_module):
    out = run_info(sim, run_module, metadata_url=os.environ["HW_METADATA_URL"])
    assert out["failed"], out
    for part in ("no credentials found", "the shared config file", "the SDK credentials file",
                 "the instance metadata service at %s" % os.environ["HW_METADATA_URL"]):
        assert part in out["msg"], out["msg"]
    assert sim.requests() == []


# -- pod identity -----------------------------------------------------------------------------------------------

def test_cce_pod_identity_serves_keys(sim, run_module, monkeypatch, tmp_path):
    pod_env(monkeypatch, sim, tmp_path)
    out = sees_the_project(run_info(sim, run_module, auth_source="pod_identity"))
    assert len(calls(sim, POD_PATH, "POST")) == 1
    assert_no_secret(out)


def test_the_chain_ends_with_pod_identity_when_no_metadata_service_answers(sim, run_module, monkeypatch, tmp_path):
    pod_env(monkeypatch, sim, tmp_path)
    sees_the_project(run_info(sim, run_module, metadata_url=os.environ["HW_METADATA_URL"]))
    assert len(calls(sim, POD_PATH)) == 1


def test_a_refused_pod_token_names_the_source(sim, run_module, monkeypatch, tmp_path):
    pod_env(monkeypatch, sim, tmp_path, token="not-the-token")
    out = run_info(sim, run_module, auth_source="pod_identity")
    assert out["failed"] and "CCE pod identity at %s" % (sim.url + POD_PATH) in out["msg"], out["msg"]
    assert "not-the-token" not in json.dumps(out)


# -- OIDC and federated id tokens ---------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", ["credentials", "credential"])
def test_oidc_federation_exchanges_the_id_token_at_sts(sim, run_module, monkeypatch, shape):
    sim.configure(sts_answer_shape=shape)
    oidc_env(monkeypatch)
    out = sees_the_project(run_info(sim, run_module))
    exchange = calls(sim, "/v5/agencies/assume-with-oidc", "POST")
    assert len(exchange) == 1
    assert exchange[0]["body"]["agency_session_name"] == "oidc-sts-session"
    assert exchange[0]["body"]["duration_seconds"] == 3600
    assert_no_secret(out)


def test_oidc_reads_a_token_file_and_its_settings(sim, run_module, monkeypatch, tmp_path):
    oidc_env(monkeypatch, tmp_path)
    monkeypatch.setenv("HUAWEICLOUD_OIDC_SESSION_NAME", "deploy-42")
    monkeypatch.setenv("HUAWEICLOUD_OIDC_DURATION_SECONDS", "1800")
    sees_the_project(run_info(sim, run_module, auth_source="oidc"))
    body = calls(sim, "/v5/agencies/assume-with-oidc")[0]["body"]
    assert body["agency_session_name"] == "deploy-42" and body["duration_seconds"] == 1800


def test_a_refused_id_token_fails_naming_sts_and_no_value(sim, run_module, monkeypatch):
    oidc_env(monkeypatch, token="eyJ.not-the-token.sig")
    out = run_info(sim, run_module)
    assert out["failed"] and "exchange the OIDC token at STS" in out["msg"] and "STS.0401" in out["msg"], out
    assert "not-the-token" not in json.dumps(out)


def test_incomplete_oidc_settings_are_refused_before_any_request(sim, run_module, monkeypatch):
    monkeypatch.setenv("HUAWEICLOUD_OIDC_PROVIDER_URN", OIDC_PROVIDER_URN)
    out = run_info(sim, run_module)
    assert out["failed"] and "HUAWEICLOUD_OIDC_AGENCY_URN" in out["msg"] and sim.requests() == []


def test_the_federated_id_token_login_of_the_environment(sim, run_module, monkeypatch, tmp_path):
    monkeypatch.setenv("HUAWEICLOUD_SDK_IDP_ID", IDP_ID)
    monkeypatch.setenv("HUAWEICLOUD_SDK_ID_TOKEN_FILE", token_file(tmp_path, "id-token", ID_TOKEN))
    out = sees_the_project(run_info(sim, run_module))
    assert len(calls(sim, "/v3.0/OS-AUTH/id-token/tokens")) == 1
    assert len(calls(sim, "/v3.0/OS-CREDENTIAL/securitytokens")) == 1
    assert_no_secret(out)


def test_the_federated_id_token_login_of_the_sdk_credentials_file(sim, run_module, tmp_path):
    path = tmp_path / "credentials"
    path.write_text("[basic]\nidp_id = %s\nid_token_file = %s\n" % (IDP_ID, token_file(tmp_path, "t", ID_TOKEN)))
    os.chmod(str(path), 0o600)
    sees_the_project(run_info(sim, run_module, credentials_file=str(path)))


# -- assume agency ------------------------------------------------------------------------------------------------

def test_another_accounts_keys_assume_an_agency_of_this_account(sim, run_module):
    out = run_info(sim, run_module, access_key=OTHER_AK, secret_key=OTHER_SK)
    assert not out.get("failed") and out["servers"] == []  # the other account sees nothing of this one
    out = sees_the_project(run_info(sim, run_module, access_key=OTHER_AK, secret_key=OTHER_SK,
                                    agency_name=CROSS_ACCOUNT_AGENCY, agency_domain_name=CROSS_ACCOUNT_DOMAIN,
                                    agency_duration=900))
    assumed = calls(sim, "/v3.0/OS-CREDENTIAL/securitytokens")
    assert len(assumed) == 1 and assumed[0]["principal"] == OTHER_AK
    assert assumed[0]["body"]["auth"]["identity"]["assume_role"]["duration_seconds"] == 900
    assert_no_secret(out)


def test_an_agency_that_does_not_trust_the_caller_is_refused_naming_it(sim, run_module):
    out = run_info(sim, run_module, agency_name="nope", agency_domain_name=CROSS_ACCOUNT_DOMAIN,
                   access_key=OTHER_AK, secret_key=OTHER_SK)
    assert out["failed"] and "assume agency nope of account hwcloud-demo" in out["msg"], out["msg"]
    assert "403" in out["msg"]


def test_a_profile_assumes_its_agency(sim, run_module, tmp_path):
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"current": "x", "profiles": [{
        "name": "x", "mode": "AKSK", "accessKeyId": OTHER_AK, "secretAccessKey": OTHER_SK,
        "agencyName": CROSS_ACCOUNT_AGENCY, "agencyDomainName": CROSS_ACCOUNT_DOMAIN}]}))
    os.chmod(str(path), 0o600)
    sees_the_project(run_info(sim, run_module, shared_config_file=str(path)))


def test_agency_options_are_checked_before_any_request(sim, run_module):
    for options, words in (({"agency_name": "a/b", "agency_domain_name": "d"}, "agency_name is not a valid name"),
                           ({"agency_name": "ops"}, "needs the account it belongs to"),
                           ({"agency_domain_name": "d"}, "agency_name is not"),
                           ({"agency_name": "ops", "agency_domain_name": "d", "agency_duration": 60},
                            "agency_duration must be")):
        out = run_info(sim, run_module, access_key=AK, secret_key=SK, **options)
        assert out["failed"] and words in out["msg"], (options, out["msg"])
    assert sim.requests() == []


# -- renewal ------------------------------------------------------------------------------------------------------

def test_a_password_login_is_renewed_once_when_the_gateway_stops_accepting_its_token(sim):
    c = client(sim, user_name=USER, password=PASSWORD, domain_name=DOMAIN)
    list_servers(c)
    sim.admin("POST", "tokens/expire")
    list_servers(c)
    assert len(calls(sim, "/v3/auth/tokens", "POST")) == 2
    refused = [r for r in sim.requests() if r["status"] == 401]
    assert len(refused) == 1


@pytest.mark.parametrize("source", ["metadata", "oidc", "pod_identity", "agency"])
def test_revoked_temporary_keys_are_renewed_and_the_call_sent_again(sim, monkeypatch, tmp_path, source):
    options = {"auth_source": source}
    if source == "oidc":
        oidc_env(monkeypatch)
    elif source == "pod_identity":
        pod_env(monkeypatch, sim, tmp_path)
    elif source == "agency":
        options = {"access_key": OTHER_AK, "secret_key": OTHER_SK, "agency_name": CROSS_ACCOUNT_AGENCY,
                   "agency_domain_name": CROSS_ACCOUNT_DOMAIN}
    c = client(sim, **options)
    first = list_servers(c)
    sim.admin("POST", "credentials/revoke")
    assert list_servers(c) == first
    assert len([r for r in sim.requests() if r["status"] == 401]) == 1


BATCH = [{"server": "train-a3-01", "public_ip": "203.0.113.15"}, {"server": "train-a3-02", "public_ip": "203.0.113.16"}]


def refuse_first_bind(sim):
    """The gateway refuses the first bind as if its credentials had just expired (401 APIG.0301, not applied)."""
    sim.fault(method="POST", path=r"/dev-servers/[^/]+/publicips$", status=401, error_code="APIG.0301",
              error_msg="Incorrect IAM authentication information: the token or signature expired", count=1)


def test_a_batch_goes_on_after_renewal(sim, run_module):
    args = {"region": REGION, "endpoints": sim.endpoints(), "metadata_url": sim.url, "auth_source": "metadata",
            "bindings": BATCH}
    refuse_first_bind(sim)
    out = run_module(modelarts_devserver_eip_batch.main, sim, args, connection=False)
    assert not out.get("failed"), out["msg"]
    assert out["totals"]["changed"] == 2
    assert len(calls(sim, "/openstack/latest/securitykey")) == 2  # renewed once, mid-batch


def test_a_batch_with_static_keys_refused_says_so_and_reports_each_item(sim, run_module):
    args = {"region": REGION, "endpoints": sim.endpoints(), "access_key": AK, "secret_key": SK,
            "bindings": BATCH, "concurrency": 1}
    refuse_first_bind(sim)
    out = run_module(modelarts_devserver_eip_batch.main, sim, args, connection=False)
    assert out["failed"] and "AK/SK from module options was refused" in out["msg"], out["msg"]
    assert "cannot be renewed" in out["msg"]
    totals = out["totals"]
    assert sum(totals[k] for k in ("changed", "unchanged", "failed", "not_attempted") if k in totals) == 2, totals
    assert len(out["results"]) == 2


def test_a_ready_token_that_expired_says_it_cannot_be_renewed_and_names_its_source(sim, run_module):
    token = sim.token(sim.state()["projects"][0]["id"])
    sim.admin("POST", "tokens/expire")
    out = run_info(sim, run_module, auth_token=token)
    assert out["failed"] and "IAM token from module options was refused" in out["msg"], out["msg"]
    assert "cannot be renewed" in out["msg"] and token not in json.dumps(out)


def test_static_keys_refused_name_their_source(sim, run_module, monkeypatch):
    monkeypatch.setenv("HW_ACCESS_KEY", AK)
    monkeypatch.setenv("HW_SECRET_KEY", "wrong-" + SK)
    out = run_info(sim, run_module)
    assert out["failed"] and "AK/SK from environment variables was refused" in out["msg"], out["msg"]
    assert SK not in json.dumps(out)


# -- explicit options over the environment ------------------------------------------------------------------------

def test_explicit_credentials_win_over_another_methods_environment(sim, run_module, monkeypatch):
    """AWX injects a password credential's variables; a play's module_defaults carry a token: the token is used."""
    monkeypatch.setenv("HW_USER_NAME", USER)
    monkeypatch.setenv("HW_USER_PASSWORD", PASSWORD)
    monkeypatch.setenv("HW_DOMAIN_NAME", DOMAIN)
    monkeypatch.setenv("HW_ASSUME_ROLE_AGENCY_NAME", CROSS_ACCOUNT_AGENCY)
    monkeypatch.setenv("HW_ASSUME_ROLE_DOMAIN_NAME", CROSS_ACCOUNT_DOMAIN)
    token = sim.token(sim.state()["projects"][0]["id"])
    sees_the_project(run_info(sim, run_module, auth_token=token))
    assert calls(sim, "/v3/auth/tokens") == [] and calls(sim, "/v3.0/OS-CREDENTIAL/securitytokens") == []
    monkeypatch.delenv("HW_ASSUME_ROLE_AGENCY_NAME")
    monkeypatch.delenv("HW_ASSUME_ROLE_DOMAIN_NAME")
    sees_the_project(run_info(sim, run_module))  # without the option, the environment's password is used
    assert len(calls(sim, "/v3/auth/tokens")) == 1


def test_the_environment_completes_an_explicit_method(sim, run_module, monkeypatch):
    monkeypatch.setenv("HW_SECRET_KEY", SK)
    sees_the_project(run_info(sim, run_module, access_key=AK))


# Every pair of neighbours of the chain's table (those of the files are in test_credential_sources.py), and a few
# more across it.
@pytest.mark.parametrize("higher,lower", [("environment", "oidc"), ("oidc", "id_token"), ("id_token", "profile"),
                                          ("credentials_file", "metadata"), ("metadata", "pod_identity"),
                                          ("options", "oidc"), ("options", "metadata"), ("environment", "metadata"),
                                          ("profile", "metadata"), ("oidc", "profile"), ("id_token", "metadata")])
def test_the_chain_takes_the_higher_source_of_each_pair(sim, run_module, monkeypatch, tmp_path, higher, lower):
    """The higher source's credentials see the project's servers; the lower one's would fail or see nothing."""
    options = {}
    for source, good in ((higher, True), (lower, False)):
        if source == "environment":
            monkeypatch.setenv("HW_ACCESS_KEY", AK if good else OTHER_AK)
            monkeypatch.setenv("HW_SECRET_KEY", SK if good else OTHER_SK)
        elif source == "profile":
            path = tmp_path / "config.json"
            path.write_text(json.dumps({"current": "p", "profiles": [{
                "name": "p", "mode": "AKSK", "accessKeyId": AK if good else OTHER_AK,
                "secretAccessKey": SK if good else OTHER_SK}]}))
            os.chmod(str(path), 0o600)
            monkeypatch.setattr(_sources, "SHARED_CONFIG_FILE", str(path))
        elif source == "credentials_file":
            path = tmp_path / "credentials"
            path.write_text("[basic]\nak = %s\nsk = %s\n" % ((AK, SK) if good else (OTHER_AK, OTHER_SK)))
            os.chmod(str(path), 0o600)
            monkeypatch.setattr(_sources, "CREDENTIALS_FILE", str(path))
        elif source == "metadata":
            if not good:
                sim.configure(metadata_agency="")
        elif source == "pod_identity":
            pod_env(monkeypatch, sim, tmp_path, token=POD_IDENTITY_TOKEN if good else "wrong")
        elif source == "oidc":
            oidc_env(monkeypatch, token=ID_TOKEN if good else "eyJ.wrong.sig")
        elif source == "id_token":
            monkeypatch.setenv("HUAWEICLOUD_SDK_IDP_ID", IDP_ID)
            path = token_file(tmp_path, "id-token", ID_TOKEN if good else "eyJ.wrong.sig")
            monkeypatch.setenv("HUAWEICLOUD_SDK_ID_TOKEN_FILE", path)
        elif source == "options":
            options.update(access_key=AK, secret_key=SK)
    sees_the_project(run_info(sim, run_module, **options))


def test_no_value_of_any_source_appears_at_the_highest_verbosity_of_a_failure(sim, run_module, monkeypatch,
                                                                              tmp_path):
    """Every source's failure after it read its secrets: nothing read from it is in the result."""
    oidc_env(monkeypatch, tmp_path)
    pod_env(monkeypatch, sim, tmp_path)
    sim.fault(method="GET", path="/v1/%s/dev-servers/all" % sim.state()["projects"][0]["id"], status=400,
              error_code="ModelArts.0100", error_msg="bad", count=10)
    for source in ("oidc", "pod_identity", "metadata"):
        out = run_info(sim, run_module, auth_source=source)
        assert out["failed"], source
        issued = [c for c in sim.state()["credentials"] if c.get("issued")]
        assert_no_secret(out, *[c["secret_key"] for c in issued] + [c["security_token"] for c in issued])


def test_a_source_error_is_an_error_of_the_client(sim):
    with pytest.raises(HuaweiCloudError) as raised:
        client(sim, auth_source="pod_identity")
    assert "HC_CONTAINER_CREDENTIALS_FULL_URI" in str(raised.value)
