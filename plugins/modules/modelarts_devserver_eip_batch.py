#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.infra contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: modelarts_devserver_eip_batch
short_description: Many Lite Servers in one task - bind or unbind their EIPs (ModelArts)
version_added: 0.1.0
description:
  - Converges a whole list of EIP bindings on Lite Servers in one process, with the same rules as
    M(hwcloud.infra.modelarts_devserver_eip) (each item is planned by the same code).
  - Reads the state in bulk, once - every Lite Server of the project and every EIP of the project (two paged
    listings). A converged list is decided from those two listings alone.
  - Validates and plans every item before the first write. When any item is wrong (bad input, unknown or ambiguous
    server, EIP in use elsewhere without O(bindings[].allow_rebind), server not C(RUNNING), the same EIP asked for
    on two servers), the task fails listing every bad item, and nothing is changed.
  - Writes with a bounded pool of O(concurrency) workers under a client-side rate limit of O(rate_limit) requests per
    second shared by all of them; throttling that still happens is retried. Items for the same server run in order,
    in one worker.
  - Waits for all changes together (one polling loop over the project's EIP listing) and verifies them from it.
author:
  - hwcloud.infra contributors (@hwcloud-infra)
extends_documentation_fragment:
  - hwcloud.infra.common
  - hwcloud.infra.attributes
  - hwcloud.infra.fleet
options:
  bindings:
    description:
      - The wanted bindings. Each item takes the options of M(hwcloud.infra.modelarts_devserver_eip) with the same
        meaning.
    type: list
    elements: dict
    required: true
    suboptions:
      server:
        description: The Lite Server id, or its name when that name is unique in the project.
        type: str
        required: true
      public_ip:
        description:
          - The EIP, by id or IPv4 address. Required when O(bindings[].state=present).
          - V(auto) - any EIP for the server. A server with an EIP keeps it (nothing changes); one without gets the
            free EIP named after the server, or a new one allocated under that name (see O(auto_eip)) and bound. A
            new EIP whose bind fails is released again.
        type: str
      state:
        description: V(present) binds, V(absent) unbinds (every EIP of the server when O(bindings[].public_ip) is omitted).
        type: str
        choices: [present, absent]
        default: present
      allow_rebind:
        description: Move the EIP when another Lite Server holds it (all or nothing, as in the single module).
        type: bool
        default: false
      exclusive:
        description: With O(bindings[].state=present), also unbind every other EIP from the server.
        type: bool
        default: false
  auto_eip:
    description: How an EIP allocated for O(bindings[].public_ip=auto) is made (see M(hwcloud.infra.vpc_eip)).
    type: dict
    default: {}
    suboptions:
      type:
        description: The EIP type.
        type: str
        default: 5_bgp
      bandwidth_size:
        description: Mbit/s of its own bandwidth, 1 to 2000.
        type: int
        default: 5
      bandwidth_charge_mode:
        description: How its bandwidth is billed.
        type: str
        choices: [bandwidth, traffic]
        default: bandwidth
  wait_timeout:
    description:
      - Seconds to wait for all changes together when O(wait=true); 1 to 86400.
    type: int
    default: 600
notes:
  - API calls for N items with nothing to change - 2 paged listings (the project's Lite Servers and EIPs, plus the
    project id look-up unless O(project_id) is given). Each server to change adds its writes (one per bind or unbind)
    and one ModelArts read when an answer is lost; the wait adds one EIP listing per polling round.
seealso:
  - module: hwcloud.infra.modelarts_devserver_eip
  - module: hwcloud.infra.modelarts_devserver_info
"""

EXAMPLES = r"""
- name: Expose a fleet of Lite Servers
  hwcloud.infra.modelarts_devserver_eip_batch:
    region: ap-southeast-3
    bindings:
      - {server: train-a3-01, public_ip: 203.0.113.11}
      - {server: train-a3-02, public_ip: 203.0.113.12}
      - {server: train-a3-03, public_ip: 203.0.113.13, exclusive: true}
    concurrency: 20
  register: exposed

- name: Any EIP for each server - kept when it has one, else the one named after it, else a new one
  hwcloud.infra.modelarts_devserver_eip_batch:
    bindings:
      - {server: infer-a3-05, public_ip: auto}
      - {server: shared-a3-06, public_ip: auto}
    auto_eip:
      bandwidth_size: 10

- name: Take the EIPs of a server away
  hwcloud.infra.modelarts_devserver_eip_batch:
    bindings:
      - {server: train-a3-04, state: absent}
"""

RETURN = r"""
report:
  description:
    - "One line per item, in the order given, saying how it ended: V(changed), V(unchanged), V(failed: ...) or
      V(failed after a change was made: ...) or V(not attempted: ...). The roles print it."
  returned: always
  type: list
  elements: str
  sample: ["bindings[0] train-a3-01: changed", "bindings[1] train-a3-02: unchanged"]
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
  description: One entry per item of O(bindings), in order.
  returned: always
  type: list
  elements: dict
  contains:
    server:
      description: The server as given.
      type: str
    server_id:
      description: The Lite Server's id (V(null) when it could not be resolved).
      type: str
    server_name:
      description: The Lite Server's name (V(null) when it could not be resolved).
      type: str
    public_ip:
      description: The EIP as given.
      type: str
    state:
      description: The state asked for.
      type: str
    changed:
      description: Whether this item changed the server's EIPs.
      type: bool
    before:
      description: The server's EIPs ({id, address}) before this item.
      type: list
      elements: dict
    after:
      description: The server's EIPs after this item (read back when waited for; predicted in check mode).
      type: list
      elements: dict
    request_ids:
      description: Request ids of the writes this item sent.
      type: list
      elements: str
    error:
      description: Why this item failed; V(null) when it did not.
      type: str
servers:
  description:
    - Each server as given in O(bindings) (the last item naming it) with its id, name and public addresses after
      the task.
  returned: always
  type: dict
  sample: {train-a3-01: {id: 5dfb59db-8abc-56cf-8b1d-2229616fed71, name: train-a3-01, public_ips: [203.0.113.11]}}
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
      description: The item's index in O(bindings).
      type: int
    item:
      description: The item, for example C(bindings[3]).
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
  description: With C(--diff), one entry per item that changes, headed by the server.
  returned: when diff mode is on
  type: list
"""

from ..module_utils._errors import HuaweiCloudError, step, WaitTimeoutError
from ..module_utils._validate import validate_int, validate_ref
from ..module_utils._fleet import (NOT_ATTEMPTED, Stages, finish, fleet_argument_spec, refuse, run_pool,
                                   validate_fleet_options)
from ..module_utils._modelarts import (AUTO, BindingChange, Snapshot, binding_spec, bindings_differ, plan_auto,
                                       plan_task, server_label, wait_for_fleet)
from ..module_utils._module import HuaweiCloudModule, resource_diff
from ..module_utils._rules import BOUNDS, CHOICES
from ..module_utils._vpc import (allocate_eip, eip_label, eip_pair, release_eip, validate_eip_ref, validate_eip_type,
                                 wait_until_ready)


def validate_items(items):
    """Every item's own inputs and the list as a whole; a list of (index, problem)."""
    problems = []
    wanted = {}
    for index, item in enumerate(items):
        where = "bindings[%d]" % index
        try:
            validate_ref(item["server"], "%s.server" % where, "lite_server_name")
            if item["public_ip"] == AUTO:
                if item["state"] != "present" or item["exclusive"] or item["allow_rebind"]:
                    raise HuaweiCloudError("public_ip=auto goes with state=present, without exclusive or "
                                           "allow_rebind")
            elif item["public_ip"] is not None:
                validate_eip_ref(item["public_ip"], "%s.public_ip" % where)
            if item["state"] == "present" and item["public_ip"] is None:
                raise HuaweiCloudError("public_ip is required with state=present")
            if item["exclusive"] and item["state"] == "absent":
                raise HuaweiCloudError("exclusive applies to state=present only")
        except HuaweiCloudError as err:
            problems.append((index, err.message))
            continue
        if item["state"] == "present" and item["public_ip"] != AUTO:
            other = wanted.setdefault(item["public_ip"], (index, item["server"]))
            if other[1] != item["server"]:
                problems.append((index, "EIP %s is also asked for on server %s (bindings[%d])"
                                 % (item["public_ip"], other[1], other[0])))
    return problems


class Fleet(object):
    """The items grouped by server, planned against one snapshot, applied by a pool of workers."""

    def __init__(self, client, items, wait_timeout, auto_eip=None):
        self.client = client
        self.items = items
        self.wait_timeout = wait_timeout
        self.auto_eip = auto_eip
        self.results = [{"server": i["server"], "server_id": None, "server_name": None, "public_ip": i["public_ip"],
                         "state": i["state"],
                         "changed": False, "before": None, "after": None, "request_ids": [], "error": None}
                        for i in items]
        self.groups = {}
        self.tasks = {}

    def plan(self, snapshot, skip=()):
        """Plan every item but those of ``skip`` (no write); returns the problems found, as (index, problem)."""
        problems = []
        bound = {}
        allocating = set()
        for index, item in enumerate(self.items):
            if index in skip:
                continue
            try:
                server = snapshot.server(item["server"])
                self.results[index].update(server_id=server["id"], server_name=server.get("name"))
                before = bound.get(server["id"])
                if before is None:
                    before = snapshot.bindings(server)
                if item["public_ip"] == AUTO:
                    task = plan_auto(snapshot, server, before, allocating)
                    if task.get("allocate"):
                        allocating.add(task["allocate"])
                else:
                    task = plan_task(snapshot, server, before, item["public_ip"], item["state"], item["exclusive"],
                                     item["allow_rebind"], None)
            except HuaweiCloudError as err:
                problems.append((index, err.message))
                continue
            self.results[index].update(before=before, after=task["plan"]["after"])
            bound[server["id"]] = task["plan"]["after"]
            task["server"] = server
            self.tasks[index] = task
            self.groups.setdefault(server["id"], []).append(index)
        return problems

    def apply_group(self, server_id):
        """The writes of one server's items, in order; an item that fails stops the later ones of that server."""
        for position, index in enumerate(self.groups[server_id]):
            task = self.tasks[index]
            if not task["writes"]:
                continue
            change = BindingChange(self.client, task["server"], self.wait_timeout)
            try:
                if task.get("allocate"):
                    self.allocate(task, index)
                change.apply(task["plan"], task["holder"], task["eip"], task["releasing"])
            except HuaweiCloudError as err:
                if task.get("allocated") and not change.changed:
                    err = self.release_allocated(task, err)
                self.results[index]["error"] = err.message
                for later in self.groups[server_id][position + 1:]:
                    self.results[later]["error"] = "%s: an earlier item for server %s failed" % (
                        NOT_ATTEMPTED, server_label(task["server"]))
                return
            finally:
                self.results[index]["changed"] = change.changed or bool(task.get("allocated"))
                self.results[index]["request_ids"] = task.get("allocation_ids", []) + change.request_ids

    def allocate(self, task, index):
        """Allocate the EIP an auto item binds, and make it the plan's bind."""
        name = task["allocate"]
        with step("allocate EIP %s for Lite Server %s" % (name, server_label(task["server"]))):
            created, written = allocate_eip(self.client, name, self.auto_eip["type"], {
                "name": name, "size": self.auto_eip["bandwidth_size"],
                "charge_mode": self.auto_eip["bandwidth_charge_mode"]}, task["named"])
            if written.ours:
                # This run's EIP: a change of its own, released again when its bind fails.
                task["allocated"] = created
            task["allocation_ids"] = [r for r in [written.request_id] if r]
            ready = wait_until_ready(self.client, created["id"], self.wait_timeout, eip_label(created))
        pair = eip_pair(ready)
        task["plan"]["bind"].update(pair)
        task["eip"] = ready
        self.results[index]["public_ip"] = pair["address"]

    def release_allocated(self, task, err):
        """An allocated EIP whose bind failed is released again; the error says so (or where it is left)."""
        eip = task.pop("allocated")
        try:
            release_eip(self.client, eip)
        except HuaweiCloudError as release_err:
            return err.reworded("%s. The EIP %s allocated for it could not be released (%s): release it with "
                                "hwcloud.infra.vpc_eip" % (err.message, eip_label(eip), release_err.message))
        return err.reworded("%s. The EIP %s allocated for it was released again" % (err.message, eip_label(eip)))

    def changed_servers(self):
        """(server, wanted EIPs, changed EIP ids) of every server whose items all applied and changed something."""
        out = []
        for server_id, indexes in self.groups.items():
            if any(self.results[i]["error"] for i in indexes) or not any(self.results[i]["changed"] for i in indexes):
                continue
            last = self.tasks[indexes[-1]]
            changed = set()
            for i in indexes:
                plan = self.tasks[i]["plan"]
                changed.update(e["id"] for e in plan["unbind"])
                if plan["bind"]:
                    changed.add(plan["bind"]["id"])
            out.append((last["server"], last["plan"]["after"], sorted(changed)))
        return out


def converge(module):
    p = module.params
    concurrency, rate = validate_fleet_options(p)
    wait_timeout = module.wait_timeout()
    items = p["bindings"]
    auto_eip = validate_auto_eip(p["auto_eip"])
    # The client is built once the results exist: bad connection options are reported with every item.
    fleet = Fleet(None, items, wait_timeout, auto_eip)
    module.result["results"] = fleet.results
    with Stages(module, fleet.results, "bindings", _label) as stages:
        invalid = validate_items(items)
        if len(set(i for i, _m in invalid)) == len(items):
            refuse(module, fleet.results, invalid, "bindings", _label, "are invalid; nothing was sent")
        client = fleet.client = module.client
        client.share(concurrency, rate)
        # The valid items are planned too (reads only), so that every item's problems are told at once.
        problems = invalid + fleet.plan(Snapshot(client), skip=set(i for i, _m in invalid))
        refuse(module, fleet.results, sorted(problems, key=lambda p: p[0]), "bindings", _label,
               "cannot be done; nothing was changed")
        module.set_diffs(resource_diff("Lite Server %s (bindings[%d])" % (r["server"], i), {"public_ips": r["before"]},
                                       {"public_ips": r["after"]})
                         for i, r in enumerate(fleet.results) if fleet.tasks[i]["writes"])
        if module.check_mode:
            for index, task in fleet.tasks.items():
                fleet.results[index]["changed"] = task["writes"]
        else:
            stages.writing()
            try:
                run_pool(fleet.apply_group, [sid for sid, idx in fleet.groups.items()
                                             if any(fleet.tasks[i]["writes"] for i in idx)], concurrency)
            finally:
                module.result["changed"] = any(r["changed"] for r in fleet.results)
            if p["wait"]:
                stages.waiting()
                wait_all(client, fleet, wait_timeout)
    module.result["changed"] = any(r["changed"] for r in fleet.results)
    results = fleet.results
    module.result.update(calls=client.calls, servers=dict(
        (r["server"], {"id": r["server_id"], "name": r["server_name"],
                       "public_ips": [e["address"] for e in r["after"] or []]}) for r in results if r["server_id"]))
    return {"results": results, "msg": finish(module, results, "bindings", _label)}


def _label(result):
    return result["server"]


def validate_auto_eip(options):
    options = dict({"type": "5_bgp", "bandwidth_size": 5, "bandwidth_charge_mode": "bandwidth"}, **options or {})
    validate_eip_type(options["type"], "auto_eip.type")
    validate_int(options["bandwidth_size"], "auto_eip.bandwidth_size", BOUNDS["bandwidth_size"].bounds)
    return options


def wait_all(client, fleet, wait_timeout):
    """One wait for every changed server; the last item of each server gets the EIPs read back."""
    targets = [(server, {"after": after, "changed": changed}) for server, after, changed in fleet.changed_servers()]
    try:
        read_back = wait_for_fleet(client, targets, wait_timeout)
    except WaitTimeoutError as err:
        pending = set(err.last_state["pending"])
        for server, _after, _changed in fleet.changed_servers():
            if server["id"] not in pending:
                continue
            indexes = fleet.groups[server["id"]]
            # changed is what the server's EIPs read now against before the task, not what the writes answered.
            differs = bindings_differ(client, server, fleet.results[indexes[0]]["before"])
            for index in indexes:
                if fleet.results[index]["changed"]:
                    fleet.results[index].update(error="not confirmed within wait_timeout", changed=differs)
        read_back = err.last_state["done"]
    for server_id, eips in read_back.items():
        fleet.results[fleet.groups[server_id][-1]]["after"] = eips


def main():
    spec = fleet_argument_spec()
    spec["bindings"] = dict(type="list", elements="dict", required=True, options=binding_spec())
    spec["auto_eip"] = dict(type="dict", default={}, options=dict(
        type=dict(type="str", default="5_bgp"),
        bandwidth_size=dict(type="int", default=5),
        bandwidth_charge_mode=dict(type="str", choices=list(CHOICES["bandwidth_charge_mode"].values),
                                   default="bandwidth")))
    module = HuaweiCloudModule(argument_spec=spec)
    module.run(lambda: converge(module), "converge the EIPs of %d Lite Server item(s)" % len(
        module.params["bindings"] or []))


if __name__ == "__main__":
    main()
