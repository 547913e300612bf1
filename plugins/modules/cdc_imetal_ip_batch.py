#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.infra contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: cdc_imetal_ip_batch
short_description: Many iMetal instances in one task - change their VPC and IP addresses
version_added: 0.1.0
description:
  - Converges the addressing of a whole list of iMetal instances in one process, with the same rules as
    M(hwcloud.infra.cdc_imetal_ip) (each item is planned and checked by the same code).
  - Reads the project's instances in one paged listing and each wanted subnet once; validates and plans every item
    before the first change. When any item is wrong (bad input, unknown or ambiguous instance, instance busy or not
    running, subnet missing or in another VPC, address outside the subnet, reserved or used by another instance, a
    NIC that would be dropped without O(instances[].purge_nics), the same instance or address asked for twice),
    the task fails listing every bad item, and nothing is sent.
  - Sends the changes with a bounded pool of O(concurrency) workers under a client-side rate limit of O(rate_limit)
    requests per second shared by all of them.
  - Waits for all changes together (one polling loop over the listing of the pending instances) and verifies each
    instance's addresses against what was asked.
author:
  - hwcloud.infra contributors (@hwcloud-infra)
extends_documentation_fragment:
  - hwcloud.infra.common
  - hwcloud.infra.attributes
  - hwcloud.infra.fleet
options:
  instances:
    description:
      - The wanted addressing. Each item takes the options of M(hwcloud.infra.cdc_imetal_ip) with the same meaning.
    type: list
    elements: dict
    required: true
    suboptions:
      instance:
        description: The iMetal instance id, or its name when that name is unique in the project.
        type: str
        required: true
      vpc_id:
        description: The VPC the instance should be in; omitted means the current one.
        type: str
      nics:
        description:
          - The wanted network interfaces, one or two; the first is the primary. A NIC that keeps its subnet and
            names no address keeps its current address.
        type: list
        elements: dict
        required: true
        suboptions:
          subnet_id:
            description: The subnet of the network interface.
            type: str
            required: true
          ip_address:
            description: The IPv4 address in that subnet; omitted (or V(null)) means the current one or one the cloud
              allocates. An empty string is refused.
            type: str
      purge_nics:
        description: Allow removing the network interfaces the instance has beyond those listed.
        type: bool
        default: false
  wait_timeout:
    description:
      - Seconds to wait for all changes together when O(wait=true); 1 to 86400.
    type: int
    default: 900
notes:
  - API calls - one paged listing of the project's instances and one read per distinct wanted subnet; then one
    change request per instance to change, and one listing of the pending instances (100 ids a call) per polling
    round.
seealso:
  - module: hwcloud.infra.cdc_imetal_ip
  - module: hwcloud.infra.cdc_imetal_instance_info
"""

EXAMPLES = r"""
- name: Re-address a rack of iMetal nodes
  hwcloud.infra.cdc_imetal_ip_batch:
    region: ap-southeast-3
    instances:
      - instance: gpu-node-01
        nics:
          - {subnet_id: 6494193b-2eed-5d40-8363-241c4d0c663c, ip_address: 10.0.1.50}
          - {subnet_id: a75b46b1-57f0-5a63-99b8-8babcf7b7351}
      - instance: gpu-node-02
        nics:
          - {subnet_id: 6494193b-2eed-5d40-8363-241c4d0c663c, ip_address: 10.0.1.51}
    concurrency: 20
  register: readdressed
"""

RETURN = r"""
report:
  description:
    - "One line per item, in the order given, saying how it ended: V(changed), V(unchanged), V(failed: ...) or
      V(failed after a change was made: ...) or V(not attempted: ...). The roles print it."
  returned: always
  type: list
  elements: str
  sample: ["instances[0] gpu-node-01: changed", "instances[1] gpu-node-02: unchanged"]
waits:
  description:
    - One entry per wait of the run (for the changes of all items together), when there was one.
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
    progress:
      description:
        - After each read of the fleet wait (the last 20), how many items had ended well (C(done)), ended in failure
          (C(failed)) and were still pending, and the seconds waited so far.
      type: list
      elements: dict
      returned: for the wait of all items together
results:
  description: One entry per item of O(instances), in order.
  returned: always
  type: list
  elements: dict
  contains:
    instance:
      description: The instance as given.
      type: str
    id:
      description: The instance's id (V(null) when it could not be resolved).
      type: str
    name:
      description: The instance's name (V(null) when it could not be resolved).
      type: str
    changed:
      description: Whether a change was sent and accepted for this instance.
      type: bool
    before:
      description: C(vpc_id) and C(network_interfaces) before the task.
      type: dict
    after:
      description: C(vpc_id) and C(network_interfaces) after the task (read back when waited for; predicted
        otherwise, with V(null) for addresses the cloud will allocate).
      type: dict
    request_id:
      description: Request id of the change request; V(null) when nothing was sent.
      type: str
    error:
      description: Why this item failed; V(null) when it did not. For a change that ended in C(modify-ip-failed),
        what state the instance was left in and how to recover.
      type: str
    found:
      description: What was found and waited for before planning the item, for example an IP change already in
        progress (an interrupted run's or another job's), waited for and then judged like any state; V(null)
        when nothing was.
      type: str
    read_back:
      description: For a change that ended in C(modify-ip-failed), the instance as read back then (C(state),
        C(operation_state), addresses and C(physical_server) with its C(power_state)).
      returned: when the item's change failed
      type: dict
