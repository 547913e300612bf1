#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.infra contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: cdc_imetal_ip
short_description: Set the VPC and IP addresses of Cloud Data Center iMetal instances
version_added: 0.1.0
description:
  - Ensures an iMetal instance has the wanted VPC and network interface addressing, using the CloudDC
    change-IP API (C(PUT /v1/{project_id}/instances/{id}/ip)).
  - Reads the instance first and changes it only when the VPC or a NIC differs from what is asked.
  - The change is asynchronous; by default the module waits until it has succeeded, then re-reads the instance
    and verifies its addresses.
  - Inputs and the instance's state are checked before the change is sent; a refused task changes nothing.
author:
  - hwcloud.infra contributors (@hwcloud-infra)
extends_documentation_fragment:
  - hwcloud.infra.common
  - hwcloud.infra.attributes
options:
  instance:
    description:
      - The iMetal instance id, or its name when that name is unique in the project.
    type: str
    required: true
  vpc_id:
    description:
      - The VPC the instance should be in. Omitted means the current one.
    type: str
  nics:
    description:
      - The wanted network interfaces, one or two; the first is the primary.
      - Compared position by position with the instance's network interfaces.
    type: list
    elements: dict
    required: true
    suboptions:
      subnet_id:
        description:
          - The subnet of the network interface.
        type: str
        required: true
      ip_address:
        description:
          - The IPv4 address in that subnet. Omitted means any address of the subnet; on a change the cloud
            allocates a free one, and the module reports it.
        type: str
  wait:
    description:
      - Wait for the change to finish (C(modify-ip-succeed) or C(modify-ip-failed)) and verify the addresses.
      - With V(false), the module returns right after the change is accepted, with
        RV(instance.operation_state=modify-ip-processing).
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait when O(wait=true).
    type: int
    default: 600
notes:
  - An IP change is possible when the instance is C(running) with no operation in progress, or to retry after a
    failed change (C(modify-ip-failed)). Otherwise the module fails, naming the instance's C(state) and
    C(operation_state), without sending anything.
  - A change request whose outcome is unknown (a timeout or a reset connection after sending) is not sent again
    while the instance shows the change in progress or applied.
seealso:
  - module: hwcloud.infra.cdc_imetal_instance_info
"""

EXAMPLES = r"""
- name: Give both NICs of gpu-node-01 fixed addresses
  hwcloud.infra.cdc_imetal_ip:
    region: cn-south-1
    instance: gpu-node-01
    nics:
      - subnet_id: 0b6f1f2c-6b0e-4d6a-9c55-2a1e4b8c7d90
        ip_address: 10.0.1.50
      - subnet_id: 7d3e9a14-2c5b-4f08-8e61-5b9d0c2a4f13
        ip_address: 10.0.2.50
  register: readdressed

- name: Move an instance to another VPC, letting the cloud pick the address
  hwcloud.infra.cdc_imetal_ip:
    instance: 4f0e8c2a-9b1d-4e6f-a3c5-7d9e1f2a4b6c
    vpc_id: 9c1e5a7b-3d2f-4b8e-a6c4-0e2d4f6a8b1c
    nics:
      - subnet_id: 2a4c6e8f-0b1d-4f3e-9a5c-7e9f1b3d5a7c
    wait_timeout: 900

- name: Start the change on many instances without waiting, then wait with the info module
  hwcloud.infra.cdc_imetal_ip:
    instance: "{{ item.name }}"
    nics: "{{ item.nics }}"
    wait: false
  loop: "{{ imetal_plan }}"

# Ad hoc, with the credentials in HW_REGION_NAME, HW_ACCESS_KEY and HW_SECRET_KEY:
#   ansible localhost -m hwcloud.infra.cdc_imetal_ip \
#     -a '{"instance": "gpu-node-02", "nics": [{"subnet_id": "0b6f1f2c-6b0e-4d6a-9c55-2a1e4b8c7d90"}]}'
"""

RETURN = r"""
instance:
  description:
    - The instance after the task. Read back from the API after a change that was waited for, or when nothing
      changed; predicted in check mode (addresses the cloud will allocate are V(null)) and with O(wait=false).
  returned: success
  type: dict
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
      description: Network interfaces in order, the first is the primary.
      type: list
      elements: dict
      contains:
        subnet_id:
          description: Subnet id.
          type: str
        ipv4_address:
          description: IPv4 address; V(null) when the cloud has yet to allocate it.
          type: str
    state:
      description: Instance state, for example C(running).
      type: str
    operation_state:
      description: The latest operation, for example C(modify-ip-succeed) or C(modify-ip-processing).
      type: str
  sample:
    id: 4f0e8c2a-9b1d-4e6f-a3c5-7d9e1f2a4b6c
    name: gpu-node-01
    vpc_id: 9c1e5a7b-3d2f-4b8e-a6c4-0e2d4f6a8b1c
    network_interfaces: [{subnet_id: 0b6f1f2c-6b0e-4d6a-9c55-2a1e4b8c7d90, ipv4_address: 10.0.1.50}]
    state: running
    operation_state: modify-ip-succeed
