"""The simulator's identity services answer with the SDK's models and refuse malformed requests as the services
would; what they issue works at the gateway until it is expired or revoked."""

import pytest
import requests

from ansible_collections.hwcloud.infra.plugins.module_utils._auth import AkSkAuth, credential_of
from ansible_collections.hwcloud.infra.plugins.module_utils._client import Client
from ansible_collections.hwcloud.infra.plugins.module_utils._errors import HuaweiCloudError
from ansible_collections.hwcloud.infra.plugins.module_utils._modelarts import list_servers

from hwsim.control import VirtualClock
from hwsim.seedinfo import ID_TOKEN, IDP_ID, OIDC_AGENCY_URN, OIDC_PROVIDER_URN, POD_IDENTITY_TOKEN, REGION

OIDC = {"provider_urn": OIDC_PROVIDER_URN, "agency_urn": OIDC_AGENCY_URN, "id_token": ID_TOKEN}


def post(sim, path, body=None, headers=None):
    return requests.post(sim.url + path, json=body, headers=headers or {}, timeout=10)


def keys_client(sim, answer):
    access, secret, token, expires = credential_of(answer, "test")
    clock = VirtualClock(sim)
    client = Client({"region": REGION, "endpoints": sim.endpoints(), "access_key": "x", "secret_key": "y"},
                    sleep=clock, clock=clock.monotonic, backoff_base=0.01)
    client.auth = AkSkAuth(access, secret, token, "test", expires)
    return client


@pytest.mark.parametrize("body,status", [
    (dict(OIDC), 201),
    ({k: v for k, v in OIDC.items() if k != "id_token"}, 400),
    (dict(OIDC, extra=1), 400),
    (dict(OIDC, duration_seconds=60), 400),
    (dict(OIDC, duration_seconds="3600"), 400),
    (dict(OIDC, agency_session_name="x"), 400),
    (dict(OIDC, id_token="eyJ.other.sig"), 401),
    (dict(OIDC, agency_urn=OIDC_AGENCY_URN + "x"), 403),
])
def test_sts_assume_with_oidc(sim, body, status):
    resp = post(sim, "/v5/agencies/assume-with-oidc", body)
    assert resp.status_code == status, resp.text
    if status == 201:
        assert set(resp.json()["credentials"]) == {"access_key_id", "secret_access_key", "security_token",
                                                   "expiration"}


def test_metadata_session_tokens_and_the_security_key(sim):
    assert requests.get(sim.url + "/openstack/latest/securitykey", timeout=10).status_code == 401
    for ttl in ("", "0", "21601", "x"):
        resp = requests.put(sim.url + "/meta-data/latest/api/token", headers={"X-Metadata-Token-Ttl-Seconds": ttl},
                            timeout=10)
        assert resp.status_code == 400, ttl
    token = requests.put(sim.url + "/meta-data/latest/api/token", headers={"X-Metadata-Token-Ttl-Seconds": "21600"},
                         timeout=10).text
    resp = requests.get(sim.url + "/openstack/latest/securitykey", headers={"X-Metadata-Token": token}, timeout=10)
    assert resp.status_code == 200
    assert set(resp.json()["credential"]) == {"access", "secret", "securitytoken", "expires_at"}


def test_pod_identity_wants_its_token_and_an_empty_object(sim):
    uri = "/v1/pod-identity/credentials"
    assert post(sim, uri, {}, {"Authorization": "wrong"}).status_code == 401
    assert post(sim, uri, {"a": 1}, {"Authorization": POD_IDENTITY_TOKEN}).status_code == 400
    assert post(sim, uri, {}, {"Authorization": POD_IDENTITY_TOKEN}).status_code == 200


def test_iam_security_tokens_and_the_id_token_login(sim):
    path = "/v3.0/OS-CREDENTIAL/securitytokens"
    assert post(sim, path, {"auth": {}}).status_code == 400
    assert post(sim, path, {"auth": {"identity": {"methods": ["password"]}}}).status_code == 400
    role = {"agency_name": "cross-ops", "domain_name": "hwcloud-demo"}
    assume = {"auth": {"identity": {"methods": ["assume_role"], "assume_role": role}}}
    assert post(sim, path, assume).status_code == 401  # assume_role needs an authenticated caller
    login = "/v3.0/OS-AUTH/id-token/tokens"
    body = {"auth": {"id_token": {"id": ID_TOKEN}}}
    assert post(sim, login, body, {"X-Idp-Id": "unknown"}).status_code == 404
    assert post(sim, login, {"auth": {"id_token": {"id": "eyJ.x.y"}}}, {"X-Idp-Id": IDP_ID}).status_code == 401
    resp = post(sim, login, body, {"X-Idp-Id": IDP_ID})
    assert resp.status_code == 201 and resp.headers["X-Subject-Token"]
    keys = post(sim, path, {"auth": {"identity": {"methods": ["token"], "token": {
        "id": resp.headers["X-Subject-Token"], "duration_seconds": 100}}}})
    assert keys.status_code == 400  # below the models' 15 minutes


@pytest.mark.parametrize("kind,code", [("expire", "expired"), ("revoke", "not found")])
def test_issued_keys_work_until_expired_or_revoked(sim, kind, code):
    answer = post(sim, "/v5/agencies/assume-with-oidc", dict(OIDC)).json()
    client = keys_client(sim, answer)
    assert len(list_servers(client)) > 1
    counted = sim.admin("POST", "credentials/" + kind)["count"]
    assert counted >= 1
    with pytest.raises(HuaweiCloudError) as raised:
        list_servers(keys_client(sim, answer) if kind == "revoke" else client)
    assert "APIG.0301" in str(raised.value) and code in str(raised.value)
