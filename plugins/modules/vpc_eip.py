#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.infra contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: vpc_eip
short_description: Allocate and release elastic public IPs (EIPs)
version_added: 0.2.0
description:
  - Ensures an EIP with a given name exists (V(present)) with its own bandwidth or on a shared one, or that an EIP
    named or with a
    given id does not (V(absent)).
  - Idempotent by name (or by id for V(absent)) - a name that matches one EIP is that EIP (its type and bandwidth are
    reported, not changed, and a warning names each given setting it differs from); one that matches several fails,
    naming them.
  - In check mode the result is the EIP as the run would return it, with V(null) for what only the allocation
    tells (its id, address, own bandwidth's id and times); a shared bandwidth is read to predict its size and billing.
  - Releasing an EIP that is bound fails unless O(unbind=true); then an EIP bound to a Lite Server of the project
    is first unbound through ModelArts (waiting until it reads free), and one held by anything else is refused.
author:
  - hwcloud.infra contributors (@hwcloud-infra)
extends_documentation_fragment:
  - hwcloud.infra.common
  - hwcloud.infra.attributes
options:
  name:
    description:
      - The EIP's name (1 to 64 letters, digits, underscores, hyphens or dots). Required for V(present).
    type: str
  id:
    description: The EIP id, for V(absent) instead of O(name).
    type: str
  state:
    description: Whether the EIP exists.
    type: str
    choices: [present, absent]
    default: present
  type:
    description:
      - The EIP type (line) of a new EIP, V(5_bgp) when not given; the region tells which it offers.
      - For an existing EIP of that name a different type is not changed; the module warns.
    type: str
  bandwidth_size:
    description:
      - Mbit/s of a new EIP's own bandwidth, 1 to 2000 (the region may allow less); V(5) when not given.
      - For an existing EIP of that name a different size is not changed; the module warns.
    type: int
  bandwidth_name:
    description: Name of a new EIP's bandwidth; the EIP's name when omitted.
    type: str
  bandwidth_charge_mode:
    description: How a new EIP's bandwidth is billed, V(bandwidth) when not given (an existing EIP's is not changed).
    type: str
    choices: [bandwidth, traffic]
  bandwidth_share_type:
    description:
      - V(PER) gives a new EIP its own bandwidth (O(bandwidth_size), O(bandwidth_name), O(bandwidth_charge_mode)).
      - V(WHOLE) puts it on the shared bandwidth O(bandwidth_id), whose size and billing apply.
    type: str
    choices: [PER, WHOLE]
    default: PER
  bandwidth_id:
    description: The shared bandwidth of a new EIP; required with O(bandwidth_share_type=WHOLE).
    type: str
  unbind:
    description: With V(absent), unbind the EIP from its Lite Server first instead of failing.
    type: bool
    default: false
  wait:
    description: Wait until a new EIP is ready (C(DOWN)) or a released one is gone.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait, 1 to 86400.
    type: int
    default: 300
notes:
  - "API calls: one listing by name (or one read by id); then one allocation or release (plus an unbind, with
    O(unbind=true)); then, with O(wait=true), one read per polling round."
seealso:
  - module: hwcloud.infra.vpc_eip_info
  - module: hwcloud.infra.modelarts_devserver_eip
"""

EXAMPLES = r"""
- name: An EIP named web-01 with 10 Mbit/s, billed by traffic
  hwcloud.infra.vpc_eip:
    name: web-01
    bandwidth_size: 10
    bandwidth_charge_mode: traffic
  register: web_eip

- name: An EIP on a shared bandwidth
  hwcloud.infra.vpc_eip:
    name: web-02
    bandwidth_share_type: WHOLE
    bandwidth_id: 88fc946c-64b6-5dcb-8ba4-050fbfe19bfa

- name: Bind it to a Lite Server (in check mode an EIP still to be allocated has no address yet)
  hwcloud.infra.modelarts_devserver_eip:
    server: train-a3-01
    public_ip: "{{ web_eip.eip.address }}"
  when: web_eip.eip.address is not none

- name: Release an EIP, unbinding it from its Lite Server first if it is bound
  hwcloud.infra.vpc_eip:
    name: free-08
    state: absent
    unbind: true
