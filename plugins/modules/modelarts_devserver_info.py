#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.infra contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: modelarts_devserver_info
short_description: List ModelArts Lite Servers and the EIPs bound to them
version_added: 0.1.0
description:
  - Lists the Lite Servers (dev-servers) of the project, all of them or those matching O(server), with their fields
    and, unless O(public_ips=false), the EIPs bound to each. Paging is handled.
  - The whole project is listed, whoever created the servers (IAM action C(modelarts:devserver:list)). When that is
    refused, only the caller's own servers are listed (C(modelarts:devserver:listByUser)) and a warning says so.
  - The EIP calls of a Lite Server answer only for A3 servers. For a server they refuse (and for a server whose
    EIP list answers an error because nothing is bound) the EIPs are read from the VPC EIP API instead (by the
    server's port device). A server that cannot be asked at all (C(DELETED)), or for which both ways fail, gets
    RV(servers[].public_ips=null) and the reason in RV(servers[].public_ips_error); the run goes on. Throttling,
    server errors and unreadable answers still fail the run.
author:
  - hwcloud.infra contributors (@hwcloud-infra)
extends_documentation_fragment:
  - hwcloud.infra.common
  - hwcloud.infra.attributes.info_module
options:
  server:
    description:
      - A Lite Server id or name. Every server with that id or name is returned (none is not an error).
      - All Lite Servers of the project when omitted.
    type: str
  public_ips:
    description:
      - Also read the EIPs bound to each server (one call per server).
    type: bool
    default: true
seealso:
  - module: hwcloud.infra.modelarts_devserver_eip
"""

EXAMPLES = r"""
- name: All Lite Servers with their EIPs
  hwcloud.infra.modelarts_devserver_info:
    region: ap-southeast-3
  register: lite

- name: Names of the running servers
  ansible.builtin.debug:
    msg: "{{ lite.servers | selectattr('status', 'eq', 'RUNNING') | map(attribute='name') | list }}"

- name: One server by name, without the EIP look-up
  hwcloud.infra.modelarts_devserver_info:
    region: ap-southeast-3
    server: train-a3-01
    public_ips: false

# Ad hoc: ansible localhost -m hwcloud.infra.modelarts_devserver_info -a 'server=train-a3-01'
"""

RETURN = r"""
servers:
  description: The Lite Servers, sorted by name then id.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Lite Server id.
      type: str
      sample: ac9bc553-8e1b-5588-b4f8-6892b4ea1d3e
    name:
      description: Name.
      type: str
      sample: train-a3-01
    status:
      description: Status, for example C(RUNNING), C(STOPPED), C(CREATING).
      type: str
      sample: RUNNING
    flavor:
      description: Flavor name.
      type: str
      sample: ascend-snt9b2.48xlarge
    category:
      description: Server category.
      type: str
      sample: HPS
    vpc_id:
      description: VPC id.
      type: str
    subnet_id:
      description: Subnet id.
      type: str
    charging_mode:
      description: Charging mode.
      type: str
      sample: COMMON
    cloud_server:
      description: The underlying compute instance.
      type: dict
      contains:
        id:
          description: Id of the BMS or ECS, or of the sub-node of an HPS server.
          type: str
        type:
          description: C(BMS), C(ECS) or C(HPS).
          type: str
        hps_ecs_id:
          description: For an HPS server, the id of the sub-node's ECS (the device of its ports).
          type: str
        hps_id:
          description: For an HPS server, the id of the HPS (the super node) it belongs to.
          type: str
    cloud_server_id:
      description: Id of the underlying BMS or ECS (the same as RV(servers[].cloud_server.id)).
      type: str
    endpoints:
      description: Access endpoints; C(uri) holds the private IP address.
      type: list
      elements: dict
    image:
      description: The server's image.
      type: dict
    create_at:
      description: Creation time, in milliseconds since the epoch (as the API answers it).
      type: int
      sample: 1759305600000
    update_at:
      description: Last update time, in milliseconds since the epoch.
      type: int
      sample: 1761984000000
    public_ips_error:
      description: Why RV(servers[].public_ips) is V(null) for this server; V(null) when it was read.
      type: str
      returned: when O(public_ips=true)
    public_ips:
      description:
        - EIPs bound to the server, sorted by address. Absent when O(public_ips=false).
        - V(null) when they could not be read (see RV(servers[].public_ips_error)).
      type: list
      elements: dict
      returned: when O(public_ips=true)
      contains:
        id:
          description: EIP id.
          type: str
        address:
          description: EIP address.
          type: str
"""

from ..module_utils._errors import HuaweiCloudError, step
from ..module_utils._validate import validate_ref
from ..module_utils._modelarts import (GONE_STATUSES, find_servers, list_server_eips, list_servers, server_label,
                                       shape_server)
from ..module_utils._module import HuaweiCloudModule


def gather(module):
    p = module.params
    if p["server"] is not None:
        validate_ref(p["server"], "server", "lite_server_name")
    client = module.client
    with step("list Lite Servers"):
        servers = find_servers(client, p["server"])[0] if p["server"] is not None else list_servers(client)
    shaped = []
    for server in sorted(servers, key=lambda s: (s.get("name") or "", s.get("id") or "")):
        if not p["public_ips"]:
            shaped.append(shape_server(server))
            continue
        eips, error = None, None
        if server.get("status") in GONE_STATUSES:
            error = "the server is %s: its EIPs cannot be listed" % server.get("status")
        else:
            try:
                with step("list the EIPs of Lite Server %s" % server_label(server)):
                    eips = list_server_eips(client, server)
            except HuaweiCloudError as err:
                # A refusal about this one server is recorded and the run goes on. No answer, throttling, server
                # errors and unreadable answers say nothing about the server: they fail the run.
                if not err.refusal:
                    raise
                error = str(err)
                client.warn("EIPs of Lite Server %s not read: %s" % (server_label(server), err))
        entry = shape_server(server)
        entry.update(public_ips=eips, public_ips_error=error)
        shaped.append(entry)
    return {"servers": shaped}


def main():
    module = HuaweiCloudModule(argument_spec=dict(
        server=dict(type="str"),
        public_ips=dict(type="bool", default=True),
    ))
    module.run(lambda: gather(module), "list Lite Servers")


if __name__ == "__main__":
    main()
