#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.infra contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: vpc_eip_info
short_description: List the elastic public IPs (EIPs) of a project and who holds each
version_added: 0.2.0
description:
  - Lists the project's EIPs (VPC EIP API v3, paging handled), all of them or those matching the filters, which
    combine (an EIP must match every one given).
  - Each EIP says who holds it (RV(eips[].holder)) - a Lite Server of the project (found by the device of the EIP's
    port, one listing of the Lite Servers when any EIP is bound), or the kind and id of another holder - and
    whether it is free to bind (RV(eips[].free)).
author:
  - hwcloud.infra contributors (@hwcloud-infra)
extends_documentation_fragment:
  - hwcloud.infra.common
  - hwcloud.infra.attributes.info_module
options:
  ids:
    description: Only these EIP ids.
    type: list
    elements: str
  addresses:
    description: Only the EIPs with these IPv4 addresses.
    type: list
    elements: str
  name:
    description: Only the EIPs with this name.
    type: str
  status:
    description: Only the EIPs in these statuses (for example V(DOWN), V(ACTIVE)).
    type: list
    elements: str
  free:
    description: Only the EIPs free to bind (V(true)), or only those in use (V(false)).
    type: bool
  server:
    description: Only the EIPs bound to this Lite Server (id or unique name), found by its port devices.
    type: str
  port_id:
    description: Only the EIP bound to this port.
    type: str
seealso:
  - module: hwcloud.infra.vpc_eip
  - module: hwcloud.infra.modelarts_devserver_eip
"""

EXAMPLES = r"""
- name: The free EIPs of the project
  hwcloud.infra.vpc_eip_info:
    free: true
  register: free_eips

- name: Their addresses
  ansible.builtin.debug:
    msg: "{{ free_eips.eips | map(attribute='address') | list }}"

- name: The EIPs bound to one Lite Server
  hwcloud.infra.vpc_eip_info:
    server: train-a3-04

# Ad hoc: ansible localhost -m hwcloud.infra.vpc_eip_info -a 'addresses=203.0.113.40'
"""

RETURN = r"""
eips:
  description: The matching EIPs, sorted by address.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: EIP id.
      type: str
      sample: 7cdd9198-f98c-5664-9fa3-82c842e6868a
    address:
      description: The public IPv4 address.
      type: str
      sample: 203.0.113.11
    name:
      description: The EIP's name (alias); V(null) when it has none.
      type: str
    status:
      description: C(DOWN) (not bound), C(ACTIVE) (bound), C(PENDING_CREATE), C(FREEZED) and others.
      type: str
    type:
      description: The EIP type (line), for example C(5_bgp).
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
      description: The port it is bound to; V(null) when free.
      type: str
    private_ip_address:
      description: The private address of that port.
      type: str
    device_id:
      description: The device (ECS/BMS id) of that port, when the EIP API tells it.
      type: str
    free:
      description: Whether it can be bound (status C(DOWN), no port).
      type: bool
    holder:
      description: Who holds it; V(null) when it is free.
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
      description: Creation time (UTC, as the API gives it).
      type: str
    updated_at:
      description: Last update time (UTC, as the API gives it).
      type: str
"""

from ..module_utils._errors import HuaweiCloudError, step
from ..module_utils._validate import validate_id, validate_ipv4, validate_ref
from ..module_utils._modelarts import describe_eip_holders, resolve_server, server_device_ids
from ..module_utils._module import HuaweiCloudModule
from ..module_utils._vpc import address_key, is_free, list_eips, shape_eip, validate_eip_name

_STATUSES = ("ACTIVE", "DOWN", "ERROR", "BIND_ERROR", "BINDING", "FREEZED", "PENDING_CREATE", "PENDING_DELETE",
             "PENDING_UPDATE", "NOTIFYING", "NOTIFY_DELETE", "ELB", "VPN")


def query_of(module):
    """The listing's query for the filters, validated before any request."""
    p = module.params
    query = {}
    if p["ids"] is not None:
        query["id"] = [validate_id(v, "ids[%d]" % i) for i, v in enumerate(p["ids"])]
    if p["addresses"] is not None:
        query["public_ip_address"] = [validate_ipv4(v, "addresses[%d]" % i) for i, v in enumerate(p["addresses"])]
    if p["name"] is not None:
        query["alias"] = validate_eip_name(p["name"])
    if p["status"] is not None:
        for index, value in enumerate(p["status"]):
            if value not in _STATUSES:
                raise HuaweiCloudError("status[%d] %s is not an EIP status (%s)" % (index, repr(value)[:40],
                                                                                    ", ".join(_STATUSES)))
        query["status"] = list(p["status"])
    if p["port_id"] is not None:
        query["vnic.port_id"] = validate_id(p["port_id"], "port_id")
    if p["server"] is not None:
        validate_ref(p["server"], "server", "lite_server_name")
    return query


def gather(module):
    p = module.params
    query = query_of(module)
    client = module.client
    if p["server"] is not None:
        with step("find Lite Server %s" % p["server"]):
            devices = server_device_ids(resolve_server(client, p["server"]))
        if not devices:
            return {"eips": []}
        query["vnic.device_id"] = devices
    with step("list the EIPs of the project"):
        eips = list_eips(client, query or None, "list the EIPs of the project")
    if p["free"] is not None:
        eips = [e for e in eips if is_free(e) == p["free"]]
    holders = describe_eip_holders(client, eips)
    shaped = [shape_eip(e, holders.get(e["id"])) for e in eips]
    return {"eips": sorted(shaped, key=lambda e: (address_key(e["address"]), e["id"] or ""))}


def main():
    module = HuaweiCloudModule(argument_spec=dict(
        ids=dict(type="list", elements="str"),
        addresses=dict(type="list", elements="str"),
        name=dict(type="str"),
        status=dict(type="list", elements="str"),
        free=dict(type="bool"),
        server=dict(type="str"),
        port_id=dict(type="str"),
    ))
    module.run(lambda: gather(module), "list EIPs")


if __name__ == "__main__":
    main()
