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
