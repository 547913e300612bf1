# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.infra contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection. Breaking changes can occur any time.

"""SDK-HMAC-SHA256 request signing, as done by Huawei Cloud's API gateway and official SDKs."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import hmac
from datetime import datetime, timezone

try:
    from urllib.parse import quote, unquote
except ImportError:  # pragma: no cover
    from urllib import quote, unquote  # type: ignore

ALGORITHM = "SDK-HMAC-SHA256"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
HEADER_DATE = "X-Sdk-Date"
HEADER_CONTENT_SHA256 = "X-Sdk-Content-Sha256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def _encode(value):
    return quote(value, safe="~")


def _to_bytes(value):
    if value is None:
        return b""
    if isinstance(value, bytes):
        return value
    return value.encode("utf-8")


def find_header(headers, name):
    """Case-insensitive header look-up on any mapping (None when absent)."""
    if headers is None:
        return None
    lname = name.lower()
    for key, value in headers.items():
        if key.lower() == lname:
            return value
    return None


def canonical_uri(path):
    """Each segment of the (percent-decoded) path re-encoded per RFC 3986, always ending in '/'."""
    encoded = "/".join(_encode(segment) for segment in unquote(path).split("/"))
    if not encoded.endswith("/"):
        encoded += "/"
    return encoded


def canonical_query(query):
    """``query`` is a list of (key, value) string pairs; repeated keys are allowed."""
    pairs = sorted((str(key), str(value)) for key, value in query)
    return "&".join("%s=%s" % (_encode(key), _encode(value)) for key, value in pairs)


def signed_header_names(headers):
    return sorted(name.lower() for name in headers if "_" not in name)


def canonical_request(method, path, query, headers, body, signed_names):
    values = dict((name.lower(), str(value).strip()) for name, value in headers.items())
    canonical_headers = "".join("%s:%s\n" % (name, values[name]) for name in signed_names)
    if not body:
        payload_hash = EMPTY_SHA256
    else:
        payload_hash = find_header(headers, HEADER_CONTENT_SHA256) or hashlib.sha256(_to_bytes(body)).hexdigest()
    return "\n".join([
        method.upper(),
        canonical_uri(path),
        canonical_query(query),
        canonical_headers,
        ";".join(signed_names),
        payload_hash,
    ])


def string_to_sign(canonical, sdk_date):
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return "%s\n%s\n%s" % (ALGORITHM, sdk_date, digest)


def sdk_date_now():
    return datetime.now(timezone.utc).strftime(DATE_FORMAT)


def sign(method, host, path, query, headers, body, access_key, secret_key, sdk_date=None):
    """Return a new header dict for the request, with ``Host``, ``X-Sdk-Date`` and ``Authorization`` set.

    ``path`` is the path exactly as it is sent (percent-encoded), ``query`` a list of (key, value) pairs,
    ``headers`` the headers to sign (every header whose name has no underscore is signed).
    """
    signed = dict(headers)
    content_type = find_header(signed, "Content-Type")
    if content_type and not content_type.startswith("application/json") \
            and not content_type.startswith("application/bson"):
        signed[HEADER_CONTENT_SHA256] = UNSIGNED_PAYLOAD
    date = find_header(signed, HEADER_DATE)
    if date is None:
        date = sdk_date or sdk_date_now()
        signed[HEADER_DATE] = date
    if find_header(signed, "Host") is None:
        signed["Host"] = host
    names = signed_header_names(signed)
    canonical = canonical_request(method, path, query, signed, body, names)
    signature = hmac.new(_to_bytes(secret_key), string_to_sign(canonical, date).encode("utf-8"),
                         hashlib.sha256).hexdigest()
    signed["Authorization"] = "%s Access=%s, SignedHeaders=%s, Signature=%s" % (
        ALGORITHM, access_key, ";".join(names), signature)
    return signed