instances:
  description:
    - Each instance as given in O(instances) with its id, name, VPC, network interfaces and addresses after the task.
  returned: always
  type: dict
  sample:
    gpu-node-01: {id: 5611fc29-e838-5bb5-8d57-ca2498f5d024, name: gpu-node-01, vpc_id: 6a8ebc9c-0b43-5c0f-b452-47282c1da243,
                  network_interfaces: [{subnet_id: 6494193b-2eed-5d40-8363-241c4d0c663c, ipv4_address: 10.0.1.50}],
                  addresses: [10.0.1.50]}
totals:
  description:
    - How many items there were, and how each ended; every item counts once, as changed, unchanged, failed (an item
      whose change was made and then failed or could not be confirmed counts as failed, and its C(report) line
      says so) or not attempted (after an earlier item of the same resource failed, or when the batch was refused
      before any change).
    - Returned also when the batch fails, before or after its first change.
  returned: always
  type: dict
  sample: {items: 500, changed: 480, unchanged: 20, failed: 0, not_attempted: 0}
problems:
  description:
    - When the batch is refused before any change, every problem of every item, found in one pass (the inputs of
      all items, then the plan of those whose inputs are valid); the message has one line per item.
  returned: when the batch was refused before any change
  type: list
  elements: dict
  contains:
    position:
      description: The item's index in O(instances).
      type: int
    item:
      description: The item, for example C(instances[3]).
      type: str
    resource:
      description: The item's resource as given.
      type: str
    problem:
      description: What is wrong with it.
      type: str
calls:
  description: How many API requests the task sent.
  returned: always
  type: int
diff:
  description: With C(--diff), one entry per item that changes, headed by the instance.
  returned: when diff mode is on
  type: list
"""

from ..module_utils._client import match_id_or_name, pick_one
from ..module_utils._errors import HuaweiCloudError, step, WaitTimeoutError
from ..module_utils._validate import validate_id, validate_ref
from ..module_utils._clouddc import (PROCESSING, FailedChangeError, IpChange, addressing, after_failure,
                                     change_refusal, change_spec, complete_nics, instance_summary, is_converged,
                                     list_instances, predict, preflight_refusal, settle_in_flight, state_differs,
                                     validate_nics, wait_for_changes)
from ..module_utils._fleet import Stages, finish, fleet_argument_spec, refuse, run_pool, validate_fleet_options
from ..module_utils._module import HuaweiCloudModule, resource_diff


def validate_items(items):
    """Every item's own inputs; a list of (index, problem), and the normalised NIC lists."""
    problems, nics = [], {}
    for index, item in enumerate(items):
        where = "instances[%d]" % index
        try:
            validate_ref(item["instance"], "%s.instance" % where, "imetal_instance_name")
            if item["vpc_id"] is not None:
                validate_id(item["vpc_id"], "%s.vpc_id" % where)
            nics[index] = validate_nics(item["nics"])
        except HuaweiCloudError as err:
            problems.append((index, err.message))
    return problems, nics


def adopt_in_flight(client, items, nics, listing, results, timeout):
    """IP changes already in progress on the items' instances (an interrupted run's, another job's) are waited
    for, not refused: the listing gets the instances as they read once those ended, and each such item's result
    says what was found."""
    in_flight = {}
    for index, item in enumerate(items):
        if index in nics:
            for instance in match_id_or_name(listing, item["instance"]):
                if instance.get("operation_state") == PROCESSING:
                    in_flight[instance["id"]] = index
    if not in_flight:
        return listing
    with step("wait for the IP changes in progress on %d iMetal instance(s)" % len(in_flight)):
        settled = settle_in_flight(client, in_flight, timeout)
    for instance_id, index in in_flight.items():
        results[index]["found"] = "an IP change already in progress, waited for until it ended (%s)" % (
            settled[instance_id].get("operation_state"))
    return [settled.get(i["id"], i) for i in listing]


def plan(client, items, nics, results, timeout):
    """Resolve and check every item with valid inputs (those in ``nics``) against one listing, after any IP
    change in progress on them ended; (problems as (index, problem), plans by item index)."""
    listing = adopt_in_flight(client, items, nics, list_instances(client), results, timeout)
    subnets, problems, plans, seen, asked = {}, [], {}, {}, {}
    for index, item in enumerate(items):
        if index not in nics:
            continue
        try:
            instance = pick_one(match_id_or_name(listing, item["instance"]), item["instance"], "iMetal instance",
                                "state", listing)
            if instance["id"] in seen:
                raise HuaweiCloudError("the same instance as instances[%d]" % seen[instance["id"]])
            seen[instance["id"]] = index
            wanted = complete_nics(instance, nics[index], item["purge_nics"])
            for nic in wanted:
                key = (nic["subnet_id"], nic.get("ip_address"))
                if nic.get("ip_address") and asked.setdefault(key, index) != index:
                    raise HuaweiCloudError("%s is also asked for by instances[%d]" % (nic["ip_address"], asked[key]))
            converged = is_converged(instance, item["vpc_id"], wanted)
            if not converged:
                refusal = change_refusal(instance) or preflight_refusal(client, instance, item["vpc_id"], wanted,
                                                                        listing, subnets)
                if refusal:
                    raise HuaweiCloudError(refusal)
        except HuaweiCloudError as err:
            problems.append((index, err.message))
            continue
        plans[index] = {"instance": instance, "nics": wanted, "converged": converged}
    return problems, plans


