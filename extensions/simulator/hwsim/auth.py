"""Gateway-side authentication: AK/SK signatures are recomputed with Huawei's own SDK signer, tokens are looked up.

The collection's signer is deliberately not imported here, so the simulator checks signatures independently.
"""

import hmac
import re
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qsl

from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer

AUTH_RE = re.compile(r"^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]+)$")
MAX_CLOCK_SKEW = timedelta(minutes=15)


class AuthError(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class _Cred:
    def __init__(self, ak, sk):
        self.ak = ak
        self.sk = sk


def verify_aksk(state, method, raw_path, raw_query, headers, body, now=None):
    """Return the credential record of a correctly signed request, or raise AuthError (401 APIG.0301)."""
    authorization = headers.get("Authorization", "")
    match = AUTH_RE.match(authorization.strip())
    if not match:
        raise AuthError(401, "APIG.0301", "Incorrect IAM authentication information: malformed Authorization header")
    access, signed, signature = match.groups()
    cred = state.credential(access)
    if cred is None:
        raise AuthError(401, "APIG.0301", "Incorrect IAM authentication information: ak %s not found" % access)
    signed_names = signed.split(";")
    lowered = {k.lower(): v for k, v in headers.items()}
    missing = [name for name in signed_names if name not in lowered]
    if missing or "host" not in signed_names or "x-sdk-date" not in signed_names:
        raise AuthError(401, "APIG.0301", "Incorrect IAM authentication information: signed headers incomplete")
    try:
        when = datetime.strptime(lowered["x-sdk-date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    except ValueError:
        raise AuthError(401, "APIG.0301", "Incorrect IAM authentication information: bad x-sdk-date")
    # The date is the caller's wall clock, compared with the gateway's (the real one, which the admin clock does
    # not move); what the cloud issued expires on the cloud's clock.
    if abs(datetime.now(timezone.utc) - when) > MAX_CLOCK_SKEW:
        raise AuthError(401, "APIG.0301", "Incorrect IAM authentication information: x-sdk-date expired")
    if cred.get("security_token"):
        if lowered.get("x-security-token") != cred["security_token"] or "x-security-token" not in signed_names:
            raise AuthError(401, "APIG.0301", "Incorrect IAM authentication information: security token invalid")
        if cred.get("expires_at") and (now or state.clock.now()) >= _parse_time(cred["expires_at"]):
            raise AuthError(401, "APIG.0301", "Incorrect IAM authentication information: temporary AK expired")
    request = SdkRequest(method=method, schema="https", host=lowered["host"], resource_path=raw_path,
                         query_params=parse_qsl(raw_query, keep_blank_values=True),
                         header_params={name: lowered[name] for name in signed_names}, body=body or b"")
    Signer(_Cred(access, cred["secret_key"])).sign(request)
    expected = AUTH_RE.match(request.header_params["Authorization"]).group(3)
    if not hmac.compare_digest(expected.lower(), signature.lower()):
        raise AuthError(401, "APIG.0301", "Incorrect IAM authentication information: verify aksk signature fail")
    return cred


def verify_token(state, token, now=None):
    record = state.tokens.get(token)
    if record is None:
        raise AuthError(401, "APIG.0307", "The token must be updated.")
    if (now or state.clock.now()) >= _parse_time(record["expires_at"]):
        raise AuthError(401, "APIG.0307", "The token must be updated.")
    return record


def _parse_time(text):
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)


def format_time(when):
    return when.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "000Z"
