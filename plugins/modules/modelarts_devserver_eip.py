#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.infra contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: modelarts_devserver_eip
short_description: One Lite Server - bind or unbind its elastic public IPs (ModelArts)
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
      - Moving is two writes, all or nothing. After the unbind, the module waits (up to O(wait_timeout)) until the
        EIP reads free, then binds it here. If the API refuses that bind (for example because this server is not an
        A3 server, which the API does not say beforehand), the EIP is bound back to its previous Lite Server and the
        task fails saying both what was refused and that the EIP was restored (or, if even that fails, where the
        EIP is now).
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
      - Seconds to wait when O(wait=true), and for a moved EIP to be released by its previous holder; 1 to 86400.
    type: int
    default: 300
notes:
  - A bind or unbind whose outcome is unknown (a timeout, a reset connection after sending, an answer that does not
    parse, a redirect) is not sent again blindly; the bindings are re-read for up to O(api_timeout) seconds and the
    write is repeated only if it did not take effect.
  - A task of several writes (O(exclusive), O(allow_rebind), or O(state=absent) with several EIPs bound) is all or
    nothing; when a write is refused, the writes already applied are undone and the task fails saying so.
  - C(changed) is true only when a change was applied (in check mode, when one would be).
  - "API calls: a task on a server named by its id whose EIP list already shows it converged takes one read (the
    server's EIP list). A bind of a free EIP that keeps the server's other EIPs takes three reads (the server, by id
    or from the project's listing for a name; its ModelArts EIP list; the EIP, by id or a listing filtered by
    address), one write and one verification (the EIP's status; the bind's own answer is the read-back of the
    server's EIPs). Otherwise the server's bindings are also read from the VPC EIP listing when ModelArts answers
    an error, as it does when nothing is bound; then one write per bind or unbind; then, with O(wait=true), one
    read of each changed EIP per polling round. Add one IAM call to discover the project id unless O(project_id) is
    given. For a fleet, M(hwcloud.infra.modelarts_devserver_eip_batch) decides from two listings for any number of
    servers."
seealso:
  - module: hwcloud.infra.modelarts_devserver_info
  - module: hwcloud.infra.modelarts_devserver_eip_batch
"""

EXAMPLES = r"""
- name: Bind an EIP, by address, to a Lite Server named train-a3-01
  hwcloud.infra.modelarts_devserver_eip:
    region: ap-southeast-3
    server: train-a3-01
    public_ip: 203.0.113.11

- name: Make this EIP the only one of the server (both by id), taking it from another Lite Server if needed
  hwcloud.infra.modelarts_devserver_eip:
    server: ac9bc553-8e1b-5588-b4f8-6892b4ea1d3e
    public_ip: 52b5a058-cfd6-5322-89d2-f8c586263442
    exclusive: true
    allow_rebind: true
  register: bound

- name: Show the public address
  ansible.builtin.debug:
    msg: "{{ bound.server.name }} is reachable at {{ bound.public_ips | map(attribute='address') | join(', ') }}"

- name: Unbind one EIP if it is bound
  hwcloud.infra.modelarts_devserver_eip:
    server: train-a3-04
    public_ip: 203.0.113.40
    state: absent

- name: Unbind every EIP of a server
  hwcloud.infra.modelarts_devserver_eip:
    server: train-a3-02
    state: absent

# Credentials once for a whole play: module_defaults for group/hwcloud.infra.huaweicloud (see the authentication
# guide), or the HW_* environment variables, as AWX injects them.

# Ad hoc, with the credentials in HW_REGION_NAME, HW_ACCESS_KEY and HW_SECRET_KEY:
#   ansible localhost -m hwcloud.infra.modelarts_devserver_eip -a 'server=train-a3-01 public_ip=203.0.113.11'
"""

RETURN = r"""
waits:
  description:
    - One entry per wait of the run (for a moved EIP's release, for the change to read back), when there was one.
  returned: when the module waited
  type: list
  elements: dict
  contains:
    waited_for:
      description: What was waited for.
      type: str
    attempts:
      description: Reads made while waiting.
      type: int
    seconds:
      description: Seconds waited.
      type: float
server:
  description: The Lite Server the task acted on.
  returned: success
  type: dict
  contains:
    id:
      description: Lite Server id.
      type: str
      sample: ac9bc553-8e1b-5588-b4f8-6892b4ea1d3e
    name:
      description: Lite Server name; V(null) when the task was decided from the server's EIP list alone.
      type: str
      sample: train-a3-01
    status:
      description: Lite Server status, for example C(RUNNING); V(null) when not read.
      type: str
      sample: RUNNING
    cloud_server_id:
      description: Id of the underlying BMS or ECS; V(null) when not read.
      type: str
      sample: 8101f1fb-a3a0-5bae-9927-8425501d9c07
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
      sample: 52b5a058-cfd6-5322-89d2-f8c586263442
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
    hint:
      description: What to do next, for an answer the collection knows (V(null) otherwise), for example the
        controller's clock against the gateway's for a refused signing time.
      type: str
"""

from ..module_utils._errors import HuaweiCloudError, step
from ..module_utils._validate import looks_like_uuid, validate_ref
from ..module_utils._modelarts import (BindingChange, LiveView, ask_modelarts, binding_spec, bindings_differ,
                                       list_server_eips, match_binding, plan_free_bind, plan_task, resolve_server,
                                       server_label, server_summary, sorted_bindings, wait_for_bindings)
from ..module_utils._module import HuaweiCloudModule
from ..module_utils._vpc import validate_eip_ref


def validate_inputs(module):
    """Every module option, before any request; returns the validated wait_timeout."""
    p = module.params
    validate_ref(p["server"], "server", "lite_server_name")
    if p["public_ip"] is not None:
        validate_eip_ref(p["public_ip"])
    if p["exclusive"] and p["state"] == "absent":
        raise HuaweiCloudError("exclusive applies to state=present only")
    return module.wait_timeout()


def read_by_id(client, ref):
    """ModelArts' list of the EIPs of a server named by its id (one read) as (list, None), or (None, its refusal to
    answer for this server); (None, None) when it is named otherwise or the id is unknown (the full path then reads
    the server, and reports the unknown id)."""
    if not looks_like_uuid(ref):
        return None, None
    try:
        return ask_modelarts(client, {"id": ref})
    except HuaweiCloudError as err:
        if err.refusal:
            return None, None
        raise


def nothing_to_do(bound, p):
    """Whether the server's EIP list alone shows the task converged."""
    if p["public_ip"] is None:
        return p["state"] == "absent" and not bound
    target = match_binding(bound, p["public_ip"])
    if p["state"] == "absent":
        return target is None
    return target is not None and (not p["exclusive"] or len(bound) == 1)


def converge(module):
    """Read, plan, check, then write only what differs; returns the result values."""
    p = module.params
    wait_timeout = validate_inputs(module)
    client = module.client
    with step("read the EIP bindings of Lite Server %s" % p["server"]):
        bound, refusal = read_by_id(client, p["server"])
    if bound is not None and nothing_to_do(bound, p):
        # Decided from one read: the server's own EIP list.
        module.result["server"] = {"id": p["server"], "name": None, "status": None, "cloud_server_id": None}
        module.set_diff("Lite Server %s" % p["server"], {"public_ips": bound}, {"public_ips": bound})
        return {"public_ips": bound, "request_ids": []}
    with step("find Lite Server %s" % p["server"]):
        server = resolve_server(client, p["server"])
    with step("read the EIP bindings of Lite Server %s" % server_label(server)):
        if bound is None and refusal is None:
            bound, refusal = ask_modelarts(client, server)
    module.result["server"] = server_summary(server)
    view = LiveView(client)
    if bound is None and p["state"] == "present" and not p["exclusive"] and not module.check_mode:
        # ModelArts does not list the server's EIPs (as when none is bound). A free EIP is bound nowhere: binding
        # it, and keeping the others, is decided without reading the others from the VPC EIP API.
        task = plan_free_bind(view, server, p["public_ip"])
        if task is not None:
            return apply_free_bind(module, server, task["plan"], wait_timeout)
    if bound is None:
        with step("read the EIP bindings of Lite Server %s" % p["server"]):
            bound = list_server_eips(client, server, refusal)

    task = plan_task(view, server, bound, p["public_ip"], p["state"], p["exclusive"], p["allow_rebind"],
                     None if module.check_mode else wait_timeout)
    plan = task["plan"]
    if not task["writes"]:
        module.set_diff("Lite Server %s" % server_label(server), {"public_ips": bound}, {"public_ips": bound})
        return {"public_ips": bound, "request_ids": []}
    module.set_diff("Lite Server %s" % server_label(server), {"public_ips": bound}, {"public_ips": plan["after"]})
    if module.check_mode:
        module.result["changed"] = True
        return {"public_ips": plan["after"], "request_ids": []}

    change = BindingChange(client, server, wait_timeout)
    try:
        change.apply(plan, task["holder"], task["eip"], task["releasing"])
    finally:
        module.result["changed"] = change.changed
        module.result["request_ids"] = change.request_ids
    public_ips = plan["after"]
    if p["wait"]:
        public_ips = wait_confirmed(module, server, plan, wait_timeout, change.listed, bound,
                                    task["eip"] if task["holder"] else None)
    return {"public_ips": public_ips, "request_ids": change.request_ids}


def wait_confirmed(module, server, plan, wait_timeout, listed, before, moved=None):
    """Wait for the plan to read back; when the wait ends without it, a change of this run's writes is one the
    cloud reads now against ``before`` (the server's EIPs, and where a moved EIP is), not what their answers
    said."""
    client = module.client
    try:
        return wait_for_bindings(client, server, plan, wait_timeout, listed)
    except HuaweiCloudError:
        module.result["changed"] = module.result["changed"] and bindings_differ(client, server, before, moved)
        raise


def apply_free_bind(module, server, plan, wait_timeout):
    """Bind a free EIP; the server's EIPs before and after are what the bind's answer (or one read after it)
    lists, with and without that EIP."""
    client = module.client
    change = BindingChange(client, server, wait_timeout)
    try:
        change.apply(plan)
    finally:
        module.result["changed"] = change.changed
        module.result["request_ids"] = change.request_ids
    target = plan["bind"]
    listed = change.listed
    if listed is None or match_binding(listed, target["id"]) is None:
        with step("read the EIP bindings of Lite Server %s" % server_label(server)):
            listed = list_server_eips(client, server)
    before = [e for e in listed if e["id"] != target["id"]]
    plan["after"] = sorted_bindings(before + [target])
    module.set_diff("Lite Server %s" % server_label(server), {"public_ips": before}, {"public_ips": plan["after"]})
    public_ips = plan["after"]
    if module.params["wait"]:
        public_ips = wait_confirmed(module, server, plan, wait_timeout, listed, before)
    return {"public_ips": public_ips, "request_ids": change.request_ids}


def main():
    module = HuaweiCloudModule(
        argument_spec=dict(binding_spec(), wait=dict(type="bool", default=True),
                           wait_timeout=dict(type="int", default=300)),
        required_if=[("state", "present", ["public_ip"])],
    )
    p = module.params
    module.run(lambda: converge(module), "%s EIP %s on Lite Server %s" % (
        "bind" if p["state"] == "present" else "unbind", p["public_ip"] or "(all)", p["server"]))


if __name__ == "__main__":
    main()