"""

RETURN = r"""
eip:
  description: The EIP after the task (as predicted, in check mode); V(null) when it does not exist.
  returned: always
  type: dict
  contains:
    id:
      description: EIP id; V(null) for one that check mode would allocate.
      type: str
    address:
      description: Its public IPv4 address; V(null) for one that check mode would allocate.
      type: str
    name:
      description: Its name.
      type: str
    status:
      description: C(DOWN) when ready and free, C(ACTIVE) when bound, C(PENDING_CREATE) while being allocated.
      type: str
    type:
      description: The EIP type.
      type: str
    bandwidth:
      description: Its bandwidth.
      type: dict
      contains:
        id:
          description: Bandwidth id.
          type: str
        name:
          description: Bandwidth name.
          type: str
        size:
          description: Mbit/s.
          type: int
        share_type:
          description: C(PER) (its own) or C(WHOLE) (shared).
          type: str
        charge_mode:
          description: C(bandwidth) or C(traffic).
          type: str
    port_id:
      description: The port it is bound to.
      type: str
    private_ip_address:
      description: The private address of that port.
      type: str
    device_id:
      description: The device of that port.
      type: str
    free:
      description: Whether it can be bound.
      type: bool
    holder:
      description: Who holds it; V(null) when free.
      type: dict
      contains:
        type:
          description: C(lite_server), or the EIP API's kind of holder (for example C(PORT), C(ELB)).
          type: str
        id:
          description: The Lite Server id, or the holding resource's id.
          type: str
        name:
          description: The Lite Server name; V(null) for other holders.
          type: str
        description:
          description: The holder in words.
          type: str
    created_at:
      description: Creation time.
      type: str
    updated_at:
      description: Last update time.
      type: str
request_ids:
  description: Request ids of the writes (allocation, unbind, release).
  returned: always
  type: list
  elements: str
