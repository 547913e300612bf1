"""The identity services of the simulated cloud: the ECS/BMS instance metadata service (agency keys), CCE pod
identity, STS ``assume-with-oidc``, IAM security tokens (assume an agency; temporary keys for a token) and IAM's
federated id-token login, with the request and answer models of Huawei's SDK (huaweicloudsdkcore auth/internal.py,
huaweicloudsdkiam v3 models). Every credential they issue is recorded and can be expired or revoked (admin API).
"""

import secrets
import uuid
from datetime import datetime, timedelta, timezone

from .auth import format_time

AGENCY_ERROR = "Please configure Cloud Service Agency first"
# The SDK's models: IdentityAssumerole.duration_seconds 15 min - 24 h (default 15 min); STS and id-token keys the
# same range (their defaults: 3600 s and 6 h).
DURATION_RANGE = (900, 86400)


class IdentityError(Exception):
    def __init__(self, status, body):
        super().__init__(str(body))
        self.status = status
        self.body = body


def _iam_error(status, message):
    titles = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found"}
    return IdentityError(status, {"error": {"code": status, "message": message, "title": titles.get(status, "Error")}})


def issue(st, domain_id, user_id, seconds, origin):
    """Record and return a temporary AK/SK with its security token in ``domain_id``."""
    seconds = min(int(seconds), int(st.config["issued_credential_ttl_seconds"]))
    expires = st.clock.now() + timedelta(seconds=seconds)
    record = {"access_key": "HWSIMTMP" + uuid.uuid4().hex[:16].upper(), "secret_key": secrets.token_hex(20),
              "security_token": "sim-sts-" + secrets.token_urlsafe(48), "domain_id": domain_id,
              "user_id": user_id, "expires_at": format_time(expires), "issued": origin}
    with st.lock:
        st.credentials[record["access_key"]] = record
    return record


def credential_body(record):
    """IAM's Credential model (CreateTemporaryAccessKeyBy*Response.credential)."""
    return {"credential": {"access": record["access_key"], "secret": record["secret_key"],
                           "securitytoken": record["security_token"], "expires_at": record["expires_at"]}}


def _agency(st, name, domain_name=None, domain_id=None):
    domain = st.domain_by_name(domain_name) if domain_name else next(
        (d for d in st.domains if d["id"] == domain_id), None)
    if domain is None:
        return None, None
    agency = next((a for a in st.agencies if a["name"] == name and a["domain"] == domain["name"]), None)
    return agency, domain


def _duration(value, default):
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not DURATION_RANGE[0] <= value <= DURATION_RANGE[1]:
        raise _iam_error(400, "duration_seconds must be an integer from %d to %d." % DURATION_RANGE)
    return value


# -- instance metadata (ECS/BMS) --------------------------------------------------------------------------------

def metadata_token(sim, ctx):
    st = sim.state
    if st.config["metadata_token_api"] == "absent":
        return 404, "404 Not Found"
    ttl = ctx["headers"].get("x-metadata-token-ttl-seconds", "")
    if not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
        return 400, "X-Metadata-Token-Ttl-Seconds must be 1-21600"
    token = "sim-metadata-" + secrets.token_urlsafe(24)
    with st.lock:
        st.metadata_tokens.add(token)
    return 200, token


def metadata_securitykey(sim, ctx):
    st = sim.state
    token = ctx["headers"].get("x-metadata-token")
    if st.config["metadata_token_api"] == "required" and token not in st.metadata_tokens:
        return 401, "401 Unauthorized: a valid X-Metadata-Token is required"
    agency_name = st.config["metadata_agency"]
    if not agency_name:
        return 401, {"error": {"code": 401, "message": AGENCY_ERROR, "title": "Unauthorized"}}
    agency = next((a for a in st.agencies if a["name"] == agency_name), None)
    domain = st.domain_by_name(agency["domain"]) if agency else None
    if domain is None:
        return 401, {"error": {"code": 401, "message": AGENCY_ERROR, "title": "Unauthorized"}}
    record = issue(st, domain["id"], agency.get("user_id"), st.config["issued_credential_ttl_seconds"], "metadata")
    return 200, credential_body(record)


