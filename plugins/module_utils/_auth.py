# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.infra contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection. Breaking changes can occur any time.

"""Authentication: the credential chain and one class per method, each owning its login, its refresh and the
headers it adds to a request.

The chain (``resolve``), in its order: module options, environment variables, a shared-config profile, the SDK
credentials file, the instance metadata service (an ECS/BMS agency), CCE pod identity; ``auth_source`` pins one.
Any of them can assume an agency on top (``agency_name``). Methods that can get new credentials by themselves
(password login, temporary keys from metadata, pod identity, OIDC, an id token or an agency) renew them before
they expire and once more when the gateway refuses them as expired. Errors name the source, never a value.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import time
from datetime import datetime, timezone

try:
    from requests import exceptions as rexc
except ImportError:  # pragma: no cover - the client reports the missing library
    rexc = None

from ..module_utils import _signer
from ..module_utils._errors import HuaweiCloudError
from ..module_utils._signer import find_header
from ..module_utils._sources import (CREDENTIAL_NAMES, SourceError, from_sources, read_text,
                                     validate_source_options)
from ..module_utils._validate import HEADER_SAFE_RE, Opt, ShapeError, validate_base_url, validate_credentials, validate_id

METADATA_URL = "http://169.254.169.254"
METADATA_TOKEN_PATH = "/meta-data/latest/api/token"
METADATA_KEY_PATH = "/openstack/latest/securitykey"
METADATA_TOKEN_TTL = 21600
NO_AGENCY = "Please configure Cloud Service Agency first"
# Temporary credentials are fetched again when less than this many seconds remain (Terraform's margin).
REFRESH_MARGIN = 600
# The SDK's timeouts (connect, read) for the metadata service and pod identity; a chain that only probes the
# metadata service (nothing pinned, nothing else found) waits at most PROBE_TIMEOUT to connect.
METADATA_TIMEOUT = (3, 3)
POD_IDENTITY_TIMEOUT = (5, 5)
PROBE_TIMEOUT = (1, 3)
AGENCY_DURATION_RANGE = (900, 86400)
DEFAULT_AGENCY_DURATION = 3600
OIDC_DEFAULT_DURATION = 3600
OIDC_DEFAULT_SESSION = "oidc-sts-session"
ID_TOKEN_DURATION = 6 * 3600

# The answers' models: IAM's Credential (and the STS v5 and SDK spellings the SDK's accessor reads).
_KEY_SPELLINGS = (("access", "accessKeyId", "access_key_id"), ("secret", "secretAccessKey", "secret_access_key"),
                  ("securitytoken", "securityToken", "security_token"), ("expires_at", "expiration"))
LOGIN_ANSWER = {"token": {"project": Opt({"id": Opt(str)}), "expires_at": Opt(str)}}

AUTH_INPUTS = (
    ("AK/SK", ("access_key", "secret_key"), ("security_token",)),
    ("token", ("auth_token",), ()),
    ("password", ("user_name", "password", "domain_name"), ()),
)
AGENCY_OPTIONS = ("agency_name", "agency_domain_name", "agency_domain_id", "agency_duration")
# The SDK's models give agency and account names no pattern; these are the characters IAM's console allows in
# them (an account id is hexadecimal). Anything else goes into no request.
_AGENCY_NAME_RE = re.compile(r"[A-Za-z0-9._-]{1,64}")
_DOMAIN_ID_RE = re.compile(r"[A-Za-z0-9]{1,64}")


def parse_time(text):
    """Epoch seconds of an ISO 8601 UTC time as IAM and STS write it (with or without fractions), or None."""
    if not isinstance(text, str):
        return None
    value = text.strip().replace("+00:00", "Z")
    for pattern in ("%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ"):
        try:
            return datetime.strptime(value, pattern).replace(tzinfo=timezone.utc).timestamp()
        except ValueError:
            continue
    return None


def _iso(epoch):
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if epoch else None


def credential_of(data, where):
    """(access, secret, security token, expiry epoch) of a temporary-credential answer, each checked: usable in a
    header, and an expiry in the future. Raises HuaweiCloudError naming ``where``, never a value."""
    if isinstance(data, dict):
        data = data.get("credential") or data.get("credentials") or data
    if not isinstance(data, dict):
        raise HuaweiCloudError("%s answered something other than a credential" % where)
    values = [next((data.get(k) for k in names if data.get(k)), None) for names in _KEY_SPELLINGS]
    access, secret, token, expires = values
    for name, value in (("access key", access), ("secret key", secret), ("security token", token)):
        if not isinstance(value, str) or not value or len(value) > 16384 or not HEADER_SAFE_RE.fullmatch(value):
            raise HuaweiCloudError("%s answered a credential without a usable %s" % (where, name))
    epoch = parse_time(expires)
    if epoch is None:
        raise HuaweiCloudError("%s answered a credential without a readable expiry time" % where)
    if epoch <= time.time():
        raise HuaweiCloudError("%s answered a credential that has already expired (at %s; check this machine's "
                               "clock)" % (where, _iso(epoch)))
    return access, secret, token, epoch


def subject_token(resp, what):
    """The token of an IAM login answer (its X-Subject-Token header), checked before it is used."""
    token = find_header(resp.headers, "X-Subject-Token")
    if not token or not HEADER_SAFE_RE.fullmatch(token):
        raise HuaweiCloudError("IAM answered %s without a usable X-Subject-Token header" % what,
                               request_id=resp.request_id)
    return token


class Method(object):
    """One way to authenticate. ``apply`` returns a request's headers with the authentication added;
    ``generation`` counts the credentials it has had, so that one refusal renews once, however many threads saw
    it."""

    name = "credentials"
    renewable = False

    def __init__(self, source):
        self.source = source
        self.generation = 0
        self.expires_at = None

    def describe(self):
        return "%s from %s" % (self.name, self.source)

    def apply(self, client, req):
        raise NotImplementedError

    def project_id(self, client):
        """The project id this method learns by itself (None: ask IAM)."""
        return None

    def renew(self, client, generation):
        """Get new credentials after the gateway refused those of ``generation``; False when it cannot."""
        return False

    def secrets(self):
        """The values to mask wherever they could appear."""
        return []

    def short_lived(self, client):
        """The credentials a later task can use as they are (hwcloud.infra.auth): options and their expiry."""
        raise NotImplementedError


class AkSkAuth(Method):
    """AK/SK request signing; adds the project header (and the security token) itself."""

    name = "AK/SK"

    def __init__(self, access_key, secret_key, security_token=None, source="options", expires_at=None):
        super(AkSkAuth, self).__init__(source)
        self.access_key = access_key
        self.secret_key = secret_key
        self.security_token = security_token
        self.expires_at = expires_at
        if security_token:
            self.name = "temporary AK/SK"

    def sign(self, method, host, path, pairs, headers, body):
        headers = dict(headers)
        if self.security_token:
            headers["X-Security-Token"] = self.security_token
        return _signer.sign(method, host, path, pairs, headers, body, self.access_key, self.secret_key)

    def apply(self, client, req):
        headers = dict(req.headers)
        if req.project_scoped:
            headers["X-Project-Id"] = client.project_id
        return self.sign(req.method, req.netloc, req.path, req.pairs, headers, req.payload)

    def secrets(self):
        return [v for v in (self.secret_key, self.security_token) if v]

    def short_lived(self, client):
        found = {"access_key": self.access_key, "secret_key": self.secret_key}
        if self.security_token:
            found["security_token"] = self.security_token
        return found, self.expires_at


class TokenAuth(Method):
    name = "IAM token"

    def __init__(self, token, source="options", project=None, expires_at=None):
        super(TokenAuth, self).__init__(source)
        self.token = token
        self.project = project
        self.expires_at = expires_at

    def apply(self, client, req):
        headers = dict(req.headers)
        headers["X-Auth-Token"] = self.token
        return headers

    def project_id(self, client):
        return self.project

    def secrets(self):
        return [self.token]

    def short_lived(self, client):
        return {"auth_token": self.token}, self.expires_at


class PasswordAuth(Method):
    """IAM password login: once per client (so once per module run, or per batch or inventory run), and again
    when the gateway stops accepting the token."""

    name = "IAM password login"
    renewable = True

    def __init__(self, user_name, password, domain_name, source="options"):
        super(PasswordAuth, self).__init__(source)
        self.user_name = user_name
        self.password = password
        self.domain_name = domain_name
        self.token = None
        self.project = None

    def login(self, client):
        """POST /v3/auth/tokens scoped to the project (by id when known, else by region name)."""
        known = client.known_project_id
        scope = {"project": {"id": known}} if known else {"project": {"name": client.region}}
        body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
            "name": self.user_name, "password": self.password, "domain": {"name": self.domain_name}}}},
            "scope": scope}}
        resp = client.request("POST", "iam", "/v3/auth/tokens", body=body, project_scoped=False, authenticate=False,
                              idempotent=True, expect=LOGIN_ANSWER, operation="log in to IAM as %s" % self.user_name)
        token = subject_token(resp, "the login")
        project_id = ((resp.body["token"].get("project") or {}).get("id"))
        self.project = validate_id(project_id, "project id") if project_id else None
        self.expires_at = parse_time(resp.body["token"].get("expires_at"))
        self.token = token
        self.generation += 1

    def _ensure(self, client):
        if self.token is None:
            with client.lock:
                if self.token is None:
                    self.login(client)

    def apply(self, client, req):
        self._ensure(client)
        headers = dict(req.headers)
        headers["X-Auth-Token"] = self.token
        return headers

    def project_id(self, client):
        self._ensure(client)
        return self.project

    def renew(self, client, generation):
        with client.lock:
            if self.generation == generation:
                self.login(client)
        return True

    def secrets(self):
        return [v for v in (self.password, self.token) if v]

    def short_lived(self, client):
        self._ensure(client)
        return {"auth_token": self.token, "project_id": self.project}, self.expires_at


class TemporaryKeysAuth(Method):
    """Temporary AK/SK with a security token that the method fetches itself: fetched on first use, again when
    less than REFRESH_MARGIN seconds remain, and again once when the gateway refuses them."""

    renewable = True

    def __init__(self, source):
        super(TemporaryKeysAuth, self).__init__(source)
        self.keys = None

    def fetch(self, client):
        """(access, secret, security token, expiry epoch)."""
        raise NotImplementedError

    def _refresh(self, client):
        access, secret, token, expires = self.fetch(client)
        self.keys = AkSkAuth(access, secret, token, self.source, expires)
        self.expires_at = expires
        self.generation += 1

    def _ensure(self, client):
        with client.lock:
            if self.keys is None or self.expires_at - time.time() < REFRESH_MARGIN:
                self._refresh(client)
        return self.keys

    def apply(self, client, req):
        return self._ensure(client).apply(client, req)

    def renew(self, client, generation):
        with client.lock:
            if self.generation == generation:
                self._refresh(client)
        return True

    def secrets(self):
        return self.keys.secrets() if self.keys else []

    def short_lived(self, client):
        return self._ensure(client).short_lived(client)


def _plain(client, method, url, where, timeout, **kwargs):
    """One request to a link-local credential service (no proxy: the service is on this machine's network)."""
    session = client.local_session()
    try:
        return session.request(method, url, timeout=timeout, allow_redirects=False, **kwargs)
    except (rexc.ConnectionError, rexc.Timeout) as exc:
        kind = "did not answer within %d s" % timeout[0] if isinstance(exc, rexc.ConnectTimeout) else (
            "timed out" if isinstance(exc, rexc.Timeout) else "cannot be reached")
        err = HuaweiCloudError("%s %s (%s)" % (where, kind, type(exc).__name__))
        err.unreachable = True
        raise err
    except rexc.RequestException as exc:
        raise HuaweiCloudError("%s: %s" % (where, type(exc).__name__))


def _answer_json(resp, where):
    try:
        return resp.json()
    except ValueError:
        raise HuaweiCloudError("%s answered HTTP %d with a body that is not JSON" % (where, resp.status_code))


class MetadataAuth(TemporaryKeysAuth):
    """The agency keys of an ECS or BMS from its instance metadata service, with the SDK's protocol: a session
    token (PUT with its TTL header; 404, 405 or 503 mean the image has none and the keys are read without), then
    the security key. "Please configure Cloud Service Agency first" is final; another 401 gets a new session token
    once."""

    name = "instance metadata (agency) keys"

    def __init__(self, url, probe=False):
        super(MetadataAuth, self).__init__("the instance metadata service at %s" % url)
        self.url = url.rstrip("/")
        self.timeout = PROBE_TIMEOUT if probe else METADATA_TIMEOUT
        self.session_token = None

    def _session_token(self, client, must):
        resp = _plain(client, "PUT", self.url + METADATA_TOKEN_PATH, self.source, self.timeout,
                      headers={"X-Metadata-Token-Ttl-Seconds": str(METADATA_TOKEN_TTL)})
        if resp.status_code == 200 and resp.text and HEADER_SAFE_RE.fullmatch(resp.text.strip()):
            self.session_token = resp.text.strip()
        elif resp.status_code in (404, 405, 503) and not must:
            self.session_token = None
        else:
            raise HuaweiCloudError("%s refused a session token (HTTP %d)" % (self.source, resp.status_code))

    def _key(self, client):
        headers = {"X-Metadata-Token": self.session_token} if self.session_token else {}
        return _plain(client, "GET", self.url + METADATA_KEY_PATH, self.source, self.timeout, headers=headers)

    def fetch(self, client):
        if self.session_token is None:
            self._session_token(client, must=False)
        resp = self._key(client)
        if resp.status_code == 401 and NO_AGENCY not in resp.text:
            self._session_token(client, must=True)
            resp = self._key(client)
        if resp.status_code == 401 and NO_AGENCY in resp.text:
            err = HuaweiCloudError("%s says this server has no agency: give the ECS or BMS a Cloud Service Agency "
                                   "(console: the server's Management Information, Agency) or use other credentials"
                                   % self.source)
            err.no_agency = True
            raise err
        if resp.status_code >= 400:
            raise HuaweiCloudError("%s refused the security key (HTTP %d)" % (self.source, resp.status_code))
        return credential_of(_answer_json(resp, self.source), self.source)


class PodIdentityAuth(TemporaryKeysAuth):
    """CCE pod identity: POST {} to HC_CONTAINER_CREDENTIALS_FULL_URI with the content of
    HC_CONTAINER_AUTHORIZATION_TOKEN_FILE as Authorization (read again at each fetch: the kubelet rotates it)."""

    name = "CCE pod identity keys"

    def __init__(self, uri, token_file):
        super(PodIdentityAuth, self).__init__("CCE pod identity at %s" % uri)
        self.uri = uri
        self.token_file = token_file

    def fetch(self, client):
        token = read_text(self.token_file, "the pod identity token file %s (HC_CONTAINER_AUTHORIZATION_TOKEN_FILE)"
                          % self.token_file)
        if not token or not HEADER_SAFE_RE.fullmatch(token):
            raise HuaweiCloudError("the pod identity token file %s is empty or not a token" % self.token_file)
        resp = _plain(client, "POST", self.uri, self.source, POD_IDENTITY_TIMEOUT, json={},
                      headers={"Authorization": token})
        if resp.status_code >= 400:
            raise HuaweiCloudError("%s refused the pod's token (HTTP %d): check the pod's service account and its "
                                   "CCE pod identity association" % (self.source, resp.status_code))
        return credential_of(_answer_json(resp, self.source), self.source)


class OidcAuth(TemporaryKeysAuth):
    """OIDC federation for CI: an id token exchanged at STS (``POST /v5/agencies/assume-with-oidc``) for an
    agency's temporary keys, with the SDK's HUAWEICLOUD_OIDC_* settings. A token file is read again at each
    exchange (CI systems rotate it)."""

    name = "OIDC federation keys"

    def __init__(self, settings):
        super(OidcAuth, self).__init__("OIDC federation (HUAWEICLOUD_OIDC_*) with agency %s"
                                       % settings["agency_urn"])
        self.settings = settings

    def fetch(self, client):
        s = self.settings
        token = s.get("id_token") or read_text(s["token_file"], "the OIDC token file %s (HUAWEICLOUD_OIDC_TOKEN_FILE)"
                                                                % s["token_file"])
        body = {"provider_urn": s["provider_urn"], "agency_urn": s["agency_urn"], "id_token": token,
                "agency_session_name": s["session_name"], "duration_seconds": s["duration"]}
        if s.get("policy"):
            body["policy"] = s["policy"]
        if s.get("policy_ids"):
            body["policy_ids"] = s["policy_ids"]
        resp = client.request("POST", "sts", "/v5/agencies/assume-with-oidc", body=body, project_scoped=False,
                              authenticate=False, idempotent=True, operation="exchange the OIDC token at STS")
        return credential_of(resp.body, "STS assume-with-oidc")


class IdTokenAuth(TemporaryKeysAuth):
    """IAM's federated id-token login (``HUAWEICLOUD_SDK_IDP_ID`` + ``HUAWEICLOUD_SDK_ID_TOKEN_FILE``, or
    ``idp_id`` + ``id_token_file`` of the SDK credentials file): an unscoped token for the id token, then temporary
    keys for that token (6 h, the SDK's duration)."""

    name = "federated id-token keys"

    def __init__(self, idp_id, token_file, source):
        super(IdTokenAuth, self).__init__(source)
        self.idp_id = idp_id
        self.token_file = token_file

    def fetch(self, client):
        id_token = read_text(self.token_file, "the id token file %s" % self.token_file)
        headers = {"X-Idp-Id": self.idp_id}
        resp = client.request("POST", "iam", "/v3.0/OS-AUTH/id-token/tokens", body={"auth": {"id_token": {
            "id": id_token}}}, project_scoped=False, authenticate=False, idempotent=True, headers=headers,
            operation="log in to IAM with the id token of identity provider %s" % self.idp_id)
        token = subject_token(resp, "the id-token login")
        body = {"auth": {"identity": {"methods": ["token"], "token": {"id": token,
                                                                      "duration_seconds": ID_TOKEN_DURATION}}}}
        resp = client.request("POST", "iam", "/v3.0/OS-CREDENTIAL/securitytokens", body=body, project_scoped=False,
                              authenticate=False, idempotent=True,
                              operation="get temporary keys for the federated token")
        return credential_of(resp.body, "IAM security tokens")


class AssumeAgencyAuth(TemporaryKeysAuth):
    """Assume an agency of another account (or of one's own) on top of any base method: IAM's security tokens
    with the ``assume_role`` method, authenticated by the base credentials."""

    name = "agency keys"

    def __init__(self, base, agency_name, domain_name=None, domain_id=None, duration=DEFAULT_AGENCY_DURATION):
        super(AssumeAgencyAuth, self).__init__("agency %s of account %s, assumed with %s" % (
            agency_name, domain_name or domain_id, base.describe()))
        self.base = base
        self.agency_name = agency_name
        self.domain_name = domain_name
        self.domain_id = domain_id
        self.duration = duration

    def fetch(self, client):
        role = {"agency_name": self.agency_name, "duration_seconds": self.duration}
        if self.domain_name:
            role["domain_name"] = self.domain_name
        else:
            role["domain_id"] = self.domain_id
        body = {"auth": {"identity": {"methods": ["assume_role"], "assume_role": role}}}
        resp = client.request("POST", "iam", "/v3.0/OS-CREDENTIAL/securitytokens", body=body, project_scoped=False,
                              idempotent=True, auth=self.base, operation="assume agency %s of account %s" % (
                                  self.agency_name, self.domain_name or self.domain_id))
        return credential_of(resp.body, "IAM security tokens (assume_role)")

    def secrets(self):
        return super(AssumeAgencyAuth, self).secrets() + self.base.secrets()


class FirstOf(Method):
    """The end of a chain that found nothing else: the instance metadata service, then CCE pod identity (when its
    variables are set), whichever answers first; what was looked at is said when neither does."""

    def __init__(self, methods, looked_at):
        super(FirstOf, self).__init__("the chain")
        self.methods = methods
        self.looked_at = looked_at
        self.chosen = None

    def _choose(self, client):
        with client.lock:
            if self.chosen is not None:
                return self.chosen
            reasons = []
            for method in self.methods:
                try:
                    method._ensure(client)
                except HuaweiCloudError as err:
                    if not (getattr(err, "unreachable", False) or getattr(err, "no_agency", False)):
                        raise
                    reasons.append(err.message)
                    continue
                self.chosen = method
                self.name, self.source = method.name, method.source
                self.renewable = True
                return method
            raise HuaweiCloudError(
                "no credentials found: looked at %s; %s. Set access_key/secret_key (HW_ACCESS_KEY/HW_SECRET_KEY), "
                "auth_token (HW_AUTH_TOKEN), user_name/password/domain_name (HW_USER_NAME/HW_USER_PASSWORD/"
                "HW_DOMAIN_NAME), a profile (HW_PROFILE), or pin a source with auth_source"
                % (", ".join(self.looked_at), "; ".join(reasons)))

    def apply(self, client, req):
        return self._choose(client).apply(client, req)

    @property
    def generation(self):
        return self.chosen.generation if self.chosen is not None else 0

    @generation.setter
    def generation(self, value):
        pass

    def renew(self, client, generation):
        return self._choose(client).renew(client, generation)

    def secrets(self):
        return self.chosen.secrets() if self.chosen is not None else []

    def short_lived(self, client):
        return self._choose(client).short_lived(client)


# --------------------------------------------------------------------------------------------------------------------
# The chain
# --------------------------------------------------------------------------------------------------------------------

def _env(name):
    value = os.environ.get(name)
    return value if value else None


def oidc_settings():
    """The SDK's HUAWEICLOUD_OIDC_* variables, when any is set; checked, never shown."""
    names = ("HUAWEICLOUD_OIDC_PROVIDER_URN", "HUAWEICLOUD_OIDC_AGENCY_URN", "HUAWEICLOUD_OIDC_ID_TOKEN",
             "HUAWEICLOUD_OIDC_TOKEN_FILE")
    if not any(_env(n) for n in names):
        return None
    missing = [n for n in names[:2] if not _env(n)]
    if not (_env(names[2]) or _env(names[3])):
        missing.append("HUAWEICLOUD_OIDC_ID_TOKEN or HUAWEICLOUD_OIDC_TOKEN_FILE")
    if missing:
        raise HuaweiCloudError("OIDC federation (HUAWEICLOUD_OIDC_*) is incomplete: %s not set" % ", ".join(missing))
    duration = _env("HUAWEICLOUD_OIDC_DURATION_SECONDS") or str(OIDC_DEFAULT_DURATION)
    if not duration.isdigit() or not AGENCY_DURATION_RANGE[0] <= int(duration) <= AGENCY_DURATION_RANGE[1]:
        raise HuaweiCloudError("HUAWEICLOUD_OIDC_DURATION_SECONDS must be a whole number of seconds from %d to %d"
                               % AGENCY_DURATION_RANGE)
    session = _env("HUAWEICLOUD_OIDC_SESSION_NAME") or OIDC_DEFAULT_SESSION
    token = _env("HUAWEICLOUD_OIDC_ID_TOKEN")
    checked = ((names[0], _env(names[0])), (names[1], _env(names[1])), ("HUAWEICLOUD_OIDC_SESSION_NAME", session),
               (names[2], token))
    for name, value in checked:
        if value is not None and (len(value) > 16384 or not HEADER_SAFE_RE.fullmatch(value)):
            raise HuaweiCloudError("%s contains white space or a control character; the value is not shown" % name)
    policy_ids = [p.strip() for p in (_env("HUAWEICLOUD_OIDC_POLICY_IDS") or "").split(",") if p.strip()]
    return {"provider_urn": _env(names[0]), "agency_urn": _env(names[1]), "id_token": token,
            "token_file": _env(names[3]), "session_name": session, "duration": int(duration),
            "policy": _env("HUAWEICLOUD_OIDC_POLICY"), "policy_ids": policy_ids}


def _id_token_env():
    idp, path = _env("HUAWEICLOUD_SDK_IDP_ID"), _env("HUAWEICLOUD_SDK_ID_TOKEN_FILE")
    if bool(idp) != bool(path):
        raise HuaweiCloudError("a federated id-token login needs both HUAWEICLOUD_SDK_IDP_ID and "
                               "HUAWEICLOUD_SDK_ID_TOKEN_FILE; only %s is set"
                               % ("HUAWEICLOUD_SDK_IDP_ID" if idp else "HUAWEICLOUD_SDK_ID_TOKEN_FILE"))
    return (idp, path) if idp else None


def _pod_identity(required):
    uri, path = _env("HC_CONTAINER_CREDENTIALS_FULL_URI"), _env("HC_CONTAINER_AUTHORIZATION_TOKEN_FILE")
    if not uri and not path and not required:
        return None
    if not uri or not path:
        raise HuaweiCloudError("CCE pod identity needs HC_CONTAINER_CREDENTIALS_FULL_URI and "
                               "HC_CONTAINER_AUTHORIZATION_TOKEN_FILE (set by CCE in a pod with a pod identity)")
    return PodIdentityAuth(validate_base_url(uri, "HC_CONTAINER_CREDENTIALS_FULL_URI"), path)


def from_options(options, where):
    """The one method the credential options describe, or an error saying what was found and what is missing."""
    validate_credentials(options)
    found = [name for _method, required, extra in AUTH_INPUTS for name in required + extra if options.get(name)]
    complete = [method for method, required, _extra in AUTH_INPUTS if all(options.get(name) for name in required)]
    started = [method for method, required, extra in AUTH_INPUTS if any(options.get(n) for n in required + extra)]
    described = ", ".join(found) if found else "none"
    if len(started) > 1:
        raise HuaweiCloudError(
            "exactly one authentication method must be configured, but inputs of several were found in %s (%s): "
            "use access_key/secret_key (optionally security_token), or auth_token, or user_name/password/domain_name"
            % (where, described))
    if not complete:
        if started:
            method = started[0]
            required = [r for m, req, _e in AUTH_INPUTS if m == method for r in req]
            missing = [name for name in required if not options.get(name)]
            raise HuaweiCloudError("incomplete %s credentials in %s: found %s, missing %s"
                                   % (method, where, described, ", ".join(missing)))
        raise HuaweiCloudError(
            "no credentials found: set access_key/secret_key (HW_ACCESS_KEY/HW_SECRET_KEY), auth_token "
            "(HW_AUTH_TOKEN), or user_name/password/domain_name (HW_USER_NAME/HW_USER_PASSWORD/HW_DOMAIN_NAME)")
    method = complete[0]
    if method == "AK/SK":
        return AkSkAuth(options["access_key"], options["secret_key"], options.get("security_token"), where)
    if method == "token":
        return TokenAuth(options["auth_token"], where)
    return PasswordAuth(options["user_name"], options["password"], options["domain_name"], where)


def _method_of(name):
    return next(m for m, required, extra in AUTH_INPUTS if name in required + extra)


def explicit_wins(options, explicit):
    """Options a user set explicitly win over environment variables: when credential options are set, the
    environment only completes their method; it adds no other method's inputs and no agency."""
    given = [n for n in CREDENTIAL_NAMES if n in explicit and options.get(n)]
    if not given:
        return options, "environment variables" if any(options.get(n) for n in CREDENTIAL_NAMES) else "options"
    methods = set(_method_of(n) for n in given)
    kept = dict(options)
    for name in CREDENTIAL_NAMES:
        if name not in explicit and _method_of(name) not in methods:
            kept[name] = None
    for name in AGENCY_OPTIONS:
        if name not in explicit:
            kept[name] = None
    from_env = [n for n in CREDENTIAL_NAMES if kept.get(n) and n not in explicit]
    return kept, "module options and environment variables" if from_env else "module options"


def validate_agency(options):
    """The agency options, checked before anything is sent (a null is unset, an empty string is refused)."""
    for option, rule, words in (("agency_name", _AGENCY_NAME_RE, "1-64 letters, digits, '.', '_' and '-'"),
                                ("agency_domain_name", _AGENCY_NAME_RE, "1-64 letters, digits, '.', '_' and '-'"),
                                ("agency_domain_id", _DOMAIN_ID_RE, "1-64 letters and digits")):
        value = options.get(option)
        if value is not None and (not isinstance(value, str) or not rule.fullmatch(value)):
            raise HuaweiCloudError("%s is not a valid name (%s)" % (option, words))


def _agency(base, options):
    validate_agency(options)
    name = options.get("agency_name")
    domain_name, domain_id = options.get("agency_domain_name"), options.get("agency_domain_id")
    if not name:
        if domain_name or domain_id:
            raise HuaweiCloudError("agency_domain_name or agency_domain_id is set, but agency_name is not: set the "
                                   "agency to assume (HW_ASSUME_ROLE_AGENCY_NAME)")
        return base
    if not domain_name and not domain_id:
        raise HuaweiCloudError("agency_name %s needs the account it belongs to: set agency_domain_name "
                               "(HW_ASSUME_ROLE_DOMAIN_NAME) or agency_domain_id" % name)
    duration = options.get("agency_duration")
    duration = DEFAULT_AGENCY_DURATION if duration is None else duration
    if isinstance(duration, bool) or not isinstance(duration, int) or \
            not AGENCY_DURATION_RANGE[0] <= duration <= AGENCY_DURATION_RANGE[1]:
        raise HuaweiCloudError("agency_duration must be a whole number of seconds from %d to %d" %
                               AGENCY_DURATION_RANGE)
    return AssumeAgencyAuth(base, name, domain_name, domain_id, duration)


def resolve(options, warn, explicit=None):
    """(the authentication method, the options with what its source adds: region, project, IAM endpoint).

    ``explicit`` names the options the user set (None: all of them count as set)."""
    try:
        source = validate_source_options(options)
        validate_agency(options)
        metadata = validate_base_url(METADATA_URL if options.get("metadata_url") is None
                                     else options["metadata_url"], "metadata_url")
        where = "options"
        if explicit is not None:
            options, where = explicit_wins(options, explicit)
            if source not in ("auto", "options"):
                # A pinned source is the only one read: credential variables of the environment are not.
                options = dict(options, **dict((n, None) for n in CREDENTIAL_NAMES if n not in explicit))
        given = any(options.get(name) for name in CREDENTIAL_NAMES)
        if source in ("oidc", "id_token", "metadata", "pod_identity") and given:
            raise HuaweiCloudError("auth_source is %s, but credential options are set too: unset them, or set "
                                   "auth_source to options" % source)
        if source == "oidc" or (source == "auto" and not given and oidc_settings()):
            settings = oidc_settings()
            if settings is None:
                raise HuaweiCloudError("auth_source is oidc, but no HUAWEICLOUD_OIDC_* variable is set")
            sts = _env("HUAWEICLOUD_SDK_STS_ENDPOINT")
            endpoints = options.get("endpoints")
            if sts and (endpoints is None or isinstance(endpoints, dict)) and "sts" not in (endpoints or {}):
                options = dict(options, endpoints=dict(endpoints or {}, sts=sts))
            return _agency(OidcAuth(settings), options), options
        if source == "id_token" or (source == "auto" and not given and _id_token_env()):
            found = _id_token_env()
            if found is None:
                raise HuaweiCloudError("auth_source is id_token, but HUAWEICLOUD_SDK_IDP_ID and "
                                       "HUAWEICLOUD_SDK_ID_TOKEN_FILE are not set")
            return _agency(IdTokenAuth(found[0], found[1], "a federated id token (HUAWEICLOUD_SDK_IDP_ID)"),
                           options), options
        if source == "metadata":
            return _agency(MetadataAuth(metadata), options), options
        if source == "pod_identity":
            return _agency(_pod_identity(required=True), options), options
        merged, found_in = from_sources(options, warn)
        if found_in != "options":
            where = found_in
        if merged.get("idp_id") or merged.get("id_token_file"):
            if not (merged.get("idp_id") and merged.get("id_token_file")):
                raise HuaweiCloudError("%s has only one of idp_id and id_token_file" % where)
            return _agency(IdTokenAuth(merged["idp_id"], os.path.expanduser(merged["id_token_file"]), where),
                           merged), merged
        if any(merged.get(name) for name in CREDENTIAL_NAMES) or source != "auto":
            return _agency(from_options(merged, where), merged), merged
        pod = _pod_identity(required=False)
        methods = [MetadataAuth(metadata, probe=True)] + ([pod] if pod else [])
        looked_at = ["options", "environment variables", "the shared config file", "the SDK credentials file",
                     "the instance metadata service at %s" % metadata] + (["CCE pod identity"] if pod else [])
        return _agency(FirstOf(methods, looked_at), merged), merged
    except (SourceError, ShapeError) as exc:
        raise HuaweiCloudError(str(exc))
