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

import contextlib
import json
import os
import random
import re
import socket
import ssl
import threading
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
    from requests.adapters import HTTPAdapter
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as _import_error:  # pragma: no cover - depends on the controller
    requests = None
    rexc = None
    HTTPAdapter = None
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = _import_error

from ..module_utils import _permissions, _signer
from ..module_utils._signer import find_header
from ..module_utils._auth import resolve
from ..module_utils._errors import AmbiguousWriteError, HuaweiCloudError, IncompleteListingError, WaitTimeoutError
from ..module_utils._validate import (ANY, Opt, ShapeError, parse_answer, validate_base_url, validate_id, validate_int,
                                      _shown)
from ..module_utils._hints import Context, closest, hint_for
from ..module_utils._rules import KNOWN_REGIONS, REGIONS, STS_REGIONS

COLLECTION_VERSION = "0.3.0"
USER_AGENT = "hwcloud.infra/%s" % COLLECTION_VERSION

SERVICES = ("iam", "modelarts", "clouddc", "vpc", "sts")
DEFAULT_CLOUD = "myhuaweicloud.com"
# The regions with a regional IAM endpoint; any other region uses the global one.
IAM_REGIONS = REGIONS["iam"]
GLOBAL_IAM = "https://iam.myhuaweicloud.com"
# STS (OIDC federation) in the regions of the SDK's STS table; any other region uses the SDK's default.
DEFAULT_STS = "https://sts.cn-north-4.myhuaweicloud.com"
# Hosts that are not ``{service}.{region}.myhuaweicloud.com`` (the SDK's region tables).
ENDPOINT_EXCEPTIONS = {
    ("iam", "eu-west-101"): "https://iam.eu-west-101.myhuaweicloud.eu",
    ("modelarts", "ap-southeast-1"): "https://modelarts.ap-southeast-1.myhuaweicloud.cn",
}

RETRY_STATUSES = frozenset([429, 500, 502, 503, 504])
# A write answered with one of these was certainly not applied, so it may be sent again.
NOT_APPLIED_STATUSES = frozenset([429, 503])
IDEMPOTENT_METHODS = frozenset(["GET", "HEAD", "OPTIONS"])
# The words of a query parameter's name that make its value a secret (redacted in logs, masked in results).
SENSITIVE_KEY_WORDS = "token|password|passwd|secret|signature|credential|key"
SENSITIVE_QUERY_KEYS = re.compile("(%s)" % SENSITIVE_KEY_WORDS, re.IGNORECASE)

# Bounds of the numeric options (seconds, counts).
API_TIMEOUT_RANGE = (1, 600)
API_RETRIES_RANGE = (0, 20)
WAIT_TIMEOUT_RANGE = (1, 86400)
DEFAULT_BACKOFF_BASE = 1.0

