# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.infra contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection. Breaking changes can occur any time.

"""Input and answer validation: the shapes answers must fit, and the checks of ids, names, numbers, addresses and
credentials, each refusing before any request with a message that names the option and never shows a secret."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import json
import re

try:
    from urllib.parse import urlsplit
except ImportError:  # pragma: no cover
    from urlparse import urlsplit  # type: ignore

from ..module_utils._errors import HuaweiCloudError
from ..module_utils._rules import RULES, has_control as _has_control

# Patterns are matched against whole strings (re.fullmatch): "$" alone would accept a trailing newline.
_ID_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
_UUID_RE = re.compile(r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}")
_EIP_ID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_THIS_NETWORK = ipaddress.IPv4Network("0.0.0.0/8")
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_DOMAIN_RE = re.compile(r"(?:%s\.)*%s" % (_LABEL, _LABEL))
_URL_PATH_RE = re.compile(r"(?:/[A-Za-z0-9._~-]+)*/?")
# What an HTTP header value may carry safely: visible ASCII, no white space.
HEADER_SAFE_RE = re.compile(r"[\x21-\x7e]+")

# Credentials: (option, maximum length, carried in an HTTP header or a signature).
CREDENTIAL_OPTIONS = (
    ("access_key", 128, True), ("secret_key", 256, True), ("security_token", 16384, True),
    ("auth_token", 32768, True), ("user_name", 64, False), ("password", 128, False), ("domain_name", 64, False),
)


# --------------------------------------------------------------------------------------------------------------------
# Answer shapes: every API call declares the keys and types it reads, and an answer is checked before it is used
# --------------------------------------------------------------------------------------------------------------------

class Opt(object):
    """A key that may be absent or null; when present, its value must fit ``spec``."""

    def __init__(self, spec):
        self.spec = spec


ANY = object()
# An answer whose body is documented as empty: no body, or a JSON object (whose content is not used).
NO_BODY = object()
_TYPE_NAMES = {str: "a string", int: "an integer", bool: "a boolean", dict: "an object", list: "a list"}


class ShapeError(ValueError):
    pass


def _type_name(value):
    if value is None:
        return "null"
    for kind in (bool, int, str, dict, list):
        if isinstance(value, kind):
            return _TYPE_NAMES[kind]
    return type(value).__name__


def check_shape(value, spec, where="answer"):
    """Raise ShapeError unless ``value`` fits ``spec`` (a type, {key: spec}, [spec], Opt(spec) or ANY)."""
    if spec is ANY:
        return
    if isinstance(spec, Opt):
        if value is None:
            return
        spec = spec.spec
    if isinstance(spec, dict):
        if not isinstance(value, dict):
            raise ShapeError("%s is %s where an object belongs" % (where, _type_name(value)))
        for key, sub in spec.items():
            if value.get(key) is None and not isinstance(sub, Opt) and sub is not ANY:
                raise ShapeError("%s.%s is missing" % (where, key))
            check_shape(value.get(key), sub, "%s.%s" % (where, key))
        return
    if isinstance(spec, list):
        if not isinstance(value, list):
            raise ShapeError("%s is %s where a list belongs" % (where, _type_name(value)))
        for index, item in enumerate(value):
            check_shape(item, spec[0], "%s[%d]" % (where, index))
        return
    ok = isinstance(value, spec) and not (spec is int and isinstance(value, bool))
    if not ok:
        raise ShapeError("%s is %s where %s belongs" % (where, _type_name(value), _TYPE_NAMES.get(spec, spec)))


def parse_answer(content, expect):
    """The JSON body of a 2xx answer, checked against ``expect``; ShapeError when it does not parse or fit."""
    if expect is NO_BODY or expect is ANY:
        if not content or not content.strip():
            return None
        if expect is ANY:
            return _json(content)
        data = _json(content)
        if not isinstance(data, dict):
            raise ShapeError("the answer is %s where no body or an object belongs" % _type_name(data))
        return data
    if not content or not content.strip():
        raise ShapeError("the answer has no body")
    data = _json(content)
    check_shape(data, expect)
    return data


def _json(content):
    try:
        return json.loads(content.decode("utf-8") if isinstance(content, bytes) else content)
    except (ValueError, UnicodeDecodeError):
        text = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
        raise ShapeError("the answer is not JSON: %s" % _snippet(text))


def _snippet(text):
    plain = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip()
    return repr(plain if len(plain) <= 120 else plain[:117] + "...")


def validate_id(value, what):
    """An id that goes into a URL path: 1-64 ASCII letters, digits, '-' and '_'."""
    if not isinstance(value, str) or not value:
        raise HuaweiCloudError("%s must be a non-empty string" % what)
    if len(value) > 64:
        raise HuaweiCloudError("%s must be at most 64 characters, got %d" % (what, len(value)))
    if not _ID_RE.fullmatch(value):
        raise HuaweiCloudError("%s %s is not a valid id (1-64 ASCII letters, digits, '-' and '_')"
                               % (what, _shown(value)))
    return value


def validate_ref(value, what, rule):
    """An id (1-64 ASCII letters, digits, '-' and '_') or a name as ``rule`` (a key of _rules.RULES) has it."""
    if not isinstance(value, str) or not value:
        raise HuaweiCloudError("%s must be a non-empty string" % what)
    kind = RULES[rule]
    if _ID_RE.fullmatch(value) or kind.allows(value):
        return value
    if len(value) > kind.length[1]:
        raise HuaweiCloudError("%s must be at most %d characters, got %d" % (what, kind.length[1], len(value)))
    raise HuaweiCloudError("%s %s is neither an id nor a valid name (%s)" % (what, _shown(value), kind.words))


def validate_int(value, what, bounds):
    low, high = bounds
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise HuaweiCloudError("%s must be a whole number from %d to %d, got %s" % (what, low, high, _shown(value)))
    return value


def _shown(value):
    """A value for a message: repr, cut short (never used for secrets)."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def validate_ipv4(value, what):
    """A unicast IPv4 address a resource can use: not loopback, multicast, broadcast, link-local, unspecified or
    reserved. Returns its normal form."""
    try:
        address = ipaddress.IPv4Address(value if isinstance(value, str) else "")
    except (ipaddress.AddressValueError, ValueError):
        raise HuaweiCloudError("%s %s is not an IPv4 address" % (what, _shown(value)))
    if str(address) == "255.255.255.255":
        raise HuaweiCloudError("%s %s is the broadcast address" % (what, address))
    if address in _THIS_NETWORK and not address.is_unspecified:
        raise HuaweiCloudError("%s %s is in 0.0.0.0/8 (this network)" % (what, address))
    for flag, kind in (("is_unspecified", "unspecified"), ("is_loopback", "loopback"), ("is_multicast", "multicast"),
                       ("is_link_local", "link-local"), ("is_reserved", "reserved")):
        if getattr(address, flag):
            raise HuaweiCloudError("%s %s is a %s address" % (what, address, kind))
    return str(address)


