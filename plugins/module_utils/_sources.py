# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.infra contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection. Breaking changes can occur any time.

"""Credential sources: where the credentials come from when no credential option (or its environment variable) is
set, in the chain's order: a shared-config profile (KooCLI's and Terraform's ``~/.hcloud/config.json``), then the
SDK credentials file (``~/.huaweicloud/credentials``).

Each source reads its file as Huawei's own tools do and returns the credential options it holds; every error
names the source ("profile 'prod' of ~/.hcloud/config.json") and never a value.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import configparser
import json
import os
import stat

from ..module_utils._errors import HuaweiCloudError
from ..module_utils._rules import has_control

SHARED_CONFIG_FILE = os.path.join("~", ".hcloud", "config.json")
CREDENTIALS_FILE = os.path.join("~", ".huaweicloud", "credentials")
# The sources auth_source can pin; "auto" walks the chain.
AUTH_SOURCES = ("auto", "options", "profile", "credentials_file", "oidc", "id_token", "metadata", "pod_identity")
CREDENTIAL_NAMES = ("access_key", "secret_key", "security_token", "auth_token", "user_name", "password",
                    "domain_name")


class SourceError(HuaweiCloudError):
    """A credential source that cannot be used; the message names the source, never a value."""


def _shown_path(path):
    home = os.path.expanduser("~")
    return "~" + path[len(home):] if home not in ("", "/", "~") and path.startswith(home + os.sep) else path


def _read(path, where):
    try:
        with open(path, "rb") as handle:
            data = handle.read(1024 * 1024 + 1)
    except (IOError, OSError) as exc:
        raise SourceError("%s cannot be read (%s)" % (where, exc.strerror or type(exc).__name__))
    if len(data) > 1024 * 1024:
        raise SourceError("%s is larger than 1 MiB" % where)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SourceError("%s is not UTF-8 text" % where)


def read_text(path, where):
    """The stripped text of a small file that holds one token (an id token, a pod identity token)."""
    text = _read(os.path.expanduser(path), where).strip()
    if not text:
        raise SourceError("%s is empty" % where)
    return text


def _warn_if_shared(path, where, warn):
    """A credentials file that group or others can read gets a warning (the keys are readable by them too)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return
    if mode & (stat.S_IRGRP | stat.S_IROTH | stat.S_IWGRP | stat.S_IWOTH):
        warn("%s can be read or written by other users (mode %s): restrict it with chmod 600"
             % (where, oct(stat.S_IMODE(mode))[2:].rjust(3, "0")))


def _text(value, field, where):
    if value is None or value == "":
        return None
    if not isinstance(value, str) or has_control(value) or len(value) > 16384:
        raise SourceError("%s: %s is not a valid text value" % (where, field))
    return value


def _keys(record, fields, path, where, warn):
    """{option: value} of a source's ``record`` ({option: the source's field name}); the access key and secret
    key are needed. A file that others can read gets a warning."""
    found = dict((option, _text(record.get(field), field, where)) for option, field in fields.items())
    if not found["access_key"] or not found["secret_key"]:
        raise SourceError("%s has no %s and %s" % (where, fields["access_key"], fields["secret_key"]))
    _warn_if_shared(path, where, warn)
    return found


def validate_source_options(options):
    """``auth_source``, ``profile`` and the two file options, checked before anything is read."""
    source = options.get("auth_source") or "auto"
    if source not in AUTH_SOURCES:
        raise SourceError("auth_source must be one of %s" % ", ".join(AUTH_SOURCES))
    profile = options.get("profile")
    if profile is not None and (not isinstance(profile, str) or not 1 <= len(profile) <= 64 or has_control(profile)):
        raise SourceError("profile must be a profile name of 1-64 characters without control characters")
    for name in ("shared_config_file", "credentials_file"):
        value = options.get(name)
        if value is not None and (not isinstance(value, str) or not value or len(value) > 4096 or has_control(value)):
            raise SourceError("%s must be a file path" % name)
    return source