# Patterns are matched against whole strings (re.fullmatch): "$" alone would accept a trailing newline.
_REGION_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
_CLOUD_RE = re.compile(r"(?:{0}\.)+{0}".format(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"))
_PROJECT_ID_RE = re.compile(r"[A-Za-z0-9-]{1,64}")
_PATH_PARAM_RE = re.compile(r"\{([a-z_]+)\}")


def _item_id(item, position):
    return item.get("id", position) if isinstance(item, dict) else position


def match_id_or_name(records, ref):
    """The records whose id is ``ref``, else those whose name is ``ref``."""
    return [r for r in records if r.get("id") == ref] or [r for r in records if r.get("name") == ref]


def pick_one(matches, ref, kind, status_key, among=()):
    """Exactly one record for an id or a unique name; otherwise an error naming the candidates: those matching, or
    the closest names of ``among`` (the listing looked in)."""
    if not matches:
        near = closest(ref, [r.get("name") for r in among])
        raise HuaweiCloudError("no %s with id or name %r in this project%s" % (
            kind, ref, "; the closest names: %s" % ", ".join(near) if near else ""))
    if len(matches) > 1:
        raise HuaweiCloudError("the name %r matches %d %ss, use an id: %s" % (
            ref, len(matches), kind, ", ".join("%s (%s)" % (r["id"], r.get(status_key)) for r in matches)))
    return matches[0]


def quote_segment(value):
    return quote(value, safe="")


def request_id_of(headers):
    """The request id of an answer: ``X-Request-Id`` (any casing), or IAM's ``X-IAM-Trace-Id``."""
    return find_header(headers, "X-Request-Id") or find_header(headers, "X-IAM-Trace-Id")


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
    if re.fullmatch(r"\d{1,9}(\.\d{1,6})?", value):
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    return max(0.0, (when - now).total_seconds())


def redact_url(url):
    """The URL without user-info and with the values of secret-looking query parameters replaced."""
    url = str(url)
    scheme, sep, rest = url.partition("://")
    if sep:
        authority, slash, tail = rest.partition("/")
        if "@" in authority:
            authority = authority.rsplit("@", 1)[1]
        url = scheme + sep + authority + slash + tail
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


# Throttling (429) is always safe to repeat: it is retried for up to this many seconds of waiting in all (each wait
# counted as at least THROTTLE_MIN_COUNT seconds), however many attempts that takes; other failures count attempts.
THROTTLE_BUDGET = 120.0
# The last rounds of a wait's progress a result keeps.
WAIT_PROGRESS_KEPT = 20
THROTTLE_MIN_COUNT = 1.0


class _ThrottleBudget(object):
    """The waits of one request answered 429: backoff (or Retry-After) until THROTTLE_BUDGET is used up.

    ``api_retries: 0`` turns this off like every other retry."""

    def __init__(self, retry):
        self.retry = retry
        self.attempt = 0
        self.used = 0.0

    def next_delay(self, retry_after=None):
        if self.retry.retries == 0:
            return None
        self.attempt += 1
        delay = self.retry.delay(min(self.attempt, 16), retry_after)
        if self.used + max(delay, THROTTLE_MIN_COUNT) > THROTTLE_BUDGET:
            return None
        self.used += max(delay, THROTTLE_MIN_COUNT)
        return delay


class TokenBucket(object):
    """A client-side rate limit shared by every thread of a client: ``rate`` requests per second on average, bursts
    of up to ``burst``. Each request takes a token; without one it waits until its turn (reservations keep the
    order fair under concurrency)."""

    def __init__(self, rate, burst=None, clock=time.monotonic, sleep=time.sleep):
        self.rate = float(rate)
        self.burst = float(burst if burst is not None else max(1.0, rate))
        self.tokens = self.burst
        self.clock = clock
        self.sleep = sleep
        self.stamp = clock()
        self.lock = threading.Lock()

    def acquire(self):
        with self.lock:
            now = self.clock()
            self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
            self.tokens -= 1.0
            wait = -self.tokens / self.rate if self.tokens < 0 else 0.0
        if wait > 0:
            self.sleep(wait)


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
# Options: endpoints and credentials
# --------------------------------------------------------------------------------------------------------------------

def validate_region(region):
    if not isinstance(region, str) or not _REGION_RE.fullmatch(region):
        raise HuaweiCloudError("region %s is not a valid region name (lower-case letters, digits and hyphens, "
                               "at most 64)" % _shown(region))
    return region


def validate_endpoint(service, url):
    """A service's base URL (``validate_base_url``), named endpoints.<service>."""
    return validate_base_url(url, "endpoints.%s" % service)


def default_endpoint(service, region, cloud=DEFAULT_CLOUD):
    """The base URL of a service in a region, as the SDK's region tables have it: ``https://{service}.{region}.
    {cloud}``, except IAM in regions without a regional IAM (the global endpoint) and the few hosts on other
    domains. A ``cloud`` other than the default applies the plain pattern to every service."""
    if cloud != DEFAULT_CLOUD:
        return "https://%s.%s.%s" % (service, region, cloud)
    if (service, region) in ENDPOINT_EXCEPTIONS:
        return ENDPOINT_EXCEPTIONS[(service, region)]
    if service == "iam" and region not in IAM_REGIONS:
        return GLOBAL_IAM
    if service == "sts" and region not in STS_REGIONS:
        return DEFAULT_STS
    return "https://%s.%s.%s" % (service, region, cloud)


def resolve_endpoints(region, cloud=None, overrides=None):
    """Base URL per service (``default_endpoint``), each overridable."""
    cloud = DEFAULT_CLOUD if cloud is None else cloud
    validate_region(region)
    if not isinstance(cloud, str) or len(cloud) > 253 or not _CLOUD_RE.fullmatch(cloud):
        raise HuaweiCloudError("cloud %s is not a valid domain name" % _shown(cloud))
    endpoints = dict((service, default_endpoint(service, region, cloud)) for service in SERVICES)
    if overrides is not None and not isinstance(overrides, dict):
        raise HuaweiCloudError("endpoints must be a mapping of service names to base URLs")
    # STS is only asked for OIDC federation, and the SDK sends any region's exchange to its default.
    defaulted = [service for service in SERVICES if service not in (overrides or {}) and service != "sts"]
    if cloud == DEFAULT_CLOUD and defaulted and region not in KNOWN_REGIONS:
        near = closest(region, KNOWN_REGIONS)
        raise HuaweiCloudError(
            "region %s is not a region of Huawei Cloud's region tables (those of its SDK)%s; nothing was sent. "
            "Correct region, or, for a region newer than these tables, set endpoints for %s"
            % (region, "; the closest: %s" % ", ".join(near) if near else "", ", ".join(defaulted)))
    for service, url in (overrides or {}).items():
        if service not in SERVICES:
            raise HuaweiCloudError("endpoints: unknown service %s (known: %s)" % (_shown(service), ", ".join(SERVICES)))
        endpoints[service] = validate_endpoint(service, url)
    return endpoints


PROJECTS_ANSWER = {"projects": [{"id": str, "name": str}]}
# A 403 that is no missing action: the credentials are not of the project's account.
PROJECT_REFUSALS = frozenset(["APIG.0302"])


def _lacking(req, message):
    """(the action a refused call lacks, what to do): the action the answer names, else the table's (role/policy
    action, with the identity-policy one when it differs), and the shipped policy file that grants it."""
    row = req.permission
    named = _permissions.denied_action(message)
    actions = [named] if named else list(row.role or row.identity)
    shown = " or ".join(actions) or "an action Huawei does not document"
    if not named and row.identity and tuple(row.identity) != tuple(row.role):
        shown += " (identity policies: %s)" % ", ".join(row.identity)
    grants = _permissions.grants()
    files = sorted(set(f for f in (_permissions.policy_granting(a, grants) for a in actions) if f))
    hint = "grant %s to these credentials (an IAM policy of the user, group or agency)" % " and ".join(actions)
    if files:
        hint += "; %s grants it, docs/permissions.md lists what each module needs" % ", ".join(files)
    return shown, hint


# The gateway's answers (401) to a credential it no longer accepts: a bad or expired token or signature.
CREDENTIAL_REFUSALS = frozenset(["APIG.0301", "APIG.0307"])


# --------------------------------------------------------------------------------------------------------------------
# The client
# --------------------------------------------------------------------------------------------------------------------

class ApiResponse(object):
    def __init__(self, status, headers, body, request_id):
        self.status = status
        self.headers = headers
        self.body = body
        self.request_id = request_id


class PreparedRequest(object):
    """Everything about one API call that does not change between attempts."""

    def __init__(self, method, url, netloc, path, pairs, payload, headers, idempotent, authenticate, project_scoped,
                 operation, expect, service=None, auth=None):
        self.method = method
        # The method that authenticates it (None: the client's), and the generation of its credentials last used.
        self.auth = auth
        self.generation = None
        self.service = service
        # The X-Sdk-Date of the last attempt's signature.
        self.signed_at = None
        self.url = url
        self.shown_url = redact_url(url)
        self.netloc = netloc
        self.path = path
        self.pairs = pairs
        self.payload = payload
        self.headers = headers
        self.idempotent = idempotent
        self.authenticate = authenticate
        self.project_scoped = project_scoped
        self.operation = operation or "%s %s" % (method, self.shown_url)
        self.expect = expect

    def error(self, cls, message, transient=False, **fields):
        err = cls("%s: %s" % (self.operation, message), method=self.method, url=self.shown_url, **fields)
        err.transient = transient
        return err


class Written(object):
    """What ``Client.write`` did. ``ours``: this run's write took effect (the cloud accepted it, or a re-read after
    its lost answer shows it applied); false when the cloud refused it as already done, someone else's change.
    ``request_id``: the accepted write's, when its answer came."""

    def __init__(self, ours, request_id=None):
        self.ours = ours
        self.request_id = request_id


# A connection refused outright, a host name that does not resolve or a proxy that cannot connect is retried with
# at most this many seconds of sleeping in all (whatever api_retries says): such an answer rarely changes within
# seconds, and a typo in an endpoint must fail fast. Timeouts and resets keep api_retries' backoff.
FAST_FAILURE_BUDGET = 5.0


class _TransportFailure(Exception):
    """A request that got no HTTP answer; ``never_sent`` when it provably never reached the server. ``problem``
    says what happened and what to check (``connection_problem``); ``fast`` when retries get FAST_FAILURE_BUDGET."""

    def __init__(self, exc, url, timeout=None, proxy=None):
        super(_TransportFailure, self).__init__(str(exc))
        self.exc = exc
        self.problem = connection_problem(exc, url, timeout, proxy)
        self.never_sent = _never_sent(exc) or self.problem.kind in ("refused", "dns") or (
            self.problem.kind == "proxy" and self.problem.before_sending)
        self.fast = self.problem.kind in ("refused", "dns", "proxy") and self.never_sent


class ConnectionProblem(object):
    """What went wrong on the way to an endpoint: ``kind`` (refused, dns, proxy, tls, connect-timeout,
    read-timeout, reset, other), one sentence naming the endpoint and the cause, and what to check (``hint``)."""

    def __init__(self, kind, sentence, hint, before_sending=False):
        self.kind = kind
        self.sentence = sentence
        self.hint = hint
        # The request provably never left: no connection to the proxy, or the proxy refused the tunnel.
        self.before_sending = before_sending


def _exception_chain(exc):
    """``exc`` and everything it wraps (urllib3's reason, causes, contexts, exception arguments), outermost first."""
    seen, todo = [], [exc]
    while todo and len(seen) < 32:
        item = todo.pop(0)
        if not isinstance(item, BaseException) or any(item is s for s in seen):
            continue
        seen.append(item)
        todo += [getattr(item, "reason", None), item.__cause__, item.__context__]
        todo += [a for a in getattr(item, "args", ()) if isinstance(a, BaseException)]
    return seen


def _names(chain):
    return set(type(e).__name__ for e in chain)


def _cause_text(chain):
    """The innermost cause in words: an OS error's own text ("Connection refused"), else the last message."""
    for item in reversed(chain):
        if isinstance(item, ssl.SSLError):
            return re.sub(r"\s*\(_ssl\.c:\d+\)$", "", str(item))
        if isinstance(item, OSError) and getattr(item, "strerror", None):
            return item.strerror
    text = str(chain[-1]) if chain else ""
    return re.sub(r"^<[^>]*>:\s*", "", text) or type(chain[-1]).__name__


def host_port(url):
    """``host:port`` of a URL (the scheme's port when none is written), without user-info."""
    parsed = urlsplit(str(url))
    host = parsed.hostname or "?"
    try:
        port = parsed.port
    except ValueError:
        port = None
    port = port or (443 if parsed.scheme == "https" else 80)
    return "%s:%s" % ("[%s]" % host if ":" in host else host, port)


def connection_problem(exc, url, timeout=None, proxy=None):
    """A ConnectionProblem for a requests exception raised while calling ``url`` (through ``proxy``, if any)."""
    chain = _exception_chain(exc)
    names = _names(chain)
    where = host_port(url)
    cause = _cause_text(chain)
    endpoints = "the endpoints option (or HW_ENDPOINTS) and the region"
    if any(isinstance(e, rexc.ProxyError) for e in chain) or "ProxyError" in names:
        via = host_port(proxy) if proxy else "the proxy"
        return ConnectionProblem(
            "proxy", "the proxy %s could not take the request to %s (%s)" % (via, where, cause),
            "check HTTPS_PROXY and HTTP_PROXY (the proxy's host and port) and NO_PROXY (the hosts reached without "
            "it); unset them where this network needs no proxy",
            before_sending="NewConnectionError" in names or "Tunnel connection failed" in cause)
    if any(isinstance(e, ssl.SSLError) for e in chain) or any(isinstance(e, rexc.SSLError) for e in chain):
        return ConnectionProblem(
            "tls", "the TLS handshake with %s failed (%s)" % (where, cause),
            "set ca_bundle to the PEM bundle of the CA that signed the endpoint's certificate (a private gateway or "
            "a TLS-inspecting proxy), and check that the endpoint's host name is one its certificate names; "
            "validate_certs: false only for tests")
    if "NameResolutionError" in names or any(isinstance(e, socket.gaierror) for e in chain):
        return ConnectionProblem(
            "dns", "the host name of %s does not resolve (%s)" % (where, cause),
            "check %s (the region is part of the host name: a typo names a host that does not exist) and this "
            "machine's DNS; behind a proxy, set HTTPS_PROXY" % endpoints)
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return ConnectionProblem(
            "refused", "%s refused the connection (%s): nothing accepts connections on that port" % (where, cause),
            "check %s; for a simulator or a private gateway, check that it is running and listens on that port; a "
            "firewall can refuse it too" % endpoints)
    if isinstance(exc, rexc.ConnectTimeout) or "ConnectTimeoutError" in names:
        return ConnectionProblem(
            "connect-timeout", "the connection to %s timed out (none within api_timeout, %s s)" % (where, timeout),
            "a firewall or a network without a route to the endpoint drops the connection: check %s, the proxy "
            "variables (HTTPS_PROXY, NO_PROXY) and the network path" % endpoints)
    if isinstance(exc, rexc.Timeout):
        return ConnectionProblem(
            "read-timeout", "the answer of %s timed out (the connection was made, no answer within api_timeout, %s s)"
            % (where, timeout), "raise api_timeout if the service is slow to answer; check that the endpoint is the "
            "service's (%s)" % endpoints)
    if names & set(["ConnectionResetError", "RemoteDisconnected", "ProtocolError", "BrokenPipeError",
                    "ConnectionAbortedError"]):
        return ConnectionProblem(
            "reset", "the connection to %s was closed before an answer (%s)" % (where, cause),
            "a proxy, load balancer or firewall on the way closed it; if it keeps happening, check the proxy "
            "variables and %s" % endpoints)
    return ConnectionProblem("other", "the connection to %s failed (%s)" % (where, cause),
                             "check %s and the proxy variables (HTTPS_PROXY, NO_PROXY)" % endpoints)


def _never_sent(exc):
    """True when a requests exception proves the request never reached the server."""
    if isinstance(exc, rexc.ConnectTimeout):
        return True
    if isinstance(exc, rexc.ConnectionError):
        reason = getattr(exc.args[0], "reason", None) if exc.args else None
        names = [type(reason).__name__] if reason is not None else []
        return any(n in ("NewConnectionError", "ConnectTimeoutError", "NameResolutionError") for n in names)
    return False


def _option(options, name, default):
    value = options.get(name)
    return default if value is None else value


class Client(object):
    """One client per module run. ``options`` uses the names of the common module options.

    Every option is validated here, before any HTTP request.
    """

    # (method, service, template) of every call prepared that module_utils/_permissions.py has no row for.
    unlisted = set()
    # When a set: the rows of every call any client of this process prepares (the permission uses are derived so).
    record = None

    def __init__(self, options, session=None, sleep=None, clock=time.monotonic, rand=random.uniform,
                 backoff_base=None, explicit=None):
        if not HAS_REQUESTS:
            raise HuaweiCloudError("the Python library 'requests' is required: %s" % REQUESTS_IMPORT_ERROR)
        self.warnings = []
        # Guards what threads of one client share: the call counter, the login and the project id.
        self.lock = threading.RLock()
        # The method, from the chain (a profile or file may name the region and project too); nothing is sent yet.
        self.auth, options = resolve(options, self.warn, explicit)
        self.region = options.get("region")
        if not self.region:
            raise HuaweiCloudError("region is required: set the option region, or the environment variable "
                                   "HW_REGION_NAME (or HUAWEICLOUD_SDK_REGION)")
        self.endpoints = resolve_endpoints(self.region, options.get("cloud"), options.get("endpoints"))
        project_id = options.get("project_id")
        if project_id is not None and (not isinstance(project_id, str) or not _PROJECT_ID_RE.fullmatch(project_id)):
            raise HuaweiCloudError("project_id %s is not valid (1-64 letters, digits and hyphens)" % _shown(project_id))
        self._project_id = project_id
        self.timeout = validate_int(_option(options, "api_timeout", 30), "api_timeout", API_TIMEOUT_RANGE)
        retries = validate_int(_option(options, "api_retries", 5), "api_retries", API_RETRIES_RANGE)
        self.retry = RetryPolicy(retries, base=DEFAULT_BACKOFF_BASE if backoff_base is None else backoff_base,
                                 rand=rand)
        ca_bundle = options.get("ca_bundle")
        if ca_bundle and not os.path.isfile(ca_bundle):
            raise HuaweiCloudError("ca_bundle %s is not a file" % _shown(ca_bundle))
        self.verify = False if options.get("validate_certs") is False else (ca_bundle or True)
        # After a write whose answer was lost, re-read this long before deciding it did not happen.
        self.settle_window = float(self.timeout)
        self.sleep = sleep or time.sleep
        self.clock = clock
        self.session = session or requests.Session()
        self.session.trust_env = True
        self._local_session = None
        self.calls = 0
        # One record per wait: what it waited for, the reads it made, the seconds it took (a module returns them).
        self.waits = []
        # Per thread: the deadline of the wait a request is sent for; its retries never sleep past it.
        self._local = threading.local()
        # Called with a line after each read of a wait, as it goes (a module logs it: syslog or the journal).
        self.on_wait = None
        # Called with each secret value the authentication holds (a module masks them in all its output).
        self.on_secret = None
        self.limiter = None
        # What this client learned about the caller's permissions during the run (e.g. a refused tenant-wide listing).
        self.facts = {}
        # The rows of module_utils/_permissions.py of the calls this client had answered 2xx.
        self.permissions_granted = set()

    def warn(self, message):
        with self.lock:
            if message not in self.warnings:
                self.warnings.append(message)

    @property
    def credential_source(self):
        return self.auth.source

    def local_session(self):
        """The session for credential services on this machine's network (instance metadata, pod identity):
        never through a proxy, and verified as the API's."""
        if self._local_session is None:
            self._local_session = requests.Session()
            self._local_session.trust_env = False
            self._local_session.headers["User-Agent"] = USER_AGENT
            self._local_session.verify = self.verify
        return self._local_session

    def share(self, concurrency, rate=None):
        """Prepare the client for ``concurrency`` threads: a connection pool that large and, with ``rate``, a
        token bucket every request of every thread passes through."""
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=max(10, int(concurrency)))
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        if rate:
            # A burst of one: in any second at most rate + 1 requests leave, as a gateway's per-second window counts.
            self.limiter = TokenBucket(rate, burst=1, clock=self.clock, sleep=self.sleep)

    # -- project --------------------------------------------------------------------------------------------------

    @property
    def known_project_id(self):
        return self._project_id

    @property
    def project_id(self):
        if self._project_id is None:
            with self.lock:
                if self._project_id is None:
                    self._project_id = self.auth.project_id(self) or self.discover_project_id()
        return self._project_id

    def discover_project_id(self):
        """The id of the account's IAM project named after the region. When there is none (or several), the error
        says why, with the closest known region names and the account's own projects, and advises project_id only
        where setting it helps."""
        operation = "discover the project id of region %s" % self.region
        resp = self.request("GET", "iam", "/v3/projects", query={"name": self.region}, project_scoped=False,
                            expect=PROJECTS_ANSWER, operation=operation)
        projects = [p for p in resp.body["projects"] if p["name"] == self.region]
        if len(projects) == 1:
            return validate_id(projects[0]["id"], "project id")
        if projects:
            raise HuaweiCloudError(
                "%s: the account has %d IAM projects named %s (%s); set project_id to the one to use"
                % (operation, len(projects), self.region, ", ".join(sorted(p["id"] for p in projects))),
                request_id=resp.request_id)
        raise HuaweiCloudError("%s: %s" % (operation, self._no_project(resp.request_id)),
                               request_id=resp.request_id)

    def _no_project(self, request_id):
        """Why the account has no project named after the region, in words: a name no region has, or a region the
        account has no project in; with the account's project names when it may list them."""
        try:
            every = self.request("GET", "iam", "/v3/projects", project_scoped=False, expect=PROJECTS_ANSWER,
                                 operation="list the account's IAM projects").body["projects"]
            names = sorted(set(p["name"] for p in every if p["name"] != "MOS"))
        except HuaweiCloudError as err:
            if err.transient:
                raise
            names = None
        near = [] if self.region in KNOWN_REGIONS else closest(self.region, list(KNOWN_REGIONS) + (names or []))
        near_text = "; the closest: %s" % ", ".join(near) if near else ""
        if names is None:
            have = "; the account's projects could not be listed (request id %s)" % request_id
        else:
            shown = names[:12] + (["and %d more" % (len(names) - 12)] if len(names) > 12 else [])
            have = "; the account's projects: %s" % (", ".join(shown) or "none")
        # A sub-project (region_name) is a project of that region: its id is what project_id is for.
        subprojects = [n for n in names or [] if n.startswith(self.region + "_")]
        if subprojects:
            advice = ("Set project_id to the id of the sub-project to use (%s), or correct region"
                      % ", ".join(subprojects))
        elif self.region not in KNOWN_REGIONS:
            advice = "Correct region%s" % (
                "" if names is not None else ", or set project_id if the region is right and newer than the "
                "collection's region tables")
        else:
            advice = "Use a region the account has a project in, or enable %s for the account" % self.region
        if self.region in KNOWN_REGIONS:
            what = "the account has no IAM project in region %s" % self.region
        else:
            what = "region %s is not a Huawei Cloud region name, and the account has no IAM project of that name" \
                % self.region
        return "%s%s%s. %s; nothing was sent to the services" % (what, near_text, have, advice)

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

    def prepare(self, method, service, template, path_params=None, query=None, body=None, project_scoped=True,
                idempotent=None, authenticate=True, operation=None, expect=ANY, auth=None, headers=None):
        method = method.upper()
        path = self.build_path(template, path_params, project_scoped)
        split = urlsplit(self.endpoints[service])
        full_path = split.path.rstrip("/") + path
        pairs = query_pairs(query)
        query_string = _signer.canonical_query(pairs)
        url = "%s://%s%s%s" % (split.scheme, split.netloc, full_path, "?" + query_string if query_string else "")
        payload = json.dumps(body, separators=(",", ":")).encode("utf-8") if body is not None else b""
        sent = {"User-Agent": USER_AGENT, "Content-Type": "application/json"}
        sent.update(headers or {})
        req = PreparedRequest(method, url, split.netloc, full_path, pairs, payload, sent,
                              method in IDEMPOTENT_METHODS if idempotent is None else idempotent,
                              authenticate, project_scoped, operation, expect, service, auth)
        # The IAM actions the call needs (module_utils/_permissions.py); a call without a row is noted.
        req.permission = _permissions.find(method, service, template, body)
        with self.lock:
            if req.permission is None:
                Client.unlisted.add((method, service, template))
            elif Client.record is not None:
                Client.record.add(req.permission)
        return req

    def request(self, method, service, template, path_params=None, query=None, body=None, project_scoped=True,
                idempotent=None, authenticate=True, operation=None, expect=ANY, auth=None, headers=None):
        """Send one API call with retries; return an ApiResponse whose body fits ``expect``, or raise.

        A call the gateway refuses because the credentials expired or were invalidated (401, which it never
        applied) is sent once more with renewed credentials when the method can renew them."""
        req = self.prepare(method, service, template, path_params, query, body, project_scoped, idempotent,
                           authenticate, operation, expect, auth, headers)
        attempt = 0
        renewed = False
        throttle = _ThrottleBudget(self.retry)
        fast_slept = 0.0
        while True:
            try:
                resp = self.send_once(req)
            except _TransportFailure as failure:
                if attempt < self.retry.retries and (req.idempotent or failure.never_sent):
                    delay = self.retry.delay(attempt + 1)
                    if failure.fast:
                        # Refused, unresolvable, no proxy: a few quick tries, FAST_FAILURE_BUDGET in all.
                        delay = min(delay, FAST_FAILURE_BUDGET - fast_slept)
                        fast_slept += delay
                    if (not failure.fast or delay > 0) and self._fits(delay):
                        attempt += 1
                        self.sleep(delay)
                        continue
                raise self._transport_error(req, failure, attempt)
            if resp.status_code == 401 and req.authenticate and not renewed and self._renew(req, resp):
                renewed = True
                continue
            if resp.status_code == 429:
                delay = throttle.next_delay(parse_retry_after(find_header(resp.headers, "Retry-After")))
                if delay is not None and self._fits(delay):
                    self.sleep(delay)
                    continue
                return self.answer(req, resp)
            delay = self.retry_delay(req, resp, attempt)
            if delay is not None and self._fits(delay):
                attempt += 1
                self.sleep(delay)
                continue
            try:
                return self.answer(req, resp)
            except HuaweiCloudError as err:
                # A read answered 2xx with nothing readable says nothing: it is asked again, like a 5xx.
                delay = self.retry.delay(attempt + 1)
                unreadable_read = req.idempotent and 200 <= resp.status_code < 300 and err.transient
                if not unreadable_read or attempt >= self.retry.retries or not self._fits(delay):
                    raise
                attempt += 1
                self.sleep(delay)

    def _renew(self, req, resp):
        """Renew the credentials of ``req`` after the gateway refused them; False when the method cannot."""
        method = req.auth or self.auth
        code, _message = parse_error_body(resp.content)
        if code not in CREDENTIAL_REFUSALS or not method.renewable:
            return False
        return method.renew(self, req.generation)

    def _fits(self, delay):
        """Whether sleeping ``delay`` seconds before a retry stays within the deadline of the wait (if any) the
        request is part of: ``wait_timeout`` bounds the whole wait, throttling included."""
        deadline = getattr(self._local, "deadline", None)
        return deadline is None or self.clock() + delay <= deadline

    def send_once(self, req):
        """One attempt: sign, send, return the raw answer; _TransportFailure when no answer came."""
        method = req.auth or self.auth
        if req.authenticate:
            req.generation = method.generation
            headers = method.apply(self, req)
            if self.on_secret is not None:
                for secret in method.secrets():
                    self.on_secret(secret)
        else:
            headers = dict(req.headers)
        req.signed_at = find_header(headers, "X-Sdk-Date")
        if self.limiter is not None:
            self.limiter.acquire()
        with self.lock:
            self.calls += 1
        try:
            return self.session.request(req.method, req.url, headers=headers, data=req.payload or None,
                                        timeout=self.timeout, verify=self.verify, allow_redirects=False)
        except rexc.SSLError as exc:
            # Not retried: a certificate the client does not trust stays untrusted.
            problem = connection_problem(exc, req.url, self.timeout, self._proxy_for(req.url))
            err = req.error(HuaweiCloudError, "TLS error: %s" % problem.sentence)
            err.hint = problem.hint
            raise err
        except (rexc.ConnectionError, rexc.Timeout) as exc:
            raise _TransportFailure(exc, req.url, self.timeout, self._proxy_for(req.url))
        except rexc.RequestException as exc:
            raise req.error(HuaweiCloudError, _short(exc))

    def retry_delay(self, req, resp, attempt):
        """Seconds to wait before sending ``req`` again after ``resp``, or None when it must not be sent again."""
        if resp.status_code not in RETRY_STATUSES or attempt >= self.retry.retries:
            return None
        if not req.idempotent and resp.status_code not in NOT_APPLIED_STATUSES:
            return None
        return self.retry.delay(attempt + 1, parse_retry_after(find_header(resp.headers, "Retry-After")))

    def _proxy_for(self, url):
        """The proxy URL requests uses for ``url`` (from the environment), or None."""
        if not self.session.trust_env:
            return None
        try:
            return requests.utils.select_proxy(url, requests.utils.get_environ_proxies(url)) or None
        except Exception:  # pylint: disable=broad-except
            return None

    def _transport_error(self, req, failure, attempt):
        problem = failure.problem
        if not req.idempotent and not failure.never_sent:
            err = req.error(AmbiguousWriteError, "%s after the request was sent, so its outcome is unknown"
                            % problem.sentence, transient=True)
        else:
            err = req.error(HuaweiCloudError, "%s (gave up after %d attempt(s))" % (problem.sentence, attempt + 1),
                            transient=True)
        err.hint = problem.hint
        return err

    def answer(self, req, resp):
        """The ApiResponse of a 2xx whose body fits what the call expects; every other answer raises."""
        status = resp.status_code
        request_id = request_id_of(resp.headers)
        # A write that got anything but a definite answer may or may not have been applied.
        unsure = AmbiguousWriteError if not req.idempotent else HuaweiCloudError
        if 300 <= status < 400:
            location = find_header(resp.headers, "Location")
            raise req.error(unsure, "the endpoint redirected (HTTP %d) to %s; redirects are not followed, check the "
                                    "endpoints option" % (status, redact_url(location) if location else "nowhere"),
                            transient=True, status=status, request_id=request_id)
        if status >= 400 or status < 200:
            code, message = parse_error_body(resp.content)
            unsure_outcome = status in RETRY_STATUSES and status not in NOT_APPLIED_STATUSES
            cls = AmbiguousWriteError if unsure_outcome and not req.idempotent else HuaweiCloudError
            detail = "HTTP %d" % status
            if code:
                detail += " %s" % code
            if message:
                detail += ": %s" % message
            if request_id:
                detail += " (request id %s)" % request_id
            hint = hint_for(Context(status, code, message, self.region, req.service, self.endpoints.get(req.service),
                                    req.signed_at, find_header(resp.headers, "Date")))
            if status == 401 and req.authenticate and code in CREDENTIAL_REFUSALS:
                method = req.auth or self.auth
                detail += "; the %s %s refused%s" % (method.describe(), "were" if method.renewable else "was", (
                    " again after renewal" if method.renewable else
                    " (it cannot be renewed by the collection: it expired or was invalidated, give a new one)"))
            lacking = None
            if status == 403 and code not in PROJECT_REFUSALS and req.permission is not None:
                lacking, hint = _lacking(req, message)
                detail = "the credentials lack %s for %s: %s" % (lacking, req.operation, detail)
            if hint:
                detail += ". What to do: %s" % hint
            err = cls("%s failed: %s" % (req.operation, detail), status=status, code=code, error_message=message,
                      request_id=request_id, method=req.method, url=req.shown_url)
            err.transient = status in RETRY_STATUSES
            err.hint = hint
            err.lacking = lacking
            raise err
        try:
            body = parse_answer(resp.content, req.expect)
        except ShapeError as exc:
            err = unsure("unexpected answer from %s: %s (HTTP %d%s)" % (
                req.operation, exc, status, ", request id %s" % request_id if request_id else ""),
                status=status, request_id=request_id, method=req.method, url=req.shown_url)
            err.transient = True
            raise err
        if req.permission is not None:
            self.permissions_granted.add(req.permission)
        return ApiResponse(status, resp.headers, body, request_id)

    def get(self, service, template, path_params=None, query=None, operation=None, expect=ANY):
        return self.request("GET", service, template, path_params=path_params, query=query,
                            operation=operation, expect=expect).body

    # -- writes whose outcome may be lost -----------------------------------------------------------------------------

    def write(self, send, took_effect):
        """Send one write; when its outcome is unknown, re-read before deciding, never re-send blindly.

        ``send()`` performs the write and returns its request id. ``took_effect()`` re-reads the resource and tells
        whether the write is applied (it may raise HuaweiCloudError to stop). After an ambiguous answer the
        resource is re-read for up to the settle window, as a write can be applied a moment after its answer was
        lost; only when it still does not show is the write sent once more. A refusal of that second attempt is
        also checked against a re-read (the first one may have landed in between: it is this run's write).
        A refusal of the first attempt is checked against one re-read too: a write refused because the cloud is
        already as asked (another job, or an interrupted run, got there first) has converged, with a warning, and
        is not this run's change.
        Returns a Written: whether this run's write took effect, and its request id when known.
        """
        try:
            return Written(True, send())
        except AmbiguousWriteError as first:
            if self._settled(took_effect, first):
                self.warn("%s; a re-read shows it took effect" % first.message)
                return Written(True, first.request_id)
        except HuaweiCloudError as refused:
            if not refused.refusal or not self._already_done(took_effect):
                raise
            self.warn("%s; a re-read shows the cloud is already as asked (another job or an earlier run got there "
                      "first), so nothing was left to do and nothing was changed by this run" % refused.message)
            return Written(False, None)
        try:
            return Written(True, send())
        except AmbiguousWriteError as second:
            if self._settled(took_effect, second):
                return Written(True, second.request_id)
            raise
        except HuaweiCloudError as refused:
            if took_effect():
                # The first attempt, whose answer was lost, took effect after all.
                self.warn("%s; a re-read shows the first attempt, whose answer was lost, took effect"
                          % refused.message)
                return Written(True, None)
            raise

    @staticmethod
    def _already_done(took_effect):
        """After a refusal: whether one re-read shows the write's effect (a failed re-read says no)."""
        try:
            return bool(took_effect())
        except HuaweiCloudError:
            return False

    def _settled(self, took_effect, ambiguous):
        """Re-read until the write shows, for at most the settle window; False when it never did."""
        deadline = self.clock() + self.settle_window
        delay = 0.25
        last_error = None
        while True:
            try:
                if took_effect():
                    return True
                last_error = None
            except HuaweiCloudError as err:
                if not err.transient:
                    raise
                last_error = err
            remaining = deadline - self.clock()
            if remaining <= 0:
                if last_error is not None:
                    raise ambiguous.reworded("%s; re-reading to learn the outcome failed too: %s"
                                             % (ambiguous.message, last_error.message))
                return False
            self.sleep(min(delay, remaining))
            delay = min(delay * 2, 2.0)

    # -- paging -------------------------------------------------------------------------------------------------

    def paginate_offset(self, service, template, items_key, item_shape=ANY, path_params=None, query=None,
                        limit=100, operation=None):
        """Every item of an offset/limit listing (ModelArts style: ``{items_key: [...], total}``).

        Pages continue until ``total`` items were read (a service may answer fewer than ``limit`` per page); only
        an answer without ``total`` ends at a short page. A listing that stops short of its ``total``, or answers
        a page already read (a service that ignores ``offset``), raises IncompleteListingError: a partial view is
        never returned."""
        offset = 0
        seen = set()
        expect = {items_key: [item_shape], "total": Opt(int)}
        while True:
            page_query = dict(query or {}, limit=limit, offset=offset)
            body = self.get(service, template, path_params, page_query, operation, expect=expect)
            items = body[items_key]
            total = body.get("total")
            ids = set(_item_id(item, offset + n) for n, item in enumerate(items))
            if items and ids <= seen:
                raise IncompleteListingError.of(operation, len(seen), total, "the page at offset %d repeats items "
                                                "already read: the listing does not page" % offset)
            seen |= ids
            yield from items
            offset += len(items)
            if not items and total is not None and offset < total:
                raise IncompleteListingError.of(operation, offset, total, "a page at offset %d came back empty"
                                                % offset)
            if not items or (total is None and len(items) < limit) or (total is not None and offset >= total):
                return

    def paginate_marker(self, service, template, items_key, item_shape=ANY, path_params=None, query=None,
                        limit=100, operation=None, total_key=None):
        """Every item of a marker listing (CloudDC ``page_info.next_marker``, or the last item's id for EIPs).

        With ``total_key`` (the answer's count of every matching item), a listing that ends with fewer items
        read raises IncompleteListingError, as does a marker that comes back again."""
        marker = None
        seen = set()
        count = 0
        expect = {items_key: [item_shape], "page_info": Opt({"next_marker": Opt(str)})}
        if total_key:
            expect[total_key] = Opt(int)
        while True:
            page_query = dict(query or {}, limit=limit, marker=marker)
            body = self.get(service, template, path_params, page_query, operation, expect=expect)
            items = body[items_key]
            yield from items
            count += len(items)
            total = body.get(total_key) if total_key else None
            if items and isinstance(body.get("page_info"), dict):
                marker = body["page_info"].get("next_marker")
            else:
                marker = items[-1].get("id") if items and len(items) >= limit else None
            if marker and marker in seen:
                raise IncompleteListingError.of(operation, count, total, "marker %s came back again" % marker)
            if not marker:
                if total is not None and count < total:
                    raise IncompleteListingError.of(operation, count, total, "its last page came without a next "
                                                    "marker")
                return
            seen.add(marker)

    # -- waiting ------------------------------------------------------------------------------------------------

    def wait_for(self, fetch, done, timeout, describe, interval=1.0, max_interval=10.0, tolerate=3, progress=None):
        """Call ``fetch()`` until ``done(state)`` is true; back off between polls; raise WaitTimeoutError.

        ``done`` may itself raise HuaweiCloudError to stop on a terminal failure. Up to ``tolerate`` failed reads
        in a row (after the client's own retries) are waited out, as one bad answer says nothing of the change.
        Each wait is recorded in ``waits`` ({"waited_for", "attempts", "seconds"}); ``progress()``, when given, returns
        counts (for example done and pending) added to the record after each read, as its "progress" timeline.
        ``timeout`` bounds the whole wait: the reads' own retries (throttling included) never sleep past its
        deadline, and ``seconds`` is the time the wait took, however it ended.
        """
        started = self.clock()
        deadline = started + timeout
        record = {"waited_for": describe, "attempts": 0, "seconds": 0.0}
        if progress is not None:
            record["progress"] = []
        self.waits.append(record)
        try:
            with self.bounded(timeout):
                return self._poll(fetch, done, describe, timeout, record, started, deadline, interval,
                                  max_interval, tolerate, progress)
        finally:
            record["seconds"] = round(self.clock() - started, 1)

    @contextlib.contextmanager
    def bounded(self, seconds):
        """Within this block, no request of this thread retries (or waits out throttling) past ``seconds`` from
        now (nor past an enclosing block's deadline)."""
        outer = getattr(self._local, "deadline", None)
        deadline = self.clock() + seconds
        self._local.deadline = deadline if outer is None else min(deadline, outer)
        try:
            yield
        finally:
            self._local.deadline = outer

    def allowed(self, call):
        """Make the read ``call()`` once before a change whose later reads need it, so that credentials lacking its
        permission stop the task before the change: a 403 raises; anything else (throttling, a server error) says
        nothing of permissions and is left to the reads that follow. Sent once, never retried nor waited for."""
        try:
            with self.bounded(0):
                call()
        except HuaweiCloudError as err:
            if err.status == 403:
                raise

    def _poll(self, fetch, done, describe, timeout, record, started, deadline, interval, max_interval, tolerate,
              progress):
        delay = interval
        failures = 0
        state = None
        while True:
            record["attempts"] += 1
            try:
                state = fetch()
                failures = 0
            except HuaweiCloudError as err:
                failures += 1
                if failures > tolerate or not err.transient:
                    raise
            else:
                finished = done(state)
                record["seconds"] = round(self.clock() - started, 1)
                if progress is not None:
                    record["progress"] = (record["progress"] + [dict(progress(), seconds=record["seconds"])])[
                        -WAIT_PROGRESS_KEPT:]
                if self.on_wait is not None:
                    counts = record["progress"][-1] if progress is not None else {}
                    self.on_wait("waiting for %s: read %d after %.1f s%s" % (
                        describe, record["attempts"], record["seconds"], "".join(
                            ", %d %s" % (counts[k], k) for k in ("done", "failed", "pending") if k in counts)))
                if finished:
                    return state
            remaining = deadline - self.clock()
            if remaining <= 0:
                raise WaitTimeoutError("timed out after %s seconds waiting for %s; last state seen: %s"
                                       % (timeout, describe, _brief(state)), last_state=state)
            self.sleep(min(delay, remaining))
            delay = min(delay * 1.5, max_interval)


def _short(exc):
    text = str(exc)
    return text if len(text) <= 300 else text[:297] + "..."


def _brief(state):
    try:
        text = json.dumps(state, sort_keys=True, default=str)
    except (TypeError, ValueError):
        text = repr(state)
    return text if len(text) <= 500 else text[:497] + "..."
