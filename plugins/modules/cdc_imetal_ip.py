#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.infra contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: cdc_imetal_ip
short_description: One iMetal instance - change its VPC and IP addresses (Cloud Data Center)
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
      - The change replaces the instance's whole list of network interfaces. A network interface that keeps its
        subnet and names no O(nics[].ip_address) keeps its current address (the module sends it explicitly).
        Listing fewer network interfaces than the instance has fails, naming the ones that would be removed,
        unless O(purge_nics=true).
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
          - The IPv4 address in that subnet. Omitted means the current address when the subnet is unchanged,
            otherwise any address of the subnet; the cloud allocates a free one, and the module reports it.
          - Before anything is sent (and in check mode), the subnet is read from the VPC API and the address must
            be inside its CIDR, not its network, gateway or broadcast address, and not used by another instance
            of the project.
          - Loopback, multicast, broadcast, link-local, unspecified and reserved addresses are refused before any
            request, as is an empty string (a variable that templated to nothing); V(null) is the same as omitted.
        type: str
  purge_nics:
    description:
      - Allow the change to remove the network interfaces of the instance that O(nics) does not list (those after
        the last one listed).
    type: bool
    default: false
  wait:
    description:
      - Wait for the change to finish (C(modify-ip-succeed) or C(modify-ip-failed)) and verify the addresses.
      - With V(false), the module returns right after the change is accepted, with
        RV(instance.operation_state=modify-ip-processing).
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait when O(wait=true); 1 to 86400.
    type: int
    default: 600
notes:
  - Each wanted subnet must exist and belong to the wanted VPC (O(vpc_id), or the instance's current VPC). An
    address outside the subnet would stop the instance and power off its physical server, so the module refuses
    it before sending; check mode fails exactly when the real run would be refused before sending.
  - The status call can still answer the state from before a change for a while; a terminal state counts only once
    the change was seen running or the instance's update time moved since it was read.
  - An IP change is possible when the instance is C(running) with no operation in progress, or to retry after a
    failed change (C(modify-ip-failed)). An IP change already in progress (C(modify-ip-processing), for example one
    an interrupted run started) is waited for (within O(wait_timeout)) and the instance is then judged as it reads;
    any other operation in progress, or a state that is not ready, fails naming the instance's C(state) and
    C(operation_state), without sending anything.
  - A change request whose outcome is unknown (a timeout, a reset connection after sending, an answer that does not
    parse, a redirect) is not sent again blindly. The instance is re-read for up to O(api_timeout) seconds; a change
    in progress is waited for, and the request is sent again only if the addresses then differ from what was asked.
  - C(changed) is true only when the change was accepted by the cloud (in check mode, when it would be sent); when
    the wait ends without the change, it is whether the instance then reads otherwise than before the task.
seealso:
  - module: hwcloud.infra.cdc_imetal_instance_info
"""

EXAMPLES = r"""
- name: Give both NICs of gpu-node-01 fixed addresses
  hwcloud.infra.cdc_imetal_ip:
    region: ap-southeast-3
    instance: gpu-node-01
    nics:
      - subnet_id: 6494193b-2eed-5d40-8363-241c4d0c663c
        ip_address: 10.0.1.50
      - subnet_id: a75b46b1-57f0-5a63-99b8-8babcf7b7351
        ip_address: 10.0.2.50
  register: readdressed

- name: Move an instance to another VPC, letting the cloud pick the address
  hwcloud.infra.cdc_imetal_ip:
    instance: e45d0825-c6fd-557c-8647-31e238f29987
    vpc_id: 2be33427-20f3-5491-85c8-21baddf68f63
    nics:
      - subnet_id: 286966f0-5638-543c-a1a5-361923d9bb43
    wait_timeout: 900

- name: Start the change on several instances without waiting (the batch module does this in one task)
  hwcloud.infra.cdc_imetal_ip:
    instance: "{{ item.name }}"
    nics: "{{ item.nics }}"
    wait: false
  loop:
    - {name: batch-node-01, nics: [{subnet_id: 286966f0-5638-543c-a1a5-361923d9bb43, ip_address: 172.16.0.101}]}
    - {name: batch-node-02, nics: [{subnet_id: 286966f0-5638-543c-a1a5-361923d9bb43, ip_address: 172.16.0.102}]}
  loop_control:
    label: "{{ item.name }}"

- name: Then wait until both changes have ended
  hwcloud.infra.cdc_imetal_instance_info:
    name: "{{ item }}"
  register: started
  until: started.instances | map(attribute='operation_state') | select('eq', 'modify-ip-processing') | list == []
  retries: 60
  delay: 2
  loop: [batch-node-01, batch-node-02]

# Ad hoc, with the credentials in HW_REGION_NAME, HW_ACCESS_KEY and HW_SECRET_KEY:
#   ansible localhost -m hwcloud.infra.cdc_imetal_ip \
#     -a '{"instance": "gpu-node-02", "nics": [{"subnet_id": "6494193b-2eed-5d40-8363-241c4d0c663c"}]}'
"""

RETURN = r"""
waits:
  description:
    - One entry per wait of the run (for the IP change to end), when there was one.
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
instance:
  description:
    - The instance after the task. Read back from the API after a change that was waited for, or when nothing
      changed; predicted in check mode (addresses the cloud will allocate are V(null)) and with O(wait=false).
    - When the change ended in C(modify-ip-failed), the instance as read back then, with C(physical_server). A
      failed change stops the instance and powers off its physical server, and the message says how to recover.
  returned: success, and when the change failed
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
    physical_server:
      description: The instance's physical server, C(id) and C(power_state) (C(on), C(off); V(null) when it
        could not be read).
      returned: when the change failed and the instance has a physical server
      type: dict
  sample:
    id: e45d0825-c6fd-557c-8647-31e238f29987
    name: gpu-node-01
    vpc_id: 2be33427-20f3-5491-85c8-21baddf68f63
    network_interfaces: [{subnet_id: 6494193b-2eed-5d40-8363-241c4d0c663c, ipv4_address: 10.0.1.50}]
    state: running
    operation_state: modify-ip-succeed
