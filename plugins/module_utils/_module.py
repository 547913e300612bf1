# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.infra contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection. Breaking changes can occur any time.

"""HuaweiCloudModule: the common argument spec, the client, and the fail/exit/diff helpers every module uses."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.module_utils.basic import AnsibleFallbackNotFound, AnsibleModule, missing_required_lib

from ..module_utils._client import HAS_REQUESTS, REQUESTS_IMPORT_ERROR, AmbiguousWriteError, Client, HuaweiCloudError


def env_fallback(*names):
    """The first of ``names`` set to a non-empty value in the environment.

    Unlike ansible's own env_fallback, an empty variable counts as unset: AWX and CI systems inject empty strings
    for optional credential fields, and those must not override the next variable or the default.
    """
    for name in names:
        value = os.environ.get(name)
        if value:
            return value
    raise AnsibleFallbackNotFound


def common_argument_spec():
    """The options every module takes; plugins/doc_fragments/common.py documents exactly these."""
    return dict(
        region=dict(type="str", required=True,
                    fallback=(env_fallback, ["HW_REGION_NAME", "HUAWEICLOUD_SDK_REGION"])),
        project_id=dict(type="str",
                        fallback=(env_fallback, ["HW_PROJECT_ID", "HUAWEICLOUD_SDK_PROJECT_ID"])),
        access_key=dict(type="str", no_log=True,
                        fallback=(env_fallback, ["HW_ACCESS_KEY", "HUAWEICLOUD_SDK_AK"])),
        secret_key=dict(type="str", no_log=True,
                        fallback=(env_fallback, ["HW_SECRET_KEY", "HUAWEICLOUD_SDK_SK"])),
        security_token=dict(type="str", no_log=True,
                            fallback=(env_fallback, ["HW_SECURITY_TOKEN", "HUAWEICLOUD_SDK_SECURITY_TOKEN"])),
        auth_token=dict(type="str", no_log=True, fallback=(env_fallback, ["HW_AUTH_TOKEN"])),
        user_name=dict(type="str", fallback=(env_fallback, ["HW_USER_NAME"])),
        password=dict(type="str", no_log=True, fallback=(env_fallback, ["HW_USER_PASSWORD"])),
        domain_name=dict(type="str", fallback=(env_fallback, ["HW_DOMAIN_NAME"])),
        cloud=dict(type="str", default="myhuaweicloud.com", fallback=(env_fallback, ["HW_CLOUD"])),
        endpoints=dict(type="dict", fallback=(env_fallback, ["HW_ENDPOINTS"])),
        validate_certs=dict(type="bool", default=True, fallback=(env_fallback, ["HW_VALIDATE_CERTS"])),
        ca_bundle=dict(type="path", fallback=(env_fallback, ["HW_CA_BUNDLE"])),
        api_timeout=dict(type="int", default=30, fallback=(env_fallback, ["HW_API_TIMEOUT"])),
        api_retries=dict(type="int", default=5, fallback=(env_fallback, ["HW_MAX_RETRIES"])),
    )


COMMON_OPTION_NAMES = tuple(common_argument_spec())


class HuaweiCloudModule(object):
    """Owns the AnsibleModule, the client and the result of one module run."""

    def __init__(self, argument_spec=None, supports_check_mode=True, **kwargs):
        spec = common_argument_spec()
        spec.update(argument_spec or {})
        self.module = AnsibleModule(argument_spec=spec, supports_check_mode=supports_check_mode, **kwargs)
        if not HAS_REQUESTS:
            self.module.fail_json(msg=missing_required_lib("requests"), exception=str(REQUESTS_IMPORT_ERROR))
        self.params = self.module.params
        self.result = {"changed": False}
        self._client = None

    @property
    def check_mode(self):
        return self.module.check_mode

    @property
    def client(self):
        """The client, built on first use; bad common options fail here, before any HTTP request."""
        if self._client is None:
            options = dict((name, self.params.get(name)) for name in COMMON_OPTION_NAMES)
            try:
                self._client = Client(options)
            except HuaweiCloudError as err:
                self.module.fail_json(msg="invalid connection options: %s" % err, **self.result)
        return self._client

    def set_diff(self, before, after):
        if self.module._diff:
            self.result["diff"] = {"before": before, "after": after}

    def fail(self, msg, **extra):
        result = dict(self.result)
        result.update(extra)
        self.module.fail_json(msg=msg, **result)

    def fail_error(self, err, operation, resource=None):
        """Turn a HuaweiCloudError into fail_json: msg names the operation and the resource, plus ``error``."""
        subject = "%s %s" % (operation, resource) if resource else operation
        self.fail("Failed to %s: %s" % (subject, err), error=err.to_dict())

    def write(self, send, took_effect):
        """Send one write; when its outcome is unknown, re-read before deciding, never re-send blindly.

        ``send()`` performs the write and returns its request id. ``took_effect()`` re-reads the resource and tells
        whether the write is applied (or being applied). After an ambiguous failure the write counts as done when
        the re-read shows it; otherwise it is sent once more, now that it is known not to have happened. A refusal
        of that second attempt is also checked against a re-read (the first one may have landed in between).
        Returns the request id of the write that took effect, None when its answer was lost.
        """
        try:
            return send()
        except AmbiguousWriteError as first:
            if took_effect():
                self.module.warn("%s; a re-read shows it took effect" % first.message)
                return first.request_id
        try:
            return send()
        except HuaweiCloudError:
            if took_effect():
                return None
            raise

    def exit(self, **values):
        self.result.update(values)
        self.module.exit_json(**self.result)
