# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.infra contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection. Breaking changes can occur any time.

"""The one Huawei Cloud HTTP client of the collection.

It owns authentication (AK/SK signing, IAM token, IAM password login), endpoint resolution, TLS settings,
the retry policy, the error type, paging and the wait helper. Modules never talk HTTP themselves.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import random
import re
import time
from email.utils import parsedate_to_datetime
from datetime import datetime, timezone

try:
    from urllib.parse import quote, urlsplit
except ImportError:  # pragma: no cover
    from urllib import quote  # type: ignore
    from urlparse import urlsplit  # type: ignore

try:
    import requests
    from requests import exceptions as rexc
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as _import_error:  # pragma: no cover - depends on the controller
    requests = None
    rexc = None
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = _import_error

from ..module_utils import _signer
from ..module_utils._signer import find_header

COLLECTION_VERSION = "0.1.0"
USER_AGENT = "hwcloud.infra/%s" % COLLECTION_VERSION

SERVICES = ("iam", "modelarts", "clouddc", "vpc")
DEFAULT_CLOUD = "myhuaweicloud.com"

RETRY_STATUSES = frozenset([429, 500, 502, 503, 504])
# A write answered with one of these was certainly not applied, so it may be sent again.
NOT_APPLIED_STATUSES = frozenset([429, 503])
IDEMPOTENT_METHODS = frozenset(["GET", "HEAD", "OPTIONS"])
SENSITIVE_QUERY_KEYS = re.compile(r"(token|password|secret|signature|credential|key)", re.IGNORECASE)

_REGION_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_CLOUD_RE = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$")
_PROJECT_ID_RE = re.compile(r"^[A-Za-z0-9-]{1,64}$")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
_UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")
_PATH_PARAM_RE = re.compile(r"\{([a-z_]+)\}")


class HuaweiCloudError(Exception):
    """The collection's one error type: a failed API call, a bad input or a wait that ran out.

    ``str(err)`` is a complete one-line description; ``to_dict()`` is what modules return as ``error``.
    """

    def __init__(self, message, status=None, code=None, error_message=None, request_id=None,
                 method=None, url=None):
        super(HuaweiCloudError, self).__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.error_message = error_message
        self.request_id = request_id
        self.method = method
        self.url = url

    def reworded(self, message):
        """The same API error under a message that says more about what was being done."""
        return HuaweiCloudError(message, status=self.status, code=self.code, error_message=self.error_message,
                                request_id=self.request_id, method=self.method, url=self.url)

    def to_dict(self):
        return {
            "status": self.status,
            "code": self.code,
            "message": self.error_message if self.error_message is not None else self.message,
            "request_id": self.request_id,
            "method": self.method,
            "url": self.url,
        }


class AmbiguousWriteError(HuaweiCloudError):
    """A write was sent but its outcome is unknown (read timeout, reset after sending, 500/502/504).

    The client never re-sends such a write; the caller re-reads the state and decides.
    """


class WaitTimeoutError(HuaweiCloudError):
    """A wait ran out of time; ``last_state`` is what was seen last."""

    def __init__(self, message, last_state=None, **kwargs):
        super(WaitTimeoutError, self).__init__(message, **kwargs)
        self.last_state = last_state


# --------------------------------------------------------------------------------------------------------------------
# Small pure helpers
# --------------------------------------------------------------------------------------------------------------------

def validate_id(value, what):
    """Check an id before it goes into a URL: 1-64 characters, no '/', not '.' or '..', no control characters."""
    if not isinstance(value, str) or not value:
        raise HuaweiCloudError("%s must be a non-empty string" % what)
    if len(value) > 64:
        raise HuaweiCloudError("%s must be at most 64 characters, got %d" % (what, len(value)))
    if "/" in value or value in (".", "..") or _CONTROL_RE.search(value):
        raise HuaweiCloudError("%s %r is not a valid id (no '/', '.', '..' or control characters)" % (what, value))
    return value


def looks_like_uuid(value):
    """Resource ids are UUIDs (with or without hyphens); names usually are not."""
    return bool(_UUID_RE.match(value))


def match_id_or_name(records, ref):
    """The records whose id is ``ref``, else those whose name is ``ref``."""
    return [r for r in records if r.get("id") == ref] or [r for r in records if r.get("name") == ref]


def pick_one(matches, ref, kind, status_key):
    """Exactly one record for an id or a unique name; otherwise an error naming the candidates."""
    if not matches:
        raise HuaweiCloudError("no %s with id or name %r in this project" % (kind, ref))
    if len(matches) > 1:
        raise HuaweiCloudError("the name %r matches %d %ss, use an id: %s" % (
            ref, len(matches), kind, ", ".join("%s (%s)" % (r["id"], r.get(status_key)) for r in matches)))
    return matches[0]


def quote_segment(value):
    return quote(value, safe="")


def request_id_of(headers):
    return find_header(headers, "X-Request-Id")


def _pick_code_message(data):
    for code_key, msg_key in (("error_code", "error_msg"), ("errorCode", "errorMsg"), ("code", "message")):
        if code_key in data or msg_key in data:
            code = data.get(code_key)
            return (None if code is None else str(code)), data.get(msg_key)
    return None


def parse_error_body(body):
    """Return (code, message) from any of the error body shapes Huawei Cloud services use."""
    if body is None:
        return None, None
    if isinstance(body, bytes):
        text = body.decode("utf-8", "replace")
    else:
        text = body
    text = text.strip()
    if not text:
        return None, None
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        found = _pick_code_message(data)
        if found is None:
            for key in ("error", "Error", "NeutronError"):
                if isinstance(data.get(key), dict):
                    found = _pick_code_message(data[key])
                    if found is not None:
                        break
        if found is not None:
            return found
        return None, text[:500]
    # Non-JSON answers (gateway HTML or plain text): strip tags and squeeze white space.
    plain = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip()
    return None, plain[:500]


def parse_retry_after(value, now=None):
    """Seconds to wait from a Retry-After value (delta-seconds or HTTP date); None when absent or unreadable."""
    if value is None:
        return None
    value = str(value).strip()
    if re.match(r"^\d+(\.\d+)?$", value):
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    return max(0.0, (when - now).total_seconds())


def redact_url(url):
    """The URL with the values of secret-looking query parameters replaced."""
    if "?" not in url:
        return url
    base, _sep, query = url.partition("?")
    parts = []
    for pair in query.split("&"):
        key, eq, _value = pair.partition("=")
        parts.append("%s=%s" % (key, "REDACTED") if eq and SENSITIVE_QUERY_KEYS.search(key) else pair)
    return base + "?" + "&".join(parts)


def query_pairs(query):
    """Normalise a dict or list of pairs into (key, str value) pairs: None dropped, bools lower-case, lists expanded."""
    if not query:
        return []
    items = query.items() if isinstance(query, dict) else query
    pairs = []
    for key, value in items:
        if value is None:
            continue
        values = value if isinstance(value, (list, tuple)) else [value]
        for item in values:
            if isinstance(item, bool):
                item = "true" if item else "false"
            pairs.append((str(key), str(item)))
    return pairs


class RetryPolicy(object):
    """Capped exponential backoff with full jitter; Retry-After wins when the server sends one."""

    def __init__(self, retries=5, base=1.0, cap=30.0, max_retry_after=300.0, rand=random.uniform):
        self.retries = max(0, int(retries))
        self.base = base
        self.cap = cap
        self.max_retry_after = max_retry_after
        self.rand = rand

    def delay(self, attempt, retry_after=None):
        """Seconds to sleep before retry number ``attempt`` (1 for the first retry)."""
        if retry_after is not None:
            return min(max(0.0, retry_after), self.max_retry_after)
        return self.rand(0, min(self.cap, self.base * (2 ** attempt)))


# --------------------------------------------------------------------------------------------------------------------
# Options: endpoints and authentication
# --------------------------------------------------------------------------------------------------------------------

def resolve_endpoints(region, cloud=None, overrides=None):
    """Base URL per service: ``https://{service}.{region}.{cloud}``, each overridable."""
    cloud = cloud or DEFAULT_CLOUD
    if not _REGION_RE.match(region or ""):
        raise HuaweiCloudError("region %r is not a valid region name (lower-case letters, digits and hyphens)"
                               % (region,))
    if not _CLOUD_RE.match(cloud):
        raise HuaweiCloudError("cloud %r is not a valid domain name" % (cloud,))
    endpoints = dict((service, "https://%s.%s.%s" % (service, region, cloud)) for service in SERVICES)
    for service, url in (overrides or {}).items():
        if service not in SERVICES:
            raise HuaweiCloudError("endpoints: unknown service %r (known: %s)" % (service, ", ".join(SERVICES)))
        parts = urlsplit(str(url))
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
            raise HuaweiCloudError("endpoints.%s: %r is not an http(s) base URL" % (service, url))
        endpoints[service] = str(url).rstrip("/")
    return endpoints


