# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.infra contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection. Breaking changes can occur any time.

"""What to do next, for the gateway's and the services' known answers: one table from error code to hint.

A hint is written from what the request and its answer tell (the region, the endpoint, the clock of this
controller against the gateway's ``Date``); it never contains a credential.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import difflib
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from ..module_utils._rules import REGIONS

# The largest difference between the signing time and the gateway's clock the gateway accepts.
MAX_CLOCK_SKEW_SECONDS = 15 * 60


class Context(object):
    """What a hint may use: the failed call's region, service, endpoint, the time it was signed, the answer."""

    def __init__(self, status, code, message, region=None, service=None, endpoint=None, signed_at=None,
                 gateway_date=None):
        self.status = status
        self.code = code
        self.message = message or ""
        self.region = region
        self.service = service
        self.endpoint = endpoint
        self.signed_at = signed_at
        self.gateway_date = gateway_date


def parse_sdk_date(value):
    """The time of an ``X-Sdk-Date`` header (``YYYYMMDDTHHMMSSZ``), or None."""
    try:
        return datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    except (TypeError, ValueError):
        return None


def parse_http_date(value):
    """The time of an HTTP ``Date`` header, or None."""
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def _stamp(when):
    return when.strftime("%Y-%m-%d %H:%M:%S UTC")


def clock_hint(ctx):
    """This controller's clock against the gateway's, when the answer says the signing time was refused."""
    signed = parse_sdk_date(ctx.signed_at)
    gateway = parse_http_date(ctx.gateway_date)
    if signed is None or gateway is None:
        return ("the gateway refused the signing time: this controller's clock is probably more than 15 minutes "
                "off; set it from NTP (timedatectl set-ntp true) and re-run")
    apart = (signed - gateway).total_seconds()
    direction = "ahead of" if apart > 0 else "behind"
    return ("the request was signed at %s by this controller's clock, and the gateway's clock read %s: this "
            "controller is %d s %s it (the gateway accepts %d s); set the clock from NTP (timedatectl set-ntp "
            "true) and re-run" % (_stamp(signed), _stamp(gateway), abs(apart), direction, MAX_CLOCK_SKEW_SECONDS))


def _signature(ctx):
    text = ctx.message.lower()
    if "date" in text and "expired" in text or "signature expired" in text or "time" in text and "expired" in text:
        return clock_hint(ctx)
    if "temporary" in text or "security token" in text or "securitytoken" in text:
        return ("the temporary access key has expired or its security_token does not belong to it: obtain new "
                "temporary credentials (access_key, secret_key and security_token together)")
    if "not found" in text or "ak " in text:
        return "the access key is unknown to IAM: check access_key (and that it was not deleted or disabled)"
    return ("the AK/SK signature was refused: check that access_key and secret_key are a pair, without stray "
            "white space, and that no proxy changes the request on its way")


def _not_published(ctx):
    where = "at %s" % ctx.endpoint if ctx.endpoint else "at this endpoint"
    listed = REGIONS.get(ctx.service)
    table = ""
    if listed and ctx.region not in listed:
        table = " (the SDK's region table of %s does not list %s; it lists %s)" % (
            ctx.service, ctx.region, ", ".join(sorted(listed)))
    return ("the gateway knows no such API %s: the %s API is not published in region %s%s, or the endpoint is not "
            "the service's; check region, cloud and endpoints" % (where, ctx.service or "service", ctx.region, table))


def _token(ctx):
    return ("the token is invalid or has expired (tokens last 24 hours, and are revoked by a password or key "
            "change): obtain a new one, or use AK/SK or password login")


def _throttled(ctx):
    return ("the API gateway throttled the calls for longer than the retries wait: lower forks or concurrency, "
            "or the batch modules' rate_limit, and re-run")


def _no_lite_server(ctx):
    return ("use the Lite Server's own id or name (not the id of its BMS/ECS), in the project and region where it "
            "runs")


def _no_instance(ctx):
    return "check the instance id and the project and region it runs in (cdc_imetal_instance_info lists them)"


def _login(ctx):
    if "project" in ctx.message.lower():
        return ("the account has no project %s, or this user may not use it: check region and project_id"
                % ("for region %s" % ctx.region if ctx.region else "of that name"))
    return "check user_name, password and domain_name (the account name), and that the user may log in to IAM"


# code -> hint writer. Codes of the API gateway (APIG.*) come from any service.
HINTS = {
    "APIG.0101": _not_published,
    "APIG.0301": _signature,
    "APIG.0307": _token,
    "APIG.0308": _throttled,
    "ModelArts.6404": _no_lite_server,
    "CLOUDDC.1004": _no_instance,
}


def hint_for(ctx):
    """The hint for a failed call, or None when its code has none. IAM answers its refusals with the HTTP status
    as the code ("401")."""
    writer = HINTS.get(ctx.code)
    if writer is None and ctx.status == 401 and ctx.service == "iam":
        writer = _login
    return writer(ctx) if writer else None


def closest(word, candidates, count=3):
    """Up to ``count`` of ``candidates`` closest to ``word``, best first."""
    return difflib.get_close_matches(word, sorted(set(c for c in candidates if isinstance(c, str))), n=count,
                                     cutoff=0.6)