def is_eip_id(value):
    return isinstance(value, str) and bool(_EIP_ID_RE.fullmatch(value))


def looks_like_uuid(value):
    """Resource ids are UUIDs (with or without hyphens); names usually are not."""
    return bool(_UUID_RE.fullmatch(value))


def validate_credentials(options):
    """Refuse credentials that could not be sent as they are, naming the option and never showing the value."""
    for name, limit, in_header in CREDENTIAL_OPTIONS:
        value = options.get(name)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise HuaweiCloudError("%s must be a string" % name)
        if len(value) > limit:
            raise HuaweiCloudError("%s is longer than %d characters; the value is not shown" % (name, limit))
        if in_header and not HEADER_SAFE_RE.fullmatch(value):
            raise HuaweiCloudError("%s contains a character an HTTP header cannot carry (white space, a control "
                                   "character or a non-ASCII character, a trailing newline for example); the value "
                                   "is not shown" % name)
        if not in_header and (_has_control(value) or any(0xd800 <= ord(ch) <= 0xdfff for ch in value)):
            raise HuaweiCloudError("%s contains a control character (a trailing newline for example) or an "
                                   "unpaired surrogate; the value is not shown" % name)


def validate_base_url(url, name):
    """``http(s)://host[:port][/path]``: no user-info, query, fragment or white space; the host must be an IP
    address or a domain name that survives IDNA normalisation. Returns the base URL without a trailing '/'."""
    bad = HuaweiCloudError("%s is not an http(s) base URL of the form scheme://host[:port][/path] "
                           "(no user-info, query, fragment or white space)" % name)
    if not isinstance(url, str) or not url or len(url) > 2048 or _has_control(url) or any(ch.isspace() for ch in url):
        raise bad
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise bad
    if parts.scheme not in ("http", "https") or not parts.netloc or "@" in parts.netloc or parts.query \
            or parts.fragment or "?" in url or "#" in url or "\\" in url:
        raise bad
    if port is not None and not 1 <= port <= 65535:
        raise bad
    host = parts.hostname or ""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        try:
            ascii_host = host.encode("idna").decode("ascii") if not host.isascii() else host
        except (UnicodeError, ValueError):
            raise HuaweiCloudError("%s: the host name is not a valid (IDNA) domain name" % name)
        if not _DOMAIN_RE.fullmatch(ascii_host) or len(ascii_host) > 253 or ascii_host != host:
            raise HuaweiCloudError("%s: the host name is not a valid ASCII domain name (IDNA names must "
                                   "be given in their xn-- form)" % name)
    if not _URL_PATH_RE.fullmatch(parts.path or "/"):
        raise bad
    return url.rstrip("/")