# -- CCE pod identity ------------------------------------------------------------------------------------------

def pod_identity(sim, ctx):
    st = sim.state
    expected = st.federation.get("pod_identity_token")
    if not expected or ctx["headers"].get("authorization") != expected:
        return 401, {"error_code": "CCE.01400001", "error_msg": "Invalid pod identity token"}
    if ctx["json"] != {}:
        return 400, {"error_code": "CCE.01400002", "error_msg": "The request body must be {}"}
    agency = next((a for a in st.agencies if a["name"] == st.federation.get("pod_identity_agency")), None)
    domain = st.domain_by_name(agency["domain"])
    record = issue(st, domain["id"], agency.get("user_id"), st.config["issued_credential_ttl_seconds"], "pod")
    return 200, credential_body(record)


# -- STS assume-with-oidc and IAM -------------------------------------------------------------------------------

def sts_assume_with_oidc(sim, ctx):
    st = sim.state
    body = ctx["json"]
    if not isinstance(body, dict):
        raise IdentityError(400, {"error_code": "STS.0001", "error_msg": "The request body is invalid."})
    for name in ("provider_urn", "agency_urn", "id_token"):
        if not isinstance(body.get(name), str) or not body.get(name):
            raise IdentityError(400, {"error_code": "STS.0001", "error_msg": "%s is required." % name})
    unknown = set(body) - {"provider_urn", "agency_urn", "agency_session_name", "id_token", "duration_seconds",
                           "policy", "policy_ids"}
    if unknown:
        raise IdentityError(400, {"error_code": "STS.0001", "error_msg": "Unknown field %s." % sorted(unknown)[0]})
    session = body.get("agency_session_name")
    if session is not None and (not isinstance(session, str) or not 2 <= len(session) <= 64):
        raise IdentityError(400, {"error_code": "STS.0001", "error_msg": "agency_session_name must be 2-64 "
                                                                         "characters."})
    try:
        seconds = _duration(body.get("duration_seconds"), 3600)
    except IdentityError:
        raise IdentityError(400, {"error_code": "STS.0001", "error_msg": "duration_seconds is out of range."})
    fed = st.federation
    if body["provider_urn"] != fed.get("oidc_provider_urn") or body["agency_urn"] != fed.get("oidc_agency_urn"):
        raise IdentityError(403, {"error_code": "STS.0403", "error_msg": "The identity provider or agency does "
                                                                         "not trust this token."})
    if body["id_token"] != fed.get("id_token"):
        raise IdentityError(401, {"error_code": "STS.0401", "error_msg": "The id_token is invalid or expired."})
    agency = next(a for a in st.agencies if a["name"] == fed["oidc_agency_urn"].rsplit(":", 1)[1])
    domain = st.domain_by_name(agency["domain"])
    record = issue(st, domain["id"], agency.get("user_id"), seconds, "oidc")
    if st.config["sts_answer_shape"] == "credential":
        return 201, credential_body(record)
    return 201, {"credentials": {"access_key_id": record["access_key"], "secret_access_key": record["secret_key"],
                                 "security_token": record["security_token"],
                                 "expiration": record["expires_at"][:19] + "Z"},
                 "assumed_agency": {"agency_session_urn": "%s:%s" % (fed["oidc_agency_urn"],
                                                                     session or "oidc-sts-session")}}