class AkSkAuth(object):
    name = "AK/SK signing"

    def __init__(self, access_key, secret_key, security_token=None):
        self.access_key = access_key
        self.secret_key = secret_key
        self.security_token = security_token

    def headers(self, client, method, host, path, pairs, headers, body):
        headers = dict(headers)
        if self.security_token:
            headers["X-Security-Token"] = self.security_token
        return _signer.sign(method, host, path, pairs, headers, body, self.access_key, self.secret_key)


class TokenAuth(object):
    name = "IAM token"

    def __init__(self, token):
        self.token = token

    def headers(self, client, method, host, path, pairs, headers, body):
        headers = dict(headers)
        headers["X-Auth-Token"] = self.token
        return headers


class PasswordAuth(object):
    """IAM password login; the token is fetched once per client (so once per module run)."""
    name = "IAM password"

    def __init__(self, user_name, password, domain_name):
        self.user_name = user_name
        self.password = password
        self.domain_name = domain_name
        self.token = None

    def headers(self, client, method, host, path, pairs, headers, body):
        if self.token is None:
            client.login()
        headers = dict(headers)
        headers["X-Auth-Token"] = self.token
        return headers


AUTH_INPUTS = (
    ("AK/SK", ("access_key", "secret_key"), ("security_token",)),
    ("token", ("auth_token",), ()),
    ("password", ("user_name", "password", "domain_name"), ()),
)