waits:
  description: One entry per wait of the run.
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
"""

from ..module_utils._errors import HuaweiCloudError, step
from ..module_utils._validate import validate_id, validate_int
from ..module_utils._modelarts import BindingChange, describe_eip_holders
from ..module_utils._module import HuaweiCloudModule
from ..module_utils._rules import BOUNDS, CHOICES
from ..module_utils._vpc import (allocate_eip, eip_label, eip_pair, eips_named, get_bandwidth, get_eip, release_eip,
                                 shape_eip, validate_eip_name, validate_eip_type, wait_until_free, wait_until_gone,
                                 wait_until_ready)

SIZE_RANGE = BOUNDS["bandwidth_size"].bounds


def validate_inputs(module):
    p = module.params
    if p["name"] is not None:
        validate_eip_name(p["name"])
    if p["id"] is not None:
        validate_id(p["id"], "id")
    if p["type"] is not None:
        validate_eip_type(p["type"])
    if p["bandwidth_size"] is not None:
        validate_int(p["bandwidth_size"], "bandwidth_size", SIZE_RANGE)
    if p["bandwidth_name"] is not None:
        validate_eip_name(p["bandwidth_name"], "bandwidth_name", "bandwidth_name")
    if p["bandwidth_id"] is not None:
        validate_id(p["bandwidth_id"], "bandwidth_id")
    return module.wait_timeout()


def find(client, p):
    """The EIP the task names, or None; fails when a name matches several."""
    if p["id"] is not None:
        try:
            eip = get_eip(client, p["id"])
        except HuaweiCloudError as err:
            if err.status == 404:
                return None
            raise
        if p["name"] is not None and eip.get("alias") != p["name"]:
            raise HuaweiCloudError("EIP %s is named %s, not %s" % (p["id"], eip.get("alias"), p["name"]))
        return eip
    found = eips_named(client, p["name"])
    if len(found) > 1:
        raise HuaweiCloudError("name %s matches %d EIPs (%s); name one by id" % (
            p["name"], len(found), ", ".join(e["id"] for e in found)))
    return found[0] if found else None


# What a new EIP gets for a setting the task leaves out.
ALLOCATION_DEFAULTS = {"type": "5_bgp", "bandwidth_size": 5, "bandwidth_charge_mode": "bandwidth"}


def setting(p, name):
    return ALLOCATION_DEFAULTS[name] if p[name] is None else p[name]


def differing_settings(p, eip):
    """The settings the task gives that an existing EIP of that name does not have (they are never changed)."""
    shaped = shape_eip(eip)
    bandwidth = shaped["bandwidth"]
    # (bandwidth_share_type has a default, so only the bandwidth_id a task gives tells of a wanted shared bandwidth.)
    have = {"type": shaped["type"], "bandwidth_size": bandwidth["size"], "bandwidth_name": bandwidth["name"],
            "bandwidth_charge_mode": bandwidth["charge_mode"], "bandwidth_id": bandwidth["id"]}
    given = [name for name in sorted(have) if p[name] is not None and have[name] is not None]
    return ["%s %s (it has %s)" % (name, p[name], have[name]) for name in given if p[name] != have[name]]


def prediction(module):
    """The EIP as allocating it would return it: null for what only the allocation tells."""
    p = module.params
    if p["bandwidth_share_type"] == "WHOLE":
        shared = get_bandwidth(module.client, p["bandwidth_id"])
        bandwidth = dict((k, shared.get(k)) for k in ("id", "name", "size", "charge_mode"))
    else:
        bandwidth = {"id": None, "name": p["bandwidth_name"] or p["name"], "size": setting(p, "bandwidth_size"),
                     "charge_mode": setting(p, "bandwidth_charge_mode")}
    return {"id": None, "public_ip_address": None, "alias": p["name"], "port_id": None,
            "status": "DOWN" if p["wait"] else "PENDING_CREATE", "publicip_pool_name": setting(p, "type"),
            "bandwidth": dict(bandwidth, share_type=p["bandwidth_share_type"])}


def present(module, eip, timeout):
    p = module.params
    client = module.client
    if eip is not None:
        for problem in differing_settings(p, eip):
            module.module.warn("EIP %s (%s) exists with other settings than asked, which this module does not "
                               "change: %s; release it (state=absent) and allocate it again to change them"
                               % (p["name"] or p["id"], eip_label(eip), problem))
        return eip
    if p["bandwidth_share_type"] == "WHOLE":
        bandwidth = {"id": p["bandwidth_id"]}
    else:
        bandwidth = {"name": p["bandwidth_name"] or p["name"], "size": setting(p, "bandwidth_size"),
                     "charge_mode": setting(p, "bandwidth_charge_mode")}
    if module.check_mode:
        module.result["changed"] = True
        return prediction(module)
    created, written = allocate_eip(client, p["name"], setting(p, "type"), bandwidth)
    module.result["changed"] = written.ours
    if written.request_id:
        module.result["request_ids"].append(written.request_id)
    if p["wait"]:
        return wait_until_ready(client, created["id"], timeout, eip_label(created))
    return get_eip(client, created["id"])


def absent(module, eip, holder, timeout):
    p = module.params
    client = module.client
    if eip is None:
        return None
    if holder is not None and (not p["unbind"] or holder["type"] != "lite_server"):
        raise HuaweiCloudError("Cannot release EIP %s: it is bound to %s%s; nothing was changed" % (
            eip_label(eip), holder["description"],
            " (set unbind to unbind it first)" if holder["type"] == "lite_server" else
            ", which this module does not unbind"))
    if module.check_mode:
        module.result["changed"] = True
        return None
    if holder is not None:
        change = BindingChange(client, {"id": holder["id"], "name": holder["name"]}, timeout)
        try:
            change.apply({"unbind": [eip_pair(eip)], "bind": None, "after": []})
        finally:
            module.result["changed"] = change.changed
            module.result["request_ids"] += change.request_ids
        with step("release EIP %s" % eip_label(eip)):
            eip = wait_until_free(client, eip["id"], timeout, eip_label(eip))
    written = release_eip(client, eip)
    module.result["changed"] = module.result["changed"] or written.ours
    if written.request_id:
        module.result["request_ids"].append(written.request_id)
    if p["wait"]:
        wait_until_gone(client, eip["id"], timeout, eip_label(eip))
    return None


def converge(module):
    p = module.params
    timeout = validate_inputs(module)
    client = module.client
    module.result["request_ids"] = []
    label = p["name"] or p["id"]
    with step("%s EIP %s" % ("allocate" if p["state"] == "present" else "release", label)):
        before = find(client, p)
        # Who holds it, read once: for the release, and for the result of an EIP left as it was.
        holder = describe_eip_holders(client, [before]).get(before["id"]) if before is not None else None
        if p["state"] == "present":
            after = present(module, before, timeout)
        else:
            after = absent(module, before, holder, timeout)
    shaped_before = shape_eip(before, holder) if before is not None else None
    shaped_after = shape_eip(after, holder if after is before else None) if after is not None else None
    module.set_diff("EIP %s" % (eip_label(before) if before is not None else label), {"eip": shaped_before},
                    {"eip": shaped_after})
    return {"eip": shaped_after}


def main():
    module = HuaweiCloudModule(
        argument_spec=dict(
            name=dict(type="str"),
            id=dict(type="str"),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            type=dict(type="str"),
            bandwidth_size=dict(type="int"),
            bandwidth_name=dict(type="str"),
            bandwidth_charge_mode=dict(type="str", choices=list(CHOICES["bandwidth_charge_mode"].values)),
            bandwidth_share_type=dict(type="str", choices=list(CHOICES["bandwidth_share_type"].values),
                                      default="PER"),
            bandwidth_id=dict(type="str"),
            unbind=dict(type="bool", default=False),
            wait=dict(type="bool", default=True),
            wait_timeout=dict(type="int", default=300),
        ),
        required_if=[("state", "present", ["name"]), ("bandwidth_share_type", "WHOLE", ["bandwidth_id"])],
        required_one_of=[("name", "id")],
    )
    p = module.params
    module.run(lambda: converge(module), "%s EIP %s" % ("allocate" if p["state"] == "present" else "release",
                                                        p["name"] or p["id"]))


if __name__ == "__main__":
    main()
