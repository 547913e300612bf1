# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.infra contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection. Breaking changes can occur any time.

"""The IAM actions behind every API call the collection makes: one table, in both of Huawei's authorization styles.

* role/policy-based authorization (IAM policies, ``"Version": "1.1"``): the actions of each service's "Permissions
  Policies and Supported Actions" page;
* identity policy-based authorization (IAM 5.0 identity policies, ``"Version": "5.0"``): the actions of each API
  page's "Authorization Information" section; ``()`` where the page says the call needs no identity-policy
  permission.

A call whose action Huawei does not document says so in ``undocumented``, with the nearest documented action and why
it was chosen. Logins (password, id token, OIDC) need no action: IAM checks the credentials themselves.

docs/permissions.md, the policy files under extensions/iam/policies and each module's documentation are generated
from this table and from the calls each module makes (``_permission_uses.py``): ``make permissions``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

MA_LITE = "https://support.huaweicloud.com/intl/en-us/api-modelarts/modelarts_03_0366.html"
MA_BIND = "https://support.huaweicloud.com/intl/en-us/api-modelarts/BindDevServerPublicIP.html"
MA_UNBIND = "https://support.huaweicloud.com/api-modelarts/UnbindDevServerPublicIP.html"
MA_LIST_EIPS = "https://support.huaweicloud.com/intl/en-us/api-modelarts/ListDevServerPublicIP.html"
EIP_ACTIONS = "https://support.huaweicloud.com/intl/en-us/api-eip/eip_apipermission_0002.html"
EIP_DISASSOCIATE = "https://support.huaweicloud.com/api-eip/DisassociatePublicips.html"
VPC_ACTIONS = "https://support.huaweicloud.com/intl/en-us/api-vpc/vpc_permission_0002.html"
CDC_LIST = "https://support.huaweicloud.com/api-clouddc/ListInstances.html"
CDC_STATUS = "https://support.huaweicloud.com/api-clouddc/ShowInstanceStatus.html"
CDC_IP = "https://support.huaweicloud.com/api-clouddc/ModifyInstanceIp.html"
CDC_ACTIONS = "https://support.huaweicloud.com/api-clouddc/clouddc_01_0042.html"
IAM_PROJECTS = "https://support.huaweicloud.com/intl/en-us/api-iam/iam_06_0001.html"
IAM_AGENCY = "https://support.huaweicloud.com/intl/en-us/api-iam/iam_04_0101.html"
STS_ASSUME = "https://support.huaweicloud.com/intl/en-us/api-iam5/AssumeAgency.html"
# A login (password, id token, OIDC exchange, one's own token's temporary keys): IAM checks the credentials.
LOGIN = None

SECURITY_TOKENS = "/v3.0/OS-CREDENTIAL/securitytokens"


class Call(object):
    """One API call (method, service, path template as the client sends it, and for IAM's security tokens the
    login method of its body) and the actions it needs."""

    def __init__(self, method, service, template, what, role, identity, source, undocumented=None, variant=None,
                 access="read"):
        self.method = method
        self.service = service
        self.template = template
        self.variant = variant
        self.what = what
        self.role = tuple(role)
        self.identity = tuple(identity)
        self.source = source
        self.undocumented = undocumented
        # read (List/Read: removing it must stop a task before its first write) or write.
        self.access = access

    @property
    def key(self):
        return (self.method, self.service, self.template, self.variant)


CALLS = (
    # ---- IAM --------------------------------------------------------------------------------------------------------
    Call("POST", "iam", "/v3/auth/tokens", "log in with a password (an IAM token)", (), (), LOGIN, access="login"),
    Call("POST", "iam", "/v3.0/OS-AUTH/id-token/tokens", "log in with an OpenID Connect id token", (), (), LOGIN,
         access="login"),
    Call("POST", "sts", "/v5/agencies/assume-with-oidc", "exchange an OIDC id token for an agency's keys", (), (),
         LOGIN, access="login"),
    Call("POST", "iam", SECURITY_TOKENS, "get temporary keys for one's own token", (), (), LOGIN, variant="token",
         access="login"),
    Call("POST", "iam", SECURITY_TOKENS, "assume an agency (agency_name with hwcloud.infra.auth or any module)",
         ("iam:agencies:assume",), ("sts:agencies:assume",), IAM_AGENCY, variant="assume_role",
         undocumented="the API page asks for credentials with the Agent Operator permission, whose action is "
                      "iam:agencies:assume; the identity-policy action sts:agencies:assume is documented on %s"
                      % STS_ASSUME),
    Call("GET", "iam", "/v3/projects", "find the project id of the region (when project_id is not set)",
         ("iam:projects:list",), ("iam:projects:listProjects",), IAM_PROJECTS,
         undocumented="the API page refers to IAM's permission list; iam:projects:list is its action for listing "
                      "projects, and iam:projects:listProjects the identity-policy one ModelArts lists among its "
                      "dependencies"),
    # ---- ModelArts Lite Servers -------------------------------------------------------------------------------------
    Call("GET", "modelarts", "/v1/{project_id}/dev-servers/all", "list every Lite Server of the project",
         ("modelarts:devserver:list",), ("modelarts:devserver:list",), MA_LITE),
    Call("GET", "modelarts", "/v1/{project_id}/dev-servers", "list the caller's own Lite Servers (the fallback)",
         ("modelarts:devserver:listByUser",), ("modelarts:devserver:listByUser",), MA_LITE),
    Call("GET", "modelarts", "/v1/{project_id}/dev-servers/{id}", "read one Lite Server",
         ("modelarts:devserver:get",), ("modelarts:devserver:get",), MA_LITE),
    Call("GET", "modelarts", "/v1/{project_id}/dev-servers/{id}/publicips", "list the EIPs of a Lite Server",
         ("modelarts:devserver:get",), (), MA_LIST_EIPS,
         undocumented="the API page refers to the permission page, whose rows do not name this call; "
                      "modelarts:devserver:get, the documented action that reads one server, is the nearest"),
    Call("POST", "modelarts", "/v1/{project_id}/dev-servers/{id}/publicips", "bind an EIP to a Lite Server",
         ("vpc:publicIps:update",), (), MA_BIND, access="write",
         undocumented="the permission page's rows do not name this call; binding changes the EIP's association, "
                      "which the EIP service documents as vpc:publicIps:update (the alias of "
                      "eip:publicIps:associateInstance)"),
    Call("DELETE", "modelarts", "/v1/{project_id}/dev-servers/{id}/publicips/{eip}", "unbind an EIP from a Lite "
         "Server", ("vpc:publicIps:update",), (), MA_UNBIND, access="write",
         undocumented="the permission page's rows do not name this call; unbinding changes the EIP's association, "
                      "which the EIP service documents as vpc:publicIps:update (the alias of "
                      "eip:publicIps:disassociateInstance, %s)" % EIP_DISASSOCIATE),
    # ---- VPC: EIPs, subnets, bandwidths -----------------------------------------------------------------------------
    Call("GET", "vpc", "/v3/{project_id}/eip/publicips", "list EIPs (by address, name or device)",
         ("vpc:publicIps:list",), ("eip:publicIps:list",), EIP_ACTIONS,
         undocumented="the EIP permission table names the v1 listing; the v3 listing is the same operation "
                      "(its identity-policy action eip:publicIps:list has vpc:publicIps:list as its alias)"),
    Call("GET", "vpc", "/v3/{project_id}/eip/publicips/{id}", "read one EIP",
         ("vpc:publicIps:get",), ("eip:publicIps:get",), EIP_ACTIONS,
         undocumented="the EIP permission table names the v1 read; the v3 read is the same operation"),
    Call("GET", "vpc", "/v1/{project_id}/publicips", "list EIPs (v1)", ("vpc:publicIps:list",),
         ("eip:publicIps:list",), EIP_ACTIONS),
    Call("GET", "vpc", "/v1/{project_id}/publicips/{id}", "read one EIP (v1)", ("vpc:publicIps:get",),
         ("eip:publicIps:get",), EIP_ACTIONS),
    Call("POST", "vpc", "/v1/{project_id}/publicips", "allocate an EIP", ("vpc:publicIps:create",),
         ("eip:publicIps:create",), EIP_ACTIONS, access="write"),
    Call("DELETE", "vpc", "/v1/{project_id}/publicips/{id}", "release an EIP", ("vpc:publicIps:delete",),
         ("eip:publicIps:delete",), EIP_ACTIONS, access="write"),
    Call("GET", "vpc", "/v1/{project_id}/subnets/{id}", "read a subnet (the iMetal address checks)",
         ("vpc:subnets:get",), ("vpc:subnets:get",), VPC_ACTIONS),
    Call("GET", "vpc", "/v1/{project_id}/bandwidths/{id}", "read a shared bandwidth (auto_eip)",
         ("vpc:bandwidths:get",), ("vpc:bandwidths:get",), VPC_ACTIONS),
    # ---- CloudDC iMetal ---------------------------------------------------------------------------------------------
    Call("GET", "clouddc", "/v1/{project_id}/instances", "list iMetal instances", ("clouddc:instance:list",),
         ("clouddc:instance:list",), CDC_LIST,
         undocumented="CloudDC documents identity-policy actions only; role/policy-based authorization takes the "
                      "same names"),
    Call("GET", "clouddc", "/v1/{project_id}/instances/{id}/status", "read an iMetal instance's status",
         ("clouddc:instance:get",), ("clouddc:instance:get",), CDC_STATUS,
         undocumented="CloudDC documents identity-policy actions only; role/policy-based authorization takes the "
                      "same names"),
    Call("PUT", "clouddc", "/v1/{project_id}/instances/{id}/ip", "change an iMetal instance's IP addresses",
         ("clouddc:instance:updateIP",), ("clouddc:instance:updateIP",), CDC_IP, access="write",
         undocumented="CloudDC documents identity-policy actions only; role/policy-based authorization takes the "
                      "same names"),
    Call("GET", "clouddc", "/v1/{project_id}/physicalservers/{id}", "read the physical server of an iMetal "
         "instance (after a failed change)", ("clouddc:imetal:get",), ("clouddc:imetal:get",), CDC_ACTIONS,
         undocumented="CloudDC documents identity-policy actions only; role/policy-based authorization takes the "
                      "same names"),
)

BY_KEY = dict((call.key, call) for call in CALLS)


def variant_of(template, body):
    """The login method of an IAM security-tokens call (its body's ``auth.identity.methods``), else None."""
    if template != SECURITY_TOKENS or not isinstance(body, dict):
        return None
    methods = ((body.get("auth") or {}).get("identity") or {}).get("methods") or [None]
    return methods[0]


def find(method, service, template, body=None):
    """The row of a call, or None when the table has none."""
    return BY_KEY.get((method, service, template, variant_of(template, body)))


# The shipped policies: name -> (file name stem, what it is for). Which actions each holds is derived from the uses.
POLICIES = (
    ("read-only", "hwcloud-infra-read-only", "the info modules, the inventory plugin and check mode"),
    ("eip-operator", "hwcloud-infra-eip-operator",
     "EIP binds, unbinds, moves, allocation and release (modelarts_devserver_eip*, vpc_eip, role lite_server_expose)"),
    ("imetal-network-operator", "hwcloud-infra-imetal-network-operator",
     "iMetal IP changes (cdc_imetal_ip*, role imetal_readdress)"),
    ("everything", "hwcloud-infra-everything", "everything the collection does"),
)
POLICY_DIR = "extensions/iam/policies"

_DENIED = re.compile(r"[Pp]olicy doesn'?t allow ([A-Za-z0-9_*]+:[A-Za-z0-9_*]+:[A-Za-z0-9_*]+) to be performed")


def denied_action(message):
    """The action a 403's message names ("policy doesn't allow X to be performed"), or None."""
    found = _DENIED.search(message or "")
    return found.group(1) if found else None


def policy_granting(action, grants):
    """The shipped policy file (path) that grants ``action`` with the fewest actions, from ``grants`` (policy name
    -> actions); None when none does."""
    holding = [(len(actions), name) for name, actions in grants.items() if action in actions]
    if not holding:
        return None
    name = min(holding)[1]
    stem = dict((n, s) for n, s, _w in POLICIES)[name]
    return "%s/%s.json" % (POLICY_DIR, stem)


def uses():
    """The generated uses: [(use, policy name, [Call])] (``_permission_uses.py``); [] before it was generated."""
    try:
        from ..module_utils._permission_uses import USES
    except ImportError:
        return []
    return [(name, policy, [BY_KEY[tuple(key)] for key in keys if tuple(key) in BY_KEY])
            for name, policy, keys in USES]


def actions_of(calls, style="role"):
    """The sorted actions ``calls`` need in one authorization style (role or identity)."""
    return sorted(set(a for call in calls for a in (call.role if style == "role" else call.identity)))


def grants(style="role", of_uses=None):
    """{policy name: actions} of the shipped policies: each holds the actions of its uses (``of_uses``, as ``uses()``
    gives them, which it defaults to); everything all of them."""
    found = dict((name, set()) for name, _stem, _what in POLICIES)
    for _use, policy, calls in uses() if of_uses is None else of_uses:
        actions = set(actions_of(calls, style))
        found[policy] |= actions
        found["everything"] |= actions
    return found