def profile_credentials(options, warn):
    """The credential options of a shared-config profile: ``profile`` (else the file's ``current``) of
    ``shared_config_file`` (else ~/.hcloud/config.json). Only profiles of mode AKSK are read; a file whose keys
    KooCLI encrypted is refused with the command that makes it readable."""
    path = os.path.expanduser(options.get("shared_config_file") or SHARED_CONFIG_FILE)
    where = "the shared config file %s" % _shown_path(path)
    try:
        config = json.loads(_read(path, where))
    except ValueError as exc:
        if isinstance(exc, SourceError):
            raise
        raise SourceError("%s is not JSON" % where)
    if not isinstance(config, dict) or not isinstance(config.get("profiles", []), list):
        raise SourceError("%s has no list of profiles" % where)
    name = options.get("profile") or config.get("current")
    if not isinstance(name, str) or not name:
        raise SourceError("%s names no current profile: set profile (HW_PROFILE)" % where)
    found = [p for p in config.get("profiles", []) if isinstance(p, dict) and p.get("name") == name]
    where = "profile %r of %s" % (name, _shown_path(path))
    if not found:
        names = [p.get("name") for p in config.get("profiles", []) if isinstance(p, dict)]
        known = sorted(n for n in names if isinstance(n, str))
        raise SourceError("%s does not exist (the file has %s)" % (where, ", ".join(known) or "no profiles"))
    if str(config.get("authEncrypt", "")).lower() == "true":
        raise SourceError("%s: its keys are encrypted by KooCLI, which only KooCLI can read; run 'hcloud configure "
                          "set --cli-auth-encrypt=false' and set the profile's keys again, or give the keys as "
                          "options" % where)
    profile = found[0]
    mode = profile.get("mode") or "AKSK"
    if mode != "AKSK":
        raise SourceError("%s has mode %s; profiles of mode AKSK can be used (give access_key and secret_key, or "
                          "an auth_token, for the others)" % (where, mode))
    fields = {"access_key": "accessKeyId", "secret_key": "secretAccessKey", "security_token": "securityToken",
              "region": "region", "project_id": "projectId"}
    found = _keys(profile, fields, path, where, warn)
    # A profile that assumes an agency (KooCLI's agencyName with agencyDomainName or agencyDomainId).
    for option, field in (("agency_name", "agencyName"), ("agency_domain_name", "agencyDomainName"),
                          ("agency_domain_id", "agencyDomainId")):
        found[option] = _text(profile.get(field), field, where)
    return found, where


def credentials_file_credentials(options, warn):
    """The credential options of the SDK credentials file's ``[basic]`` section (``ak``, ``sk``,
    ``security_token``, ``project_id``, ``iam_endpoint``), read as the SDK reads it."""
    path = os.path.expanduser(options.get("credentials_file") or CREDENTIALS_FILE)
    where = "the SDK credentials file %s" % _shown_path(path)
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(_read(path, where))
    except configparser.Error:
        raise SourceError("%s is not an INI file" % where)
    if not parser.has_section("basic"):
        raise SourceError("%s has no [basic] section" % where)
    where = "section [basic] of %s" % _shown_path(path)
    values = dict(parser.items("basic"))
    if values.get("idp_id") or values.get("id_token_file"):
        # A federated id-token login, as the SDK reads it (idp_id with id_token_file instead of keys).
        found = dict((option, _text(values.get(option), option, where)) for option in (
            "idp_id", "id_token_file", "project_id", "iam_endpoint"))
        return found, where
    fields = {"access_key": "ak", "secret_key": "sk", "security_token": "security_token",
              "project_id": "project_id", "iam_endpoint": "iam_endpoint"}
    return _keys(values, fields, path, where, warn), where


def from_sources(options, warn):
    """The options with credentials filled in from the chain (or the pinned source), and the source's name.

    Credential options (or their environment variables) win over files and profiles. In the chain, a profile is
    used when ``profile`` or ``shared_config_file`` is set or ~/.hcloud/config.json exists; else the SDK
    credentials file when ``credentials_file`` is set or ~/.huaweicloud/credentials exists."""
    source = validate_source_options(options)
    given = any(options.get(name) for name in CREDENTIAL_NAMES)
    if source == "options" or (source == "auto" and given):
        return options, "options"
    if given:
        raise SourceError("auth_source is %s, but credential options are set too: unset them, or set auth_source "
                          "to options" % source)
    if source == "auto":
        if options.get("profile") or options.get("shared_config_file") or \
                os.path.isfile(os.path.expanduser(SHARED_CONFIG_FILE)):
            source = "profile"
        elif options.get("credentials_file") or os.path.isfile(os.path.expanduser(CREDENTIALS_FILE)):
            source = "credentials_file"
        else:
            return options, "options"
    reader = profile_credentials if source == "profile" else credentials_file_credentials
    found, where = reader(options, warn)
    merged = dict(options)
    for name, value in found.items():
        if name == "iam_endpoint":
            if value and not (options.get("endpoints") or {}).get("iam"):
                merged["endpoints"] = dict(options.get("endpoints") or {}, iam=value)
        elif value and (name in CREDENTIAL_NAMES or not options.get(name)):
            merged[name] = value
    return merged, where
