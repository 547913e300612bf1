#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.infra contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: modelarts_devserver_eip
short_description: Bind or unbind elastic public IPs (EIPs) on ModelArts Lite Servers
version_added: 0.1.0
description:
  - Ensures an EIP is bound to, or not bound to, a ModelArts Lite Server (dev-server).
  - Reads the current bindings first and writes only when they differ from what is wanted.
  - Every precondition (the server exists and is C(RUNNING), the EIP exists and is free or held only by this server)
    is checked before the first write, so a refused task changes nothing.
  - Binding EIPs is supported by Huawei Cloud for A3 Lite Servers only.
author:
  - hwcloud.infra contributors (@hwcloud-infra)
extends_documentation_fragment:
  - hwcloud.infra.common
  - hwcloud.infra.attributes
options:
  server:
    description:
      - The Lite Server id, or its name when that name is unique in the project.
      - An unknown or ambiguous name fails and lists the candidates.
    type: str
    required: true
  public_ip:
    description:
      - The EIP, by id or by its IPv4 address (resolved through the VPC EIP API).
      - Required when O(state=present).
      - With O(state=absent), the EIP is unbound if it is bound to this server; when it is not, nothing happens.
    type: str
  state:
    description:
      - V(present) binds O(public_ip) to the server.
      - V(absent) unbinds O(public_ip), or every EIP of the server when O(public_ip) is omitted.
    type: str
    choices: [present, absent]
    default: present
  allow_rebind:
    description:
      - When the EIP is bound to another Lite Server, unbind it there first and bind it here.
      - Without it, the task fails and names the current holder.
      - EIPs held by other kinds of resources (load balancers, NAT gateways, ECS ports) are never taken.
      - Moving is two writes. If the API refuses the bind after the unbind (for example because this server is not
        an A3 server, which the API does not say beforehand), the EIP is left unbound and the task fails saying so.
    type: bool
    default: false
  exclusive:
    description:
      - With O(state=present), also unbind every other EIP from the server.
    type: bool
    default: false
  wait:
    description:
      - After a change, wait until the bindings read back as wanted and the EIPs report C(ACTIVE) (bound) or
        C(DOWN) (unbound) through the EIP API, then return what was read back.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait when O(wait=true).
    type: int
    default: 300
notes:
  - A bind or unbind whose outcome is unknown (a timeout or a reset connection after sending) is not sent again
    blindly; the bindings are read back and the write is repeated only if it did not take effect.
seealso:
  - module: hwcloud.infra.modelarts_devserver_info
"""

EXAMPLES = r"""
- name: Bind an EIP, by address, to a Lite Server named train-a3-01
  hwcloud.infra.modelarts_devserver_eip:
    region: ap-southeast-3
    server: train-a3-01
    public_ip: 203.0.113.11

- name: Credentials once for the whole play (or from HW_* environment variables, as AWX injects them)
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/hwcloud.infra.huaweicloud:
      region: ap-southeast-3
      access_key: "{{ hw_access_key }}"
      secret_key: "{{ hw_secret_key }}"
  tasks:
    - name: Make this EIP the only one of the server, taking it from another Lite Server if needed
      hwcloud.infra.modelarts_devserver_eip:
        server: 3f5c2a9e-1b7d-4c61-9a0e-2d8f4b6c1e70
        public_ip: 6a1f0c3e-8d2b-4e5f-9c7a-1b3d5e7f9a2c
        exclusive: true
        allow_rebind: true
      register: bound

    - name: Show the public address
      ansible.builtin.debug:
        msg: "{{ bound.server.name }} is reachable at {{ bound.public_ips | map(attribute='address') | join(', ') }}"

    - name: Unbind one EIP if it is bound
      hwcloud.infra.modelarts_devserver_eip:
        server: train-a3-01
        public_ip: 203.0.113.11
        state: absent

    - name: Unbind every EIP of a server
      hwcloud.infra.modelarts_devserver_eip:
        server: train-a3-02
        state: absent

# Ad hoc, with the credentials in HW_REGION_NAME, HW_ACCESS_KEY and HW_SECRET_KEY:
#   ansible localhost -m hwcloud.infra.modelarts_devserver_eip -a 'server=train-a3-01 public_ip=203.0.113.11'
"""

RETURN = r"""
server:
  description: The Lite Server the task acted on.
  returned: success
  type: dict
  contains:
    id:
      description: Lite Server id.
      type: str
      sample: 3f5c2a9e-1b7d-4c61-9a0e-2d8f4b6c1e70
    name:
      description: Lite Server name.
      type: str
      sample: train-a3-01
    status:
      description: Lite Server status, for example C(RUNNING).
      type: str
      sample: RUNNING
    cloud_server_id:
      description: Id of the underlying BMS or ECS.
      type: str
      sample: 9b2e4f6a-0c1d-4e3f-8a5b-7c9d1e3f5a7b
