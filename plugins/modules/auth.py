#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.infra contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: auth
short_description: Log in once and get short-lived Huawei Cloud credentials for the tasks that follow
version_added: 0.3.0
description:
  - Resolves the credential chain (the same options, environment variables, profiles, files and credential services
    as every module of the collection) and returns credentials the following tasks use as they are, in RV(auth).
  - With a password, that is an IAM token and its project id, so a play of many tasks logs in to IAM once instead
    of once per task (IAM limits how often tokens are created). With the instance metadata service, CCE pod
    identity, OIDC federation, a federated id token or an assumed agency, that is the temporary AK/SK with its
    security token. A ready token or static keys are returned as they are.
  - RV(auth) holds secrets. Register it on a task with C(no_log=true), use it in C(module_defaults) for
    C(group/hwcloud.infra.huaweicloud), and never C(set_fact) it into facts (facts can be cached on disk). The
    collection itself never writes a credential to disk.
  - Options set explicitly in a task win over environment variables, so RV(auth) given in C(module_defaults) is
    used even where an AWX credential injects variables of another method.
  - The credentials expire (RV(expires_at)); the modules renew only what they can renew by themselves, so run this
    module again in plays that last longer than that.
author:
  - hwcloud.infra contributors (@hwcloud-infra)
extends_documentation_fragment:
  - hwcloud.infra.common
  - hwcloud.infra.attributes.info_module
notes:
  - The result is a secret however it is displayed; C(no_log) on the task keeps it out of the output, also at
    C(-vvvv).
seealso:
  - module: hwcloud.infra.modelarts_devserver_eip
  - name: Authentication guide
    description: The credential chain, its sources and worked examples (docs/authentication.md of the collection).
    link: https://github.com/hwcloud-infra/hwcloud.infra/blob/main/docs/authentication.md
"""

EXAMPLES = r"""
- name: Log in once (with a password from HW_USER_NAME, HW_USER_PASSWORD and HW_DOMAIN_NAME, one IAM login)
  hwcloud.infra.auth:
    region: ap-southeast-3
  register: login
  no_log: true

- name: The tasks that follow use its credentials as they are
  module_defaults:
    group/hwcloud.infra.huaweicloud: "{{ login.auth | combine({'region': 'ap-southeast-3'}) }}"
  block:
    - name: Lite Servers
      hwcloud.infra.modelarts_devserver_info:
        public_ips: false

    - name: Bind an EIP
      hwcloud.infra.modelarts_devserver_eip:
        server: train-a3-01
        public_ip: 203.0.113.15
"""

RETURN = r"""
auth:
  description:
    - The credentials, as the collection's options (V(auth_token) and V(project_id), or V(access_key),
      V(secret_key), V(security_token) and V(project_id)), ready for C(module_defaults).
    - A secret; register it with C(no_log=true).
  returned: success
  type: dict
  sample: {"auth_token": "MIIZ...", "project_id": "0a1b2c3d4e5f40718293a4b5c6d7e8f9"}
expires_at:
  description: When the credentials expire (UTC, ISO 8601); null when they do not (static keys) or it is unknown.
  returned: success
  type: str
  sample: "2026-12-03T14:00:00Z"
method:
  description: The kind of credentials the chain found.
  returned: success
  type: str
  sample: IAM password login
source:
  description: Where they came from, named as errors name it; never a value.
  returned: success
  type: str
  sample: module options
"""

from ..module_utils._auth import _iso
from ..module_utils._errors import step
from ..module_utils._module import HuaweiCloudModule


def login(module):
    client = module.client
    with step("resolve the credentials (%s)" % client.auth.describe()):
        credentials, expires = client.auth.short_lived(client)
        project_id = credentials.get("project_id") or client.project_id
    auth = dict((name, value) for name, value in credentials.items() if value)
    auth["project_id"] = project_id
    # The result is these credentials: they are not masked in it (the task's no_log hides them).
    module.module.unmasked = set(auth.values())
    return {"auth": auth, "expires_at": _iso(expires), "method": client.auth.name, "source": client.auth.source}


def main():
    module = HuaweiCloudModule(argument_spec={})
    module.run(lambda: login(module), "resolve the credentials")


if __name__ == "__main__":
    main()