def iam_id_token_login(sim, ctx):
    """POST /v3.0/OS-AUTH/id-token/tokens (X-Idp-Id): an unscoped token for a federated identity."""
    st = sim.state
    fed = st.federation
    body = ctx["json"]
    try:
        id_token = body["auth"]["id_token"]["id"]
    except (KeyError, TypeError):
        raise _iam_error(400, "The request body is invalid.")
    if ctx["headers"].get("x-idp-id") != fed.get("idp_id"):
        raise _iam_error(404, "The identity provider does not exist.")
    if id_token != fed.get("id_token"):
        raise _iam_error(401, "The id_token is invalid or expired.")
    agency = next(a for a in st.agencies if a["name"] == fed["oidc_agency_urn"].rsplit(":", 1)[1])
    domain = st.domain_by_name(agency["domain"])
    token = "MIIfed" + uuid.uuid4().hex + uuid.uuid4().hex
    expires = st.clock.now() + timedelta(seconds=st.config["token_ttl_seconds"])
    with st.lock:
        st.tokens[token] = {"token": token, "project_id": None, "domain_id": domain["id"], "unscoped": True,
                            "expires_at": format_time(expires), "user_id": agency.get("user_id")}
    return 201, {"token": {"expires_at": format_time(expires), "methods": ["mapped"],
                           "user": {"domain": {"id": domain["id"], "name": domain["name"]},
                                    "name": "federated", "id": agency.get("user_id")}}}, {"X-Subject-Token": token}


def iam_security_tokens(sim, ctx):
    """POST /v3.0/OS-CREDENTIAL/securitytokens: methods ["token"] (temporary keys for a token, given in the body)
    or ["assume_role"] (an agency's keys, the caller authenticated by AK/SK or token)."""
    st = sim.state
    body = ctx["json"]
    try:
        identity = body["auth"]["identity"]
        methods = identity["methods"]
    except (KeyError, TypeError):
        raise _iam_error(400, "The request body is invalid.")
    if methods == ["token"]:
        token = (identity.get("token") or {}).get("id")
        record = st.tokens.get(token) if isinstance(token, str) else None
        if record is None or st.clock.now() >= _parse(record["expires_at"]):
            raise _iam_error(401, "The token is invalid or expired.")
        seconds = _duration((identity.get("token") or {}).get("duration_seconds"), 900)
        issued = issue(st, record["domain_id"], record.get("user_id"), seconds, "token")
        return 201, credential_body(issued)
    if methods != ["assume_role"] or not isinstance(identity.get("assume_role"), dict):
        raise _iam_error(400, "The request body is invalid: methods must be [\"token\"] or [\"assume_role\"].")
    principal = ctx.get("principal")
    if principal is None:
        raise _iam_error(401, "The request you have made requires authentication.")
    role = identity["assume_role"]
    name = role.get("agency_name")
    if not isinstance(name, str) or not name or not (role.get("domain_name") or role.get("domain_id")):
        raise _iam_error(400, "assume_role needs agency_name and domain_name or domain_id.")
    seconds = _duration(role.get("duration_seconds"), 900)
    agency, domain = _agency(st, name, role.get("domain_name"), role.get("domain_id"))
    caller = next((d for d in st.domains if d["id"] == principal["domain_id"]), {})
    if agency is None or agency["trusted_domain"] != caller.get("name"):
        raise _iam_error(403, "You have no permission to assume agency %s of that account (it does not exist or "
                              "does not trust your account)." % name)
    issued = issue(st, domain["id"], agency.get("user_id"), seconds, "assume_role")
    return 201, credential_body(issued)


def _parse(text):
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)


def expire(st, kind, access_key=None):
    """Expire (``kind`` "expire") or delete ("revoke") every temporary credential and token the simulator issued,
    or the one ``access_key`` names. Returns how many."""
    past = format_time(st.clock.now() - timedelta(seconds=1))
    count = 0
    with st.lock:
        for key, record in list(st.credentials.items()):
            if not record.get("issued") or (access_key and key != access_key):
                continue
            count += 1
            if kind == "revoke":
                del st.credentials[key]
            else:
                record["expires_at"] = past
        if access_key is None:
            for token, record in list(st.tokens.items()):
                count += 1
                if kind == "revoke":
                    del st.tokens[token]
                else:
                    record["expires_at"] = past
    return count