public_ips:
  description:
    - The EIPs bound to the server after the task, sorted by address.
    - Read back from the API when a change was waited for or nothing changed; the predicted set in check mode
      or with O(wait=false).
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: EIP id.
      type: str
      sample: 6a1f0c3e-8d2b-4e5f-9c7a-1b3d5e7f9a2c
    address:
      description: EIP address.
      type: str
      sample: 203.0.113.11
request_ids:
  description: Request ids (C(X-Request-Id)) of the writes made, in order; empty when nothing was written.
  returned: success
  type: list
  elements: str
  sample: [4b07fba5f5354343b5bddf13d0f557a7]
diff:
  description: With C(--diff), the bindings before and after.
  returned: when diff mode is on
  type: dict
  sample: {"before": {"public_ips": []}, "after": {"public_ips": [{"id": "6a1f...", "address": "203.0.113.11"}]}}
error:
  description: On an API failure, the API's answer.
  returned: failure
  type: dict
  contains:
    status:
      description: HTTP status.
      type: int
    code:
      description: The API's error code, for example C(ModelArts.6404).
      type: str
    message:
      description: The API's error message.
      type: str
    request_id:
      description: The request id to quote to Huawei Cloud support.
      type: str
    method:
      description: HTTP method.
      type: str
    url:
      description: Request URL.
      type: str