def resolve_auth(options):
    """Pick exactly one authentication method from the options, or explain what was found."""
    found = [name for _method, required, extra in AUTH_INPUTS for name in required + extra if options.get(name)]
    complete = [method for method, required, _extra in AUTH_INPUTS if all(options.get(name) for name in required)]
    started = [method for method, required, extra in AUTH_INPUTS if any(options.get(n) for n in required + extra)]
    described = ", ".join(found) if found else "none"
    if len(started) > 1:
        raise HuaweiCloudError(
            "exactly one authentication method must be configured, but inputs of several were found (%s): "
            "use access_key/secret_key (optionally security_token), or auth_token, or user_name/password/domain_name"
            % described)
    if not complete:
        if started:
            method = started[0]
            required = [r for m, req, _e in AUTH_INPUTS if m == method for r in req]
            missing = [name for name in required if not options.get(name)]
            raise HuaweiCloudError("incomplete %s credentials: found %s, missing %s"
                                   % (method, described, ", ".join(missing)))
        raise HuaweiCloudError(
            "no credentials found: set access_key/secret_key (HW_ACCESS_KEY/HW_SECRET_KEY), auth_token "
            "(HW_AUTH_TOKEN), or user_name/password/domain_name (HW_USER_NAME/HW_USER_PASSWORD/HW_DOMAIN_NAME)")
    method = complete[0]
    if method == "AK/SK":
        return AkSkAuth(options["access_key"], options["secret_key"], options.get("security_token"))
    if method == "token":
        return TokenAuth(options["auth_token"])
    return PasswordAuth(options["user_name"], options["password"], options["domain_name"])


# --------------------------------------------------------------------------------------------------------------------
# The client
# --------------------------------------------------------------------------------------------------------------------

class ApiResponse(object):
    def __init__(self, status, headers, body, request_id):
        self.status = status
        self.headers = headers
        self.body = body
        self.request_id = request_id


def _never_sent(exc):
    """True when a requests exception proves the request never reached the server."""
    if isinstance(exc, rexc.ConnectTimeout):
        return True
    if isinstance(exc, rexc.ConnectionError):
        reason = getattr(exc.args[0], "reason", None) if exc.args else None
        names = [type(reason).__name__] if reason is not None else []
        return any(n in ("NewConnectionError", "ConnectTimeoutError", "NameResolutionError") for n in names)
    return False


