#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.infra contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: cdc_imetal_instance_info
short_description: List Cloud Data Center iMetal instances with their network interfaces and status
version_added: 0.1.0
description:
  - Lists the iMetal instances of the project (all, by ids, by name, by state) with their network interfaces,
    state and latest operation; optionally with the power and management state of each instance's physical server.
  - Marker paging is handled.
author:
  - hwcloud.infra contributors (@hwcloud-infra)
extends_documentation_fragment:
  - hwcloud.infra.common
  - hwcloud.infra.attributes.info_module
options:
  ids:
    description:
      - Only the instances with these ids.
    type: list
    elements: str
  name:
    description:
      - Only the instances with this name.
    type: str
  state:
    description:
      - Only the instances in this state.
    type: str
    choices: [pending, running, stopping, stopped, shutting-down, reinstalling, terminated, error, failed]
  physical_server:
    description:
      - Also read each instance's physical server (one call per instance) and return its power and management state.
    type: bool
    default: false
seealso:
  - module: hwcloud.infra.cdc_imetal_ip
"""

EXAMPLES = r"""
- name: Every iMetal instance
  hwcloud.infra.cdc_imetal_instance_info:
    region: ap-southeast-3
  register: imetal

- name: Primary addresses of the running instances
  ansible.builtin.debug:
    msg: "{{ imetal.instances | selectattr('state', 'eq', 'running')
             | map(attribute='network_interfaces') | map('first') | map(attribute='ipv4_address') | list }}"

- name: Two instances, with their physical servers' power state
  hwcloud.infra.cdc_imetal_instance_info:
    ids:
      - e45d0825-c6fd-557c-8647-31e238f29987
      - 28b76f77-3208-5739-ac4e-d1adbd3ee722
    physical_server: true

# Ad hoc: ansible localhost -m hwcloud.infra.cdc_imetal_instance_info -a 'name=gpu-node-01'
"""

RETURN = r"""
instances:
  description: The instances, sorted by name then id.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Instance id.
      type: str
    name:
      description: Instance name.
      type: str
    vpc_id:
      description: VPC id.
      type: str
    network_interfaces:
      description: Network interfaces, the first is the primary.
      type: list
      elements: dict
      contains:
        subnet_id:
          description: Subnet id.
          type: str
        ipv4_address:
          description: IPv4 address.
          type: str
    state:
      description: Instance state.
      type: str
      sample: running
    operation_state:
      description: Latest operation, for example C(modify-ip-succeed).
      type: str
    server_id:
      description: Id of the physical server.
      type: str
    image:
      description: The instance's image.
      type: dict
    tags:
      description: Tags.
      type: list
      elements: dict
    metadata:
      description: Metadata.
      type: dict
    description:
      description: Description.
      type: str
    created_at:
      description: Creation time.
      type: str
    updated_at:
      description: Last update time.
      type: str
    error:
      description: The error of the latest failed operation, with C(error_code), C(error_msg) and C(error_type).
      type: dict
    physical_server:
      description: The physical server; only with O(physical_server=true).
      type: dict
      returned: when O(physical_server=true)
      contains:
        id:
          description: Physical server id.
          type: str
        name:
          description: Physical server name.
          type: str
        power_state:
          description: C(on) or C(off).
          type: str
        manage_state:
          description: Management state, for example C(in-use).
          type: str
        frozen_state:
          description: V(0) when the server is not frozen; otherwise the API's code (1 to 7) of why it is.
          type: int
        health_state:
          description: Hardware health, C(OK), C(Warning), C(Critical) or C(Unknown).
          type: str
        operation_state:
          description: The last power operation and its outcome, for example C(power-on-succeed) or
            C(reboot-processing).
          type: str
"""

from ..module_utils._errors import HuaweiCloudError, step
from ..module_utils._validate import validate_id, validate_ref
from ..module_utils._clouddc import MAX_IDS, get_physical_server, list_instances, shape_instance
from ..module_utils._module import HuaweiCloudModule

PHYSICAL_FIELDS = ("id", "name", "power_state", "manage_state", "frozen_state", "health_state", "operation_state")


def gather(module):
    p = module.params
    for index, value in enumerate(p["ids"] or []):
        validate_id(value, "ids[%d]" % index)
    if p["ids"] is not None and len(p["ids"]) > MAX_IDS:
        raise HuaweiCloudError("ids lists %d instances; at most %d are allowed" % (len(p["ids"]), MAX_IDS))
    if p["name"] is not None:
        validate_ref(p["name"], "name", "imetal_instance_name")
    client = module.client
    with step("list iMetal instances"):
        instances = list_instances(client, ids=p["ids"], state=p["state"])
    if p["name"] is not None:
        instances = [i for i in instances if i.get("name") == p["name"]]
    shaped = []
    for instance in sorted(instances, key=lambda i: (i.get("name") or "", i.get("id") or "")):
        physical = None
        if p["physical_server"] and instance.get("server_id"):
            with step("read the physical server of iMetal instance %s" % instance.get("name")):
                record = get_physical_server(client, instance["server_id"])
            physical = dict((key, record.get(key)) for key in PHYSICAL_FIELDS)
        shaped.append(shape_instance(instance, physical))
    return {"instances": shaped}


def main():
    module = HuaweiCloudModule(argument_spec=dict(
        ids=dict(type="list", elements="str"),
        name=dict(type="str"),
        state=dict(type="str", choices=["pending", "running", "stopping", "stopped", "shutting-down",
                                        "reinstalling", "terminated", "error", "failed"]),
        physical_server=dict(type="bool", default=False),
    ))
    module.run(lambda: gather(module), "list iMetal instances")


if __name__ == "__main__":
    main()