"""

from ..module_utils._client import HuaweiCloudError, validate_id
from ..module_utils._modelarts import (bind_eip, list_server_eips, list_servers, match_binding, plan_bindings,
                                       resolve_server, server_summary, unbind_eip)
from ..module_utils._module import HuaweiCloudModule
from ..module_utils._vpc import describe_holder, get_eip, holder_instance_id, is_free, resolve_eip, validate_eip_ref


class DevServerEip(object):
    def __init__(self, module):
        self.m = module
        self.p = module.params
        self.client = module.client
        self.request_ids = []

    def fail(self, msg, err=None):
        if err is not None:
            self.m.fail(msg, error=err.to_dict())
        self.m.fail(msg)

    def run(self):
        p = self.p
        what = "read the EIP bindings of Lite Server %s" % p["server"]
        try:
            server = resolve_server(self.client, p["server"])
            bound = list_server_eips(self.client, server["id"])
        except HuaweiCloudError as err:
            return self.m.fail_error(err, what)
        self.m.result["server"] = server_summary(server)

        target, eip, holder = self._target(server, bound)
        plan = plan_bindings(p["state"], bound, target, p["exclusive"])
        changed = bool(plan["bind"] or plan["unbind"] or holder)
        if changed:
            self._check_preconditions(server, plan, eip, holder)
        self.m.result["changed"] = changed
        self.m.set_diff({"public_ips": bound}, {"public_ips": plan["after"]})
        if not changed or self.m.check_mode:
            return self.m.exit(public_ips=plan["after"], request_ids=[])

        if holder:
            self._unbind(holder, eip_pair(eip))
        for entry in plan["unbind"]:
            self._unbind(server, entry)
        if plan["bind"]:
            self._bind(server, plan["bind"], moved_from=holder)
        public_ips = plan["after"]
        if p["wait"]:
            public_ips = self._wait(server, plan, holder)
        return self.m.exit(public_ips=public_ips, request_ids=self.request_ids)

    # -- planning ---------------------------------------------------------------------------------------------------

    def _target(self, server, bound):
        """The EIP the task names as {id, address}, its EIP record when it must be bound, and a Lite Server to take
        it from (allow_rebind)."""
        p = self.p
        if p["public_ip"] is None:
            return None, None, None
        already = match_binding(bound, p["public_ip"])
        if already:
            return already, None, None
        if p["state"] == "absent":
            # Not bound here: nothing to unbind, and no need to look the EIP up.
            return {"id": None, "address": p["public_ip"]}, None, None
        try:
            eip = resolve_eip(self.client, p["public_ip"])
        except HuaweiCloudError as err:
            return self.fail("Cannot bind EIP %s to Lite Server %s: %s" % (p["public_ip"], server_label(server), err),
                             err if err.status else None)
        if is_free(eip):
            return eip_pair(eip), eip, None
        holder = self._holder(eip, server)
        if holder is not None and holder["id"] == server["id"]:
            # The EIP API already shows this server; the ModelArts listing has not caught up yet.
            return eip_pair(eip), eip, None
        where = "Lite Server %s" % server_label(holder) if holder else describe_holder(eip)
        if holder is None or not p["allow_rebind"]:
            hint = " (set allow_rebind to move it)" if holder is not None else ""
            return self.fail("Cannot bind EIP %s to Lite Server %s: the EIP is in use by %s%s"
                             % (eip_label(eip), server_label(server), where, hint))
        return eip_pair(eip), eip, holder

    def _holder(self, eip, server):
        """The Lite Server an EIP is bound to, found through the compute instance the EIP API names."""
        instance_id = holder_instance_id(eip)
        if not instance_id or eip.get("associate_instance_type") not in (None, "PORT"):
            return None
        if instance_id == (server.get("cloud_server") or {}).get("id"):
            return server
        try:
            candidates = [s for s in list_servers(self.client)
                          if (s.get("cloud_server") or {}).get("id") == instance_id]
        except HuaweiCloudError as err:
            return self.m.fail_error(err, "find the Lite Server holding EIP", eip_label(eip))
        return candidates[0] if len(candidates) == 1 else None

    def _check_preconditions(self, server, plan, eip, holder):
        if server.get("status") != "RUNNING":
            action = "bind EIP %s to" % eip_label(eip) if plan["bind"] else "unbind EIPs from"
            self.fail("Cannot %s Lite Server %s: its status is %s, and EIPs can only be changed while it is RUNNING; "
                      "nothing was changed" % (action, server_label(server), server.get("status")))
        if holder is not None and holder.get("status") != "RUNNING":
            self.fail("Cannot move EIP %s from Lite Server %s: its status is %s; nothing was changed"
                      % (eip_label(eip), server_label(holder), holder.get("status")))

    # -- writes -------------------------------------------------------------------------------------------------------

    def _bind(self, server, entry, moved_from=None):
        label = "bind EIP %s to Lite Server %s" % (entry["address"] or entry["id"], server_label(server))
        if moved_from:
            label += " (it was unbound from Lite Server %s first and is now unbound)" % server_label(moved_from)
        self._write(bind_eip, server, entry, label, bound_after=True)

    def _unbind(self, server, entry):
        label = "unbind EIP %s from Lite Server %s" % (entry["address"] or entry["id"], server_label(server))
        self._write(unbind_eip, server, entry, label, bound_after=False)

    def _write(self, call, server, entry, label, bound_after):
        """Send a bind or unbind; after a lost answer, the server's bindings tell whether it took effect."""
        def took_effect():
            bound = match_binding(list_server_eips(self.client, server["id"]), entry["id"]) is not None
            return bound == bound_after

        try:
            request_id = self.m.write(lambda: call(self.client, server["id"], entry["id"]), took_effect)
        except HuaweiCloudError as err:
            return self.m.fail_error(err, label)
        if request_id:
            self.request_ids.append(request_id)

    # -- waiting ------------------------------------------------------------------------------------------------------

    def _wait(self, server, plan, holder):
        wanted = sorted(e["id"] for e in plan["after"])
        bound_ids = set(wanted)
        changed_eips = [e["id"] for e in plan["unbind"]] + ([plan["bind"]["id"]] if plan["bind"] else [])

        def fetch():
            state = {"public_ips": list_server_eips(self.client, server["id"]), "eip_status": {}}
            if sorted(e["id"] for e in state["public_ips"]) == wanted:
                for eip_id in changed_eips:
                    state["eip_status"][eip_id] = get_eip(self.client, eip_id).get("status")
            return state

        def done(state):
            if sorted(e["id"] for e in state["public_ips"]) != wanted:
                return False
            return all(status == ("ACTIVE" if eip_id in bound_ids else "DOWN")
                       for eip_id, status in state["eip_status"].items())

        try:
            final = self.client.wait_for(fetch, done, self.p["wait_timeout"],
                                         "the EIPs of Lite Server %s to read back as %s"
                                         % (server_label(server), [e["address"] for e in plan["after"]]))
        except HuaweiCloudError as err:
            return self.m.fail_error(err, "wait for the EIP change on Lite Server", server_label(server))
        return final["public_ips"]


def eip_pair(eip):
    return {"id": eip.get("id"), "address": eip.get("public_ip_address")}


def eip_label(eip):
    if not eip:
        return "?"
    return "%s (%s)" % (eip.get("public_ip_address"), eip.get("id"))


def server_label(server):
    return "%s (%s)" % (server.get("name"), server.get("id"))


def main():
    module = HuaweiCloudModule(
        argument_spec=dict(
            server=dict(type="str", required=True),
            public_ip=dict(type="str"),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            allow_rebind=dict(type="bool", default=False),
            exclusive=dict(type="bool", default=False),
            wait=dict(type="bool", default=True),
            wait_timeout=dict(type="int", default=300),
        ),
        required_if=[("state", "present", ["public_ip"])],
    )
    p = module.params
    try:
        validate_id(p["server"], "server")
        if p["public_ip"] is not None:
            validate_eip_ref(p["public_ip"])
    except HuaweiCloudError as err:
        module.fail(str(err))
    if p["wait_timeout"] <= 0:
        module.fail("wait_timeout must be a positive number of seconds, got %d" % p["wait_timeout"])
    if p["exclusive"] and p["state"] == "absent":
        module.fail("exclusive applies to state=present only")
    DevServerEip(module).run()


if __name__ == "__main__":
    main()