class Client(object):
    """One client per module run. ``options`` uses the names of the common module options."""

    def __init__(self, options, session=None, sleep=time.sleep, clock=time.monotonic, rand=random.uniform,
                 backoff_base=1.0):
        if not HAS_REQUESTS:
            raise HuaweiCloudError("the Python library 'requests' is required: %s" % REQUESTS_IMPORT_ERROR)
        self.region = options.get("region")
        if not self.region:
            raise HuaweiCloudError("region is required (option region, or HW_REGION_NAME)")
        self.endpoints = resolve_endpoints(self.region, options.get("cloud"), options.get("endpoints"))
        self.auth = resolve_auth(options)
        self._project_id = options.get("project_id")
        if self._project_id is not None and not _PROJECT_ID_RE.match(self._project_id):
            raise HuaweiCloudError("project_id %r is not valid (1-64 letters, digits and hyphens)" % (self._project_id,))
        timeout = options.get("api_timeout")
        self.timeout = 30 if timeout is None else int(timeout)
        if self.timeout <= 0:
            raise HuaweiCloudError("api_timeout must be a positive number of seconds")
        retries = options.get("api_retries")
        retries = 5 if retries is None else int(retries)
        if retries < 0:
            raise HuaweiCloudError("api_retries must be 0 or more, got %d" % retries)
        self.retry = RetryPolicy(retries, base=backoff_base, rand=rand)
        ca_bundle = options.get("ca_bundle")
        if ca_bundle and not os.path.isfile(ca_bundle):
            raise HuaweiCloudError("ca_bundle %s is not a file" % ca_bundle)
        if options.get("validate_certs") is False:
            self.verify = False
        else:
            self.verify = ca_bundle or True
        self.sleep = sleep
        self.clock = clock
        self.session = session or requests.Session()
        self.session.trust_env = True
        self.calls = 0

    # -- project --------------------------------------------------------------------------------------------------

    @property
    def project_id(self):
        if self._project_id is None:
            self._project_id = self.discover_project_id()
        return self._project_id

    def discover_project_id(self):
        if isinstance(self.auth, PasswordAuth):
            self.login()
            if self._project_id:
                return self._project_id
        resp = self.request("GET", "iam", "/v3/projects", query={"name": self.region}, project_scoped=False,
                            operation="discover the project id of region %s" % self.region)
        projects = [p for p in (resp.body or {}).get("projects") or [] if p.get("name") == self.region]
        if len(projects) != 1:
            raise HuaweiCloudError("expected exactly one IAM project named %r, found %d; set project_id"
                                   % (self.region, len(projects)), request_id=resp.request_id)
        return validate_id(projects[0].get("id"), "project id")

    def login(self):
        """IAM password login, scoped to the project (by id when known, else by region name)."""
        auth = self.auth
        scope = {"project": {"id": self._project_id}} if self._project_id else {"project": {"name": self.region}}
        body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
            "name": auth.user_name, "password": auth.password, "domain": {"name": auth.domain_name}}}},
            "scope": scope}}
        resp = self.request("POST", "iam", "/v3/auth/tokens", body=body, project_scoped=False, authenticate=False,
                            idempotent=True, operation="log in to IAM as %s" % auth.user_name)
        token = find_header(resp.headers, "X-Subject-Token")
        if not token:
            raise HuaweiCloudError("IAM answered the login without an X-Subject-Token header",
                                   request_id=resp.request_id)
        auth.token = token
        project = ((resp.body or {}).get("token") or {}).get("project") or {}
        if self._project_id is None and project.get("id"):
            self._project_id = validate_id(project["id"], "project id")

    # -- requests -------------------------------------------------------------------------------------------------

    def build_path(self, template, path_params=None, project_scoped=True):
        params = dict(path_params or {})
        if project_scoped:
            params["project_id"] = self.project_id

        def substitute(match):
            name = match.group(1)
            if name not in params:
                raise HuaweiCloudError("internal error: no value for path parameter %s" % name)
            return quote_segment(validate_id(params[name], name.replace("_", " ")))

        return _PATH_PARAM_RE.sub(substitute, template)

    def request(self, method, service, template, path_params=None, query=None, body=None, project_scoped=True,
                idempotent=None, authenticate=True, operation=None):
        """Send one API call with retries; return an ApiResponse or raise HuaweiCloudError."""
        method = method.upper()
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        path = self.build_path(template, path_params, project_scoped)
        base = self.endpoints[service]
        split = urlsplit(base)
        full_path = split.path.rstrip("/") + path
        pairs = query_pairs(query)
        query_string = _signer.canonical_query(pairs)
        url = "%s://%s%s%s" % (split.scheme, split.netloc, full_path, "?" + query_string if query_string else "")
        shown_url = redact_url(url)
        payload = json.dumps(body, separators=(",", ":")).encode("utf-8") if body is not None else b""
        headers = {"User-Agent": USER_AGENT, "Content-Type": "application/json"}
        if project_scoped and isinstance(self.auth, AkSkAuth):
            headers["X-Project-Id"] = self.project_id
        what = operation or "%s %s" % (method, shown_url)

        attempt = 0
        while True:
            if authenticate:
                send_headers = self.auth.headers(self, method, split.netloc, full_path, pairs, headers, payload)
            else:
                send_headers = dict(headers)
            self.calls += 1
            try:
                resp = self.session.request(method, url, headers=send_headers, data=payload or None,
                                            timeout=self.timeout, verify=self.verify, allow_redirects=False)
            except rexc.SSLError as exc:
                raise HuaweiCloudError(
                    "%s: TLS error: %s (set ca_bundle to your CA's PEM bundle; validate_certs: false only for tests)"
                    % (what, _short(exc)), method=method, url=shown_url)
            except (rexc.ConnectionError, rexc.Timeout) as exc:
                never_sent = _never_sent(exc)
                if attempt < self.retry.retries and (idempotent or never_sent):
                    attempt += 1
                    self.sleep(self.retry.delay(attempt))
                    continue
                kind = "timed out" if isinstance(exc, rexc.Timeout) else "connection failed"
                if not idempotent and not never_sent:
                    raise AmbiguousWriteError(
                        "%s: %s after the request was sent; the outcome is unknown (%s)" % (what, kind, _short(exc)),
                        method=method, url=shown_url)
                raise HuaweiCloudError("%s: %s after %d attempt(s): %s" % (what, kind, attempt + 1, _short(exc)),
                                       method=method, url=shown_url)
            except rexc.RequestException as exc:
                raise HuaweiCloudError("%s: %s" % (what, _short(exc)), method=method, url=shown_url)

            status = resp.status_code
            request_id = request_id_of(resp.headers)
            if status in RETRY_STATUSES and attempt < self.retry.retries \
                    and (idempotent or status in NOT_APPLIED_STATUSES):
                attempt += 1
                self.sleep(self.retry.delay(attempt, parse_retry_after(find_header(resp.headers, "Retry-After"))))
                continue
            if status >= 400:
                code, message = parse_error_body(resp.content)
                error_class = AmbiguousWriteError if (not idempotent and status in RETRY_STATUSES
                                                      and status not in NOT_APPLIED_STATUSES) else HuaweiCloudError
                detail = "HTTP %d" % status
                if code:
                    detail += " %s" % code
                if message:
                    detail += ": %s" % message
                if request_id:
                    detail += " (request id %s)" % request_id
                raise error_class("%s failed: %s" % (what, detail), status=status, code=code, error_message=message,
                                  request_id=request_id, method=method, url=shown_url)
            return ApiResponse(status, resp.headers, _json_or_none(resp.content), request_id)

    def get(self, service, template, path_params=None, query=None, operation=None):
        return self.request("GET", service, template, path_params=path_params, query=query,
                            operation=operation).body

    # -- paging -------------------------------------------------------------------------------------------------

    def paginate_offset(self, service, template, items_key, path_params=None, query=None, limit=100,
                        operation=None):
        """Every item of an offset/limit listing (ModelArts style: ``{items_key: [...], total}``)."""
        offset = 0
        while True:
            page_query = dict(query or {}, limit=limit, offset=offset)
            body = self.get(service, template, path_params, page_query, operation) or {}
            items = body.get(items_key) or []
            yield from items
            offset += len(items)
            total = body.get("total")
            if not items or len(items) < limit or (total is not None and offset >= int(total)):
                return

    def paginate_marker(self, service, template, items_key, path_params=None, query=None, limit=100,
                        operation=None):
        """Every item of a marker listing (CloudDC ``page_info.next_marker``, or the last item's id for EIPs)."""
        marker = None
        seen = set()
        while True:
            page_query = dict(query or {}, limit=limit, marker=marker)
            body = self.get(service, template, path_params, page_query, operation) or {}
            items = body.get(items_key) or []
            yield from items
            if not items:
                return
            if isinstance(body.get("page_info"), dict):
                marker = body["page_info"].get("next_marker")
            else:
                marker = items[-1].get("id") if len(items) >= limit else None
            if not marker or marker in seen:
                return
            seen.add(marker)

    # -- waiting ------------------------------------------------------------------------------------------------

    def wait_for(self, fetch, done, timeout, describe, interval=1.0, max_interval=10.0):
        """Call ``fetch()`` until ``done(state)`` is true; back off between polls; raise WaitTimeoutError.

        ``done`` may itself raise HuaweiCloudError to stop on a terminal failure.
        """
        deadline = self.clock() + timeout
        delay = interval
        while True:
            state = fetch()
            if done(state):
                return state
            remaining = deadline - self.clock()
            if remaining <= 0:
                raise WaitTimeoutError("timed out after %s seconds waiting for %s; last state seen: %s"
                                       % (timeout, describe, _brief(state)), last_state=state)
            self.sleep(min(delay, remaining))
            delay = min(delay * 1.5, max_interval)


def _json_or_none(content):
    if not content:
        return None
    try:
        return json.loads(content.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None


def _short(exc):
    text = str(exc)
    return text if len(text) <= 300 else text[:297] + "..."


def _brief(state):
    try:
        text = json.dumps(state, sort_keys=True, default=str)
    except (TypeError, ValueError):
        text = repr(state)
    return text if len(text) <= 500 else text[:497] + "..."