request_id:
  description: Request id (C(X-Request-Id)) of the change request; V(null) when nothing was sent.
  returned: success
  type: str
  sample: 4b07fba5f5354343b5bddf13d0f557a7
diff:
  description: With C(--diff), C(vpc_id) and C(network_interfaces) before and after.
  returned: when diff mode is on
  type: dict
error:
  description: On an API failure or a failed change, the API's answer (C(request_id) is the change request's).
  returned: failure
  type: dict
  contains:
    status:
      description: HTTP status (V(null) for an asynchronous failure).
      type: int
    code:
      description: Error code, for example C(CLOUDDC.2001).
      type: str
    message:
      description: Error message.
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
from ..module_utils._clouddc import (FAILED, PROCESSING, SUCCEEDED, change_ip, change_refusal, get_status,
                                     instance_summary, is_converged, predict, read_instance, resolve_instance,
                                     validate_nics)
from ..module_utils._module import HuaweiCloudModule


def addressing(instance):
    return {"vpc_id": instance.get("vpc_id"), "network_interfaces": instance.get("network_interfaces")}


class ImetalIp(object):
    def __init__(self, module, nics):
        self.m = module
        self.p = module.params
        self.nics = nics
        self.client = module.client

    def run(self):
        p = self.p
        try:
            instance = resolve_instance(self.client, p["instance"])
        except HuaweiCloudError as err:
            return self.m.fail_error(err, "read iMetal instance", p["instance"])
        label = "%s (%s)" % (instance.get("name"), instance["id"])
        current = instance_summary(instance)
        if is_converged(instance, p["vpc_id"], self.nics):
            return self.m.exit(instance=current, request_id=None)

        refusal = change_refusal(instance)
        if refusal:
            return self.m.fail("Cannot change the IP addresses of iMetal instance %s: %s; nothing was sent"
                               % (label, refusal), instance=current)
        predicted = predict(instance, p["vpc_id"], self.nics)
        self.m.result["changed"] = True
        self.m.set_diff(addressing(current), addressing(predicted))
        if self.m.check_mode:
            return self.m.exit(instance=predicted, request_id=None)

        def took_effect():
            status = get_status(self.client, instance["id"])
            if status.get("operation_state") == PROCESSING:
                return True
            return is_converged(read_instance(self.client, instance["id"]), p["vpc_id"], self.nics)

        try:
            request_id = self.m.write(lambda: change_ip(self.client, instance["id"], p["vpc_id"], self.nics),
                                      took_effect)
        except HuaweiCloudError as err:
            return self.m.fail_error(err, "change the IP addresses of iMetal instance", label)
        self.m.result["request_id"] = request_id
        if not p["wait"]:
            predicted["operation_state"] = PROCESSING
            return self.m.exit(instance=predicted)
        return self.m.exit(instance=self._wait(instance["id"], label, request_id))

    def _wait(self, instance_id, label, request_id):
        """Poll the status until the change ends; verify the addresses by re-reading the instance."""
        p = self.p
        seen = {}

        def fetch():
            status = get_status(self.client, instance_id)
            seen["instance"] = None
            if status.get("operation_state") == SUCCEEDED:
                seen["instance"] = read_instance(self.client, instance_id)
            return status

        def done(status):
            operation = status.get("operation_state")
            if operation == FAILED:
                error = status.get("error") or {}
                raise HuaweiCloudError(
                    "the change ended in %s: %s: %s" % (FAILED, error.get("error_code"), error.get("error_msg")),
                    code=error.get("error_code"), error_message=error.get("error_msg"), request_id=request_id)
            if operation == SUCCEEDED:
                # A status left over from an earlier change is not taken for this one: the addresses must match.
                return is_converged(seen["instance"], p["vpc_id"], self.nics)
            return False

        try:
            self.client.wait_for(fetch, done, p["wait_timeout"],
                                 "the IP change of iMetal instance %s to succeed with the wanted addresses" % label)
        except HuaweiCloudError as err:
            return self.m.fail_error(err, "change the IP addresses of iMetal instance", label)
        return instance_summary(seen["instance"])


def main():
    module = HuaweiCloudModule(argument_spec=dict(
        instance=dict(type="str", required=True),
        vpc_id=dict(type="str"),
        nics=dict(type="list", elements="dict", required=True, options=dict(
            subnet_id=dict(type="str", required=True),
            ip_address=dict(type="str"),
        )),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=600),
    ))
    p = module.params
    try:
        validate_id(p["instance"], "instance")
        if p["vpc_id"] is not None:
            validate_id(p["vpc_id"], "vpc_id")
        nics = validate_nics(p["nics"])
    except HuaweiCloudError as err:
        module.fail(str(err))
    if p["wait_timeout"] <= 0:
        module.fail("wait_timeout must be a positive number of seconds, got %d" % p["wait_timeout"])
    ImetalIp(module, nics).run()


if __name__ == "__main__":
    main()
