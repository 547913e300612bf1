# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.infra contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What a valid name is, rule by rule, each with the SDK model field it comes from.

A name the cloud can return is a name the modules accept as a reference: the rule of a name that the cloud reports
is the pattern of the model that reports it (ModelArts ``ServerResponse.name``), and where that model gives none
(CloudDC ``Instance.name``) any text without control characters is a name. The names the collection itself creates
follow the model of the create request. tests/unit/plugins/module_utils/test_rules.py checks this table against
the installed SDK's models.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re


def has_control(value):
    """Whether ``value`` holds a control character (C0, DEL, C1) or a Unicode line or paragraph separator."""
    return any(ord(ch) < 0x20 or 0x7f <= ord(ch) <= 0x9f or ch in u"\u2028\u2029" for ch in value)


class Rule:
    """A kind of name: ``pattern`` (None: any text without control characters) and ``length``, the words an
    error shows, and ``source``, the SDK model field it comes from."""

    def __init__(self, source, words, length, pattern=None):
        self.source = source
        self.words = words
        self.length = length
        self.pattern = re.compile(pattern) if pattern else None

    def allows(self, value):
        if not isinstance(value, str) or not self.length[0] <= len(value) <= self.length[1]:
            return False
        if self.pattern is not None:
            return bool(self.pattern.fullmatch(value))
        return not has_control(value)


# EIP and bandwidth names: letters, digits, Chinese ("中文" in the models; the console's \u4e00-\u9fa5), '_', '-', '.'.
_EIP_NAME = u"[A-Za-z0-9_\\-.\u4e00-\u9fa5]{1,64}"
_EIP_NAME_WORDS = "1-64 letters, digits, Chinese characters, '_', '-' and '.'"

RULES = {
    "lite_server_name": Rule(
        "huaweicloudsdkmodelarts.v1.ServerResponse.name", "1-64 ASCII letters, digits, '-', '_' and '.'",
        (1, 64), r"[-_.a-zA-Z0-9]{1,64}"),
    # The model of what the cloud returns has no pattern; CreateInstanceOpitons.name (1-63 CJK, letters, digits,
    # '_', '-', '.') is what a new instance may be called, and the console can name one otherwise.
    "imetal_instance_name": Rule(
        "huaweicloudsdkclouddc.v1.Instance.name", "1-64 characters, no control characters", (1, 64)),
    "eip_name": Rule(
        "huaweicloudsdkeip.v2.CreatePublicipOption.alias",
        _EIP_NAME_WORDS, (1, 64), _EIP_NAME),
    "bandwidth_name": Rule(
        "huaweicloudsdkeip.v2.CreatePublicipBandwidthOption.name",
        _EIP_NAME_WORDS, (1, 64), _EIP_NAME),
}


class Bounds:
    """A whole-number range from an SDK model field (``source``): ``low`` to ``high`` inclusive."""

    def __init__(self, source, low, high):
        self.source = source
        self.low = low
        self.high = high

    @property
    def bounds(self):
        return (self.low, self.high)


class Choices:
    """The values an SDK model field (``source``) allows."""

    def __init__(self, source, values):
        self.source = source
        self.values = tuple(values)


BOUNDS = {
    # "1Mbit/s~2000Mbit/s" by default; a region may allow less.
    "bandwidth_size": Bounds("huaweicloudsdkeip.v2.CreatePublicipBandwidthOption.size", 1, 2000),
    "lite_server_page": Bounds("huaweicloudsdkmodelarts.v1.ListDevServersRequest.limit", 0, 1024),
    # 2000 "differs by site": the largest any site allows.
    "eip_page": Bounds("huaweicloudsdkeip.v3.ListPublicipsRequest.limit", 0, 2000),
    # Below 10 counts as 10, above 1000 as 1000.
    "imetal_page": Bounds("huaweicloudsdkclouddc.v1.ListInstancesRequest.limit", 10, 1000),
    "imetal_ids_per_query": Bounds("huaweicloudsdkclouddc.v1.ListInstancesRequest.instance_id", 1, 100),
}
CHOICES = {
    "bandwidth_charge_mode": Choices("huaweicloudsdkeip.v2.CreatePublicipBandwidthOption.charge_mode",
                                     ("bandwidth", "traffic")),
    "bandwidth_share_type": Choices("huaweicloudsdkeip.v2.CreatePublicipBandwidthOption.share_type",
                                    ("PER", "WHOLE")),
}

# The regions of each service, from the SDK's region tables (the module each comes from; the collection's "vpc"
# endpoint serves the EIP v3 API). A region in none of them is unknown to Huawei Cloud's own tools.
REGION_SOURCES = {
    "modelarts": "huaweicloudsdkmodelarts.v1.region.modelarts_region",
    "clouddc": "huaweicloudsdkclouddc.v1.region.clouddc_region",
    "vpc": "huaweicloudsdkeip.v3.region.eip_region",
    "iam": "huaweicloudsdkiam.v3.region.iam_region",
}
REGIONS = {
    "modelarts": frozenset((
        "af-north-1", "af-south-1", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
        "cn-east-3", "cn-east-4", "cn-north-1", "cn-north-11", "cn-north-12", "cn-north-2", "cn-north-4",
        "cn-north-9", "cn-south-1", "cn-southwest-2", "cn-southwest-3", "la-north-2", "la-south-2", "me-east-1",
        "sa-brazil-1", "tr-west-1"
    )),
    "clouddc": frozenset((
        "ap-southeast-3", "cn-east-3", "cn-south-1", "cn-southwest-2"
    )),
    "vpc": frozenset((
        "ae-ad-1", "af-north-1", "af-south-1", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3",
        "ap-southeast-4", "ap-southeast-5", "cn-east-2", "cn-east-3", "cn-east-4", "cn-east-5", "cn-north-1",
        "cn-north-11", "cn-north-12", "cn-north-2", "cn-north-4", "cn-north-9", "cn-south-1", "cn-south-2",
        "cn-south-4", "cn-southwest-2", "eu-west-0", "eu-west-101", "la-north-2", "la-south-2", "me-east-1",
        "my-kualalumpur-1", "na-mexico-1", "ru-moscow-1", "ru-northwest-2", "sa-brazil-1", "tr-west-1"
    )),
    "iam": frozenset((
        "ae-ad-1", "af-south-1", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
        "cn-east-2", "cn-east-3", "cn-east-4", "cn-east-5", "cn-north-1", "cn-north-12", "cn-north-2", "cn-north-4",
        "cn-north-9", "cn-south-1", "cn-south-2", "cn-southwest-2", "eu-west-0", "eu-west-101", "la-north-2",
        "la-south-2", "me-east-1", "my-kualalumpur-1", "na-mexico-1", "ru-moscow-1", "sa-brazil-1", "tr-west-1"
    )),
}
KNOWN_REGIONS = frozenset(region for regions in REGIONS.values() for region in regions)
# The regions of the SDK's STS endpoint table (huaweicloudsdkcore.auth.endpoint); the SDK sends OIDC exchanges of
# any other region to cn-north-4.
STS_REGIONS = frozenset((
    "af-south-1", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "cn-east-3", "cn-north-4",
    "cn-south-1", "cn-southwest-2", "la-south-2", "sa-brazil-1", "tr-west-1"
))
