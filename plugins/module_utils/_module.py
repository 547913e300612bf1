# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.infra contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection. Breaking changes can occur any time.

"""HuaweiCloudModule: the common argument spec, the client, and the fail/exit/diff helpers every module uses."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import traceback

from ansible.module_utils.basic import AnsibleFallbackNotFound, AnsibleModule, missing_required_lib
from ansible.module_utils.common.validation import (check_required_arguments, check_required_by, check_required_if,
                                                    check_required_one_of, check_required_together)

from ..module_utils._client import (Client, HAS_REQUESTS, REQUESTS_IMPORT_ERROR, SENSITIVE_QUERY_KEYS,
                                    WAIT_TIMEOUT_RANGE)
from ..module_utils._errors import HuaweiCloudError
from ..module_utils._sources import AUTH_SOURCES
from ..module_utils._validate import validate_int


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
        # Resolved at run time (option or environment); the client fails clearly when there is none.
        region=dict(type="str", fallback=(env_fallback, ["HW_REGION_NAME", "HUAWEICLOUD_SDK_REGION"])),
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
        auth_source=dict(type="str", default="auto", choices=list(AUTH_SOURCES),
                         fallback=(env_fallback, ["HW_AUTH_SOURCE"])),
        profile=dict(type="str", fallback=(env_fallback, ["HW_PROFILE"])),
        shared_config_file=dict(type="path", fallback=(env_fallback, ["HW_SHARED_CONFIG_FILE"])),
        credentials_file=dict(type="path", fallback=(env_fallback, ["HUAWEICLOUD_SDK_CREDENTIALS_FILE"])),
        metadata_url=dict(type="str", fallback=(env_fallback, ["HW_METADATA_URL"])),
        agency_name=dict(type="str", fallback=(env_fallback, ["HW_ASSUME_ROLE_AGENCY_NAME"])),
        agency_domain_name=dict(type="str", fallback=(env_fallback, ["HW_ASSUME_ROLE_DOMAIN_NAME"])),
        agency_domain_id=dict(type="str", fallback=(env_fallback, ["HW_ASSUME_ROLE_DOMAIN_ID"])),
        agency_duration=dict(type="int", fallback=(env_fallback, ["HW_ASSUME_ROLE_DURATION"])),
        cloud=dict(type="str", default="myhuaweicloud.com", fallback=(env_fallback, ["HW_CLOUD"])),
        endpoints=dict(type="dict", fallback=(env_fallback, ["HW_ENDPOINTS"])),
        validate_certs=dict(type="bool", default=True, fallback=(env_fallback, ["HW_VALIDATE_CERTS"])),
        ca_bundle=dict(type="path", fallback=(env_fallback, ["HW_CA_BUNDLE"])),
        api_timeout=dict(type="int", default=30, fallback=(env_fallback, ["HW_API_TIMEOUT"])),
        api_retries=dict(type="int", default=5, fallback=(env_fallback, ["HW_MAX_RETRIES"])),
    )


def connection_options(explicit):
    """The connection options for a plugin that is not a module (the inventory): each from ``explicit`` (what the
    user set; None when unset), else from its environment variables, else its default, converted to its type - the
    resolution AnsibleModule gives the modules, from the same argument spec."""
    from ansible.module_utils.common.validation import (check_type_bool, check_type_dict, check_type_int,
                                                        check_type_path, check_type_str)
    convert = {"str": check_type_str, "bool": check_type_bool, "dict": check_type_dict, "int": check_type_int,
               "path": check_type_path}
    options = {}
    for name, spec in common_argument_spec().items():
        value = explicit.get(name)
        if value is None and "fallback" in spec:
            try:
                value = spec["fallback"][0](*spec["fallback"][1])
            except AnsibleFallbackNotFound:
                value = None
        if value is None:
            value = spec.get("default")
        if value is not None:
            try:
                value = convert[spec["type"]](value)
            except (TypeError, ValueError) as exc:
                raise HuaweiCloudError("%s: %s" % (name, exc))
        options[name] = value
    return options


COMMON_OPTION_NAMES = tuple(common_argument_spec())
SECRET_OPTION_NAMES = tuple(name for name, spec in common_argument_spec().items() if spec.get("no_log"))


class _AnsibleModule(AnsibleModule):
    """AnsibleModule that masks the secret options in every output, even in a failure raised while the arguments
    are still being validated (then ansible-core has not yet collected the no_log values, and would print them in
    ``invocation``)."""

    def _load_params(self):
        super(_AnsibleModule, self)._load_params()
        # The options the task set (before environment fallbacks and defaults): explicit options win.
        self.explicit = frozenset(name for name, value in (self.params or {}).items() if value is not None)

    def _mask_secrets(self):
        if getattr(self, "no_log_values", None) is None:
            self.no_log_values = set()
        params = getattr(self, "params", None) or {}
        for name in SECRET_OPTION_NAMES:
            value = params.get(name)
            if isinstance(value, str) and value:
                self.no_log_values.add(value)

    def fail_json(self, msg, **kwargs):
        self._mask_secrets()
        super(_AnsibleModule, self).fail_json(msg=msg, **kwargs)

    def exit_json(self, **kwargs):
        self._mask_secrets()
        # What a module returns as its result on purpose (hwcloud.infra.auth's credentials) is not masked.
        self.no_log_values.difference_update(getattr(self, "unmasked", ()))
        super(_AnsibleModule, self).exit_json(**kwargs)


def _fail_unparsable_arguments(exc, spec):
    """Fail for arguments that made ansible-core itself raise while reading them (for example the string "inf" for
    an integer option, or an unpaired surrogate). A module that takes the same options unconverted and logs nothing
    reports it; no value is shown.
    """
    raw = dict((name, {"type": "raw", "no_log": bool(option.get("no_log"))}) for name, option in spec.items())
    fallback = _AnsibleModule(argument_spec=raw, no_log=True)
    fallback.fail_json(msg="Failed to read the module arguments: a value could not be converted (%s); check the "
                           "integer options and that every string is valid text" % type(exc).__name__)


def resource_diff(header, before, after):
    """A diff with headers that name its resource, so a loop's or a batch's diffs tell which is which."""
    return {"before_header": header, "after_header": header, "before": before, "after": after}


# A credential inside an option's value: a URL's user-info (https://user:password@host) or a secret in its query.
# Each pattern starts only where the one before it could not (a scheme at the start of its run of scheme characters,
# a query key after its ? or &), so a long value costs one pass, never a pass per character.
_USERINFO = re.compile(r"(?<![A-Za-z0-9+.-])[0-9+.-]*[A-Za-z][A-Za-z0-9+.-]*://([^/?#@\s]+)@")
_QUERY_KEY = re.compile(r"[?&]([A-Za-z0-9_.-]*)=")
_QUERY_VALUE = re.compile(r"[^&#\s]+")


def embedded_secrets(value):
    """The credentials carried inside ``value`` (strings, and those in lists and mappings): each user-info with its
    password, each value of a query key that names a secret."""
    if isinstance(value, dict):
        return [found for item in value.values() for found in embedded_secrets(item)]
    if isinstance(value, (list, tuple)):
        return [found for item in value for found in embedded_secrets(item)]
    if not isinstance(value, str):
        return []
    found = []
    for match in _USERINFO.finditer(value):
        found += [match.group(1)] + match.group(1).split(":", 1)[1:]
    position = 0
    while True:
        key = _QUERY_KEY.search(value, position)
        if key is None:
            break
        secret = _QUERY_VALUE.match(value, key.end()) if SENSITIVE_QUERY_KEYS.search(key.group(1)) else None
        if secret is None:
            position = key.start() + 1
            continue
        found.append(secret.group(0))
        position = secret.end()
    return [secret for secret in found if secret]


def _refuse_nulls(module, spec, kwargs):
    """Ansible's own requirement checks again, over the options that are not null: Ansible counts an option that is
    present as given, and a value that templated to nothing (``"{{ none }}"``, an unset registered value) is present
    but null."""
    given = dict((name, value) for name, value in module.params.items() if value is not None)
    try:
        check_required_arguments(spec, given)
        check_required_if(kwargs.get("required_if"), given)
        check_required_one_of(kwargs.get("required_one_of"), given)
        check_required_together(kwargs.get("required_together"), given)
        check_required_by(kwargs.get("required_by"), given)
    except TypeError as exc:
        module.fail_json(msg="%s (an option given as null, a value that templated to nothing such as a null or unset "
                             "variable, counts as missing)" % exc)


class HuaweiCloudModule(object):
    """Owns the AnsibleModule, the client and the result of one module run.

    A module builds one, validates its own options, and hands its work to ``run()``, the one place where failures
    become ``fail_json``.
    """

    client_class = Client

    def __init__(self, argument_spec=None, supports_check_mode=True, **kwargs):
        spec = common_argument_spec()
        spec.update(argument_spec or {})
        try:
            self.module = _AnsibleModule(argument_spec=spec, supports_check_mode=supports_check_mode, **kwargs)
        except (OverflowError, UnicodeError) as exc:
            _fail_unparsable_arguments(exc, spec)
        if not HAS_REQUESTS:
            self.module.fail_json(msg=missing_required_lib("requests"), exception=str(REQUESTS_IMPORT_ERROR))
        self.params = self.module.params
        _refuse_nulls(self.module, spec, kwargs)
        # Ansible masks these wherever they appear in what the module returns, invocation and messages included.
        self.module.no_log_values.update(embedded_secrets(self.params))
        self.result = {"changed": False}
        self._client = None

    @property
    def check_mode(self):
        return self.module.check_mode

    @property
    def client(self):
        """The client, built on first use; bad common options raise here, before any HTTP request."""
        if self._client is None:
            options = dict((name, self.params.get(name)) for name in COMMON_OPTION_NAMES)
            try:
                self._client = self.client_class(options, explicit=getattr(self.module, "explicit", None))
            except HuaweiCloudError as err:
                raise err.reworded("invalid connection options: %s" % err.message)
            # Credentials read from files, profiles or credential services are masked like the secret options.
            self._client.on_secret = self.module.no_log_values.add
            # Each read of a wait is logged as it goes (a module cannot print while it runs).
            self._client.on_wait = self.module.log
            if options.get("validate_certs") is False:
                self.module.warn("TLS certificate verification is off (validate_certs: false): the API endpoints' "
                                 "identity is not checked. Use ca_bundle for a private CA instead.")
        return self._client

    @property
    def waits(self):
        """The waits of this run so far (the client's records)."""
        return self._client.waits if self._client is not None else []

    def wait_timeout(self):
        return validate_int(self.params["wait_timeout"], "wait_timeout", WAIT_TIMEOUT_RANGE)

    def set_diff(self, header, before, after):
        """The diff of the resource ``header`` names (as the batch modules name each item's)."""
        if self.module._diff:
            self.result["diff"] = resource_diff(header, before, after)

    def set_diffs(self, diffs):
        """Several diffs (one per item of a batch), each with its own header; ``diffs`` may be a generator."""
        if self.module._diff:
            self.result["diff"] = list(diffs)

    def run(self, task, operation):
        """Run ``task()``, which returns the result values, and exit with them; the one catch of a module.

        A HuaweiCloudError fails with its message and, when the API answered, its ``error``; any other exception
        fails naming ``operation`` instead of ending in a traceback. ``changed`` stays what the task recorded.
        """
        try:
            values = task()
        except HuaweiCloudError as err:
            self.fail_from(err)
        except Exception as exc:  # pylint: disable=broad-except
            self.fail("Failed to %s: unexpected error (%s: %s)%s" % (
                operation, type(exc).__name__, str(exc)[:300],
                "; a change was already applied" if self.result.get("changed") else ""),
                exception=traceback.format_exc())
        self.exit(**values)

    def _flush_warnings(self):
        """Hand the client's warnings to Ansible, and put its waits in the result (``waits``)."""
        if self._client is not None:
            for message in self._client.warnings:
                self.module.warn(message)
            self._client.warnings = []
            if self._client.waits:
                self.result["waits"] = self._client.waits

    def fail(self, msg, **extra):
        self._flush_warnings()
        result = dict(self.result)
        result.update(extra)
        self.module.fail_json(msg=msg, **result)

    def fail_from(self, err):
        """fail_json for a HuaweiCloudError: its message, and ``error`` when the API (or the transport) answered."""
        if err.status is not None or err.code is not None or err.request_id is not None or err.method is not None:
            self.fail(err.message, error=err.to_dict())
        self.fail(err.message)

    def exit(self, **values):
        self._flush_warnings()
        self.result.update(values)
        self.module.exit_json(**self.result)