def converge(module):
    p = module.params
    concurrency, rate = validate_fleet_options(p)
    wait_timeout = module.wait_timeout()
    items = p["instances"]
    results = [{"instance": i["instance"], "id": None, "name": None, "changed": False, "before": None,
                "after": None, "request_id": None, "error": None, "found": None} for i in items]
    module.result["results"] = results
    with Stages(module, results, "instances", _label) as stages:
        invalid, nics = validate_items(items)
        if not nics:
            refuse(module, results, invalid, "instances", _label, "are invalid; nothing was sent")
        client = module.client
        client.share(concurrency, rate)
        # The valid items are planned too (reads only), so that every item's problems are told at once.
        problems, plans = plan(client, items, nics, results, wait_timeout)
        refuse(module, results, sorted(invalid + problems, key=lambda p: p[0]), "instances", _label,
               "cannot be done; nothing was sent")
        changes = {}
        for index, planned in plans.items():
            instance = planned["instance"]
            after = instance_summary(instance) if planned["converged"] else predict(instance, items[index]["vpc_id"],
                                                                                    planned["nics"])
            results[index].update(id=instance["id"], name=instance.get("name"), before=addressing(instance),
                                  after=addressing(after))
            if not planned["converged"]:
                changes[index] = IpChange(client, instance, items[index]["vpc_id"], planned["nics"], wait_timeout)
        module.set_diffs(resource_diff("iMetal instance %s (instances[%d])" % (results[i]["instance"], i),
                                       results[i]["before"], results[i]["after"]) for i in sorted(changes))
        if module.check_mode:
            for index in changes:
                results[index]["changed"] = True
        else:
            def send(index):
                try:
                    changes[index].apply(recheck=True)
                except HuaweiCloudError as err:
                    results[index]["error"] = err.message
                finally:
                    results[index].update(changed=changes[index].sent, request_id=changes[index].request_id)

            stages.writing()
            try:
                run_pool(send, sorted(changes), concurrency)
            finally:
                module.result["changed"] = any(r["changed"] for r in results)
            sent = [changes[i] for i in sorted(changes) if results[i]["changed"]]
            if p["wait"]:
                stages.waiting()
                wait_all(client, sent, results, wait_timeout)
            else:
                for index in changes:
                    if results[index]["changed"]:
                        results[index]["after"]["operation_state"] = PROCESSING
    module.result["changed"] = any(r["changed"] for r in results)
    module.result.update(calls=client.calls, instances=dict(
        (r["instance"], dict(r["after"], id=r["id"], name=r["name"], addresses=[
            n.get("ipv4_address") for n in r["after"]["network_interfaces"] or []])) for r in results if r["id"]))
    return {"results": results, "msg": finish(module, results, "instances", _label)}


def _label(result):
    return result["instance"]


def wait_all(client, changes, results, wait_timeout):
    """One wait for every sent change; each result gets the instance read back, or the change's failure."""
    by_id = dict((r["id"], r) for r in results)
    try:
        outcomes = wait_for_changes(client, changes, wait_timeout)
    except WaitTimeoutError as err:
        before = dict((c.instance["id"], c.instance) for c in changes)
        for instance_id in err.last_state["pending"]:
            by_id[instance_id]["error"] = "not finished within wait_timeout"
            # changed is what the instance reads now against before the task, not that a change was accepted.
            by_id[instance_id]["changed"] = state_differs(client, before[instance_id])
        outcomes = err.last_state["done"]
    for instance_id, outcome in outcomes.items():
        if isinstance(outcome, FailedChangeError):
            read_back, recovery = after_failure(client, instance_id)
            by_id[instance_id]["error"] = "%s. %s" % (outcome.message.rstrip("."), recovery)
            if read_back is not None:
                by_id[instance_id]["after"] = addressing(read_back)
                by_id[instance_id]["read_back"] = read_back
        elif isinstance(outcome, HuaweiCloudError):
            by_id[instance_id]["error"] = outcome.message
        else:
            by_id[instance_id]["after"] = addressing(instance_summary(outcome))


def main():
    spec = fleet_argument_spec(wait_timeout=900)
    spec["instances"] = dict(type="list", elements="dict", required=True, options=change_spec())
    module = HuaweiCloudModule(argument_spec=spec)
    module.run(lambda: converge(module), "change the IP addresses of %d iMetal instance item(s)" % len(
        module.params["instances"] or []))


if __name__ == "__main__":
    main()