found:
  description:
    - What the module found and waited for before deciding, for example an IP change already in progress (started
      by an interrupted run or another job), which is waited for and then judged like any state, not refused.
  returned: when the instance had an IP change in progress
  type: str
  sample: an IP change already in progress, waited for until it ended (modify-ip-succeed)
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
    hint:
      description: What to do next, for an answer the collection knows (V(null) otherwise), for example the
        controller's clock against the gateway's for a refused signing time.
      type: str
"""

from ..module_utils._errors import HuaweiCloudError, step
from ..module_utils._validate import validate_id, validate_ref
from ..module_utils._clouddc import (PROCESSING, FailedChangeError, IpChange, addressing, after_failure, change_refusal,
                                     change_spec, complete_nics, instance_summary, is_converged, list_instances,
                                     preflight_refusal, predict, resolve_instance, settle_in_flight, state_differs,
                                     validate_nics)
from ..module_utils._module import HuaweiCloudModule


def converge(module):
    """Read, compare, change only what differs, wait and verify; returns the result values."""
    p = module.params
    validate_ref(p["instance"], "instance", "imetal_instance_name")
    if p["vpc_id"] is not None:
        validate_id(p["vpc_id"], "vpc_id")
    nics = validate_nics(p["nics"])
    wait_timeout = module.wait_timeout()
    client = module.client
    with step("find iMetal instance %s" % p["instance"]):
        instance = resolve_instance(client, p["instance"])
    label = "%s (%s)" % (instance.get("name"), instance["id"])
    if instance.get("operation_state") == PROCESSING:
        # An IP change already in progress (an interrupted run's, another job's) is waited for, then judged.
        with step("wait for the IP change in progress on iMetal instance %s" % label):
            instance = settle_in_flight(client, [instance["id"]], wait_timeout)[instance["id"]]
        module.result["found"] = "an IP change already in progress, waited for until it ended (%s)" % (
            instance.get("operation_state"))
    current = instance_summary(instance)
    nics = complete_nics(instance, nics, p["purge_nics"])
    if is_converged(instance, p["vpc_id"], nics):
        module.set_diff("iMetal instance %s" % label, addressing(current), addressing(current))
        return {"instance": current, "request_id": None}

    refusal = change_refusal(instance)
    if refusal:
        module.result["instance"] = current
        raise HuaweiCloudError("Cannot change the IP addresses of iMetal instance %s: %s; nothing was sent"
                               % (label, refusal))
    others = []
    if any(n.get("ip_address") for n in nics):
        with step("list iMetal instances"):
            others = list_instances(client)
    refusal = preflight_refusal(client, instance, p["vpc_id"], nics, others)
    if refusal:
        module.result["instance"] = current
        raise HuaweiCloudError("Cannot change the IP addresses of iMetal instance %s: %s; nothing was sent"
                               % (label, refusal))
    predicted = predict(instance, p["vpc_id"], nics)
    module.set_diff("iMetal instance %s" % label, addressing(current), addressing(predicted))
    if module.check_mode:
        module.result["changed"] = True
        return {"instance": predicted, "request_id": None}

    change = IpChange(client, instance, p["vpc_id"], nics, wait_timeout)
    try:
        change.apply()
    finally:
        module.result["changed"] = change.sent
        module.result["request_id"] = change.request_id
    if not p["wait"]:
        predicted["operation_state"] = PROCESSING
        return {"instance": predicted}
    try:
        final = change.wait()
    except FailedChangeError as err:
        module.result["instance"], recovery = after_failure(client, instance["id"])
        raise err.reworded("%s. %s" % (err.message.rstrip("."), recovery))
    except HuaweiCloudError:
        # The wait ended without the change: this run's change is one the instance reads now against before.
        module.result["changed"] = change.sent and state_differs(client, instance)
        raise
    module.set_diff("iMetal instance %s" % label, addressing(current), addressing(final))
    return {"instance": final}


def main():
    spec = change_spec()
    spec.update(wait=dict(type="bool", default=True), wait_timeout=dict(type="int", default=600))
    module = HuaweiCloudModule(argument_spec=spec)
    module.run(lambda: converge(module), "change the IP addresses of iMetal instance %s" % module.params["instance"])


if __name__ == "__main__":
    main()
