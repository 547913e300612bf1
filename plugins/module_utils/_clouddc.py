# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.infra contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection. Breaking changes can occur any time.

"""Cloud Data Center iMetal API calls, IP-change planning and result shaping."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

from ..module_utils._client import match_id_or_name, pick_one
from ..module_utils._errors import HuaweiCloudError, step
from ..module_utils._validate import looks_like_uuid, NO_BODY, Opt, validate_id, validate_ipv4, validate_ref
from ..module_utils._fleet import wait_together
from ..module_utils._rules import BOUNDS
from ..module_utils._vpc import get_subnet

INSTANCES = "/v1/{project_id}/instances"
INSTANCE_STATUS = "/v1/{project_id}/instances/{id}/status"
INSTANCE_IP = "/v1/{project_id}/instances/{id}/ip"
PHYSICAL_SERVER = "/v1/{project_id}/physicalservers/{id}"

PROCESSING = "modify-ip-processing"
SUCCEEDED = "modify-ip-succeed"
FAILED = "modify-ip-failed"
MAX_NICS = 2
# The most ids one task may name (each read takes IDS_PER_QUERY of them).
MAX_IDS = 1000
# The most ids the instance_id filter takes in one call (one comma-separated value).
IDS_PER_QUERY = BOUNDS["imetal_ids_per_query"].high
# The largest page of the instance listing.
PAGE_SIZE = BOUNDS["imetal_page"].high

# The fields the collection reads from each answer.
ERROR_SHAPE = Opt({"error_code": Opt(str), "error_msg": Opt(str)})
INSTANCE_SHAPE = {"id": str, "name": Opt(str), "vpc_id": Opt(str), "state": Opt(str), "operation_state": Opt(str),
                  "updated_at": Opt(str), "error": ERROR_SHAPE,
                  "network_interfaces": Opt([{"subnet_id": str, "ipv4_address": Opt(str)}])}
STATUS_SHAPE = {"state": str, "operation_state": Opt(str), "error": ERROR_SHAPE}
PHYSICAL_SERVER_SHAPE = {"id": str, "power_state": Opt(str), "manage_state": Opt(str)}

INSTANCE_FIELDS = ("id", "name", "vpc_id", "network_interfaces", "state", "operation_state", "server_id", "image",
                   "tags", "metadata", "description", "created_at", "updated_at", "error")


# ---- reads ------------------------------------------------------------------------------------------------------------

def list_instances(client, ids=None, state=None):
    """Every instance, or those with the given ids and/or state (marker paging in the largest pages)."""
    query = {"instance_state": state}
    if not ids:
        return list(_instance_pages(client, query, "list iMetal instances"))
    found = []
    for start in range(0, len(ids), IDS_PER_QUERY):
        chunk = ids[start:start + IDS_PER_QUERY]
        found.extend(_instance_pages(client, dict(query, instance_id=",".join(chunk)),
                                     "read iMetal instances %s" % ", ".join(chunk)))
    return found


def _instance_pages(client, query, operation):
    """The instances the listing answers for ``query``, read to the end (its ``count`` checked)."""
    return client.paginate_marker("clouddc", INSTANCES, "instances", INSTANCE_SHAPE, query=query, limit=PAGE_SIZE,
                                  operation=operation, total_key="count")


def find_instances(client, ref, listed=None):
    """Instances matching ``ref``: the one with that id, else every one with that name. ``listed``, a list, gets
    the listing looked in."""
    validate_ref(ref, "instance", "imetal_instance_name")
    if looks_like_uuid(ref):
        found = [i for i in list_instances(client, ids=[ref]) if i.get("id") == ref]
        if found:
            return found
    instances = list_instances(client)
    if listed is not None:
        listed.extend(instances)
    return match_id_or_name(instances, ref)


def resolve_instance(client, ref):
    listed = []
    return pick_one(find_instances(client, ref, listed), ref, "iMetal instance", "state", listed)


def read_instance(client, instance_id):
    found = [i for i in list_instances(client, ids=[instance_id]) if i.get("id") == instance_id]
    if not found:
        raise HuaweiCloudError("iMetal instance %s is no longer listed" % instance_id)
    return found[0]


def get_status(client, instance_id):
    return client.get("clouddc", INSTANCE_STATUS, {"id": instance_id}, expect=STATUS_SHAPE,
                      operation="read the status of iMetal instance %s" % instance_id)


def get_physical_server(client, server_id):
    return client.get("clouddc", PHYSICAL_SERVER, {"id": server_id}, expect=PHYSICAL_SERVER_SHAPE,
                      operation="read physical server %s" % server_id)


# ---- writes -----------------------------------------------------------------------------------------------------------

def change_ip(client, instance_id, vpc_id, nics):
    body = {"nics": [dict((k, v) for k, v in (("subnet_id", n["subnet_id"]), ("ip_address", n.get("ip_address")))
                          if v) for n in nics]}
    if vpc_id:
        body["vpc_id"] = vpc_id
    resp = client.request("PUT", "clouddc", INSTANCE_IP, {"id": instance_id}, body=body, expect=NO_BODY,
                          operation="change the IP addresses of iMetal instance %s" % instance_id)
    return resp.request_id


class FailedChangeError(HuaweiCloudError):
    """An IP change the cloud accepted and then ended in modify-ip-failed."""


def change_failure(status, request_id=None):
    error = status.get("error") or {}
    return FailedChangeError("the change ended in %s: %s: %s" % (FAILED, error.get("error_code"),
                                                                 error.get("error_msg")),
                             code=error.get("error_code"), error_message=error.get("error_msg"), request_id=request_id)


# What a re-run does after a failed change: the words every failure report ends with.
RECOVERY = ("To recover: correct what the error names (the address, the subnet) and re-run; the re-run sends the "
            "change again, which an instance whose last IP change failed accepts, and the instance runs again once "
            "a change succeeds. Re-running unchanged repeats the same failure")


def after_failure(client, instance_id):
    """The instance as read back after its IP change failed, with its physical server's power state, and the
    words saying what state it was left in and how to recover. Reads that fail leave what they would tell out."""
    try:
        instance = read_instance(client, instance_id)
    except HuaweiCloudError as err:
        return None, "Reading iMetal instance %s back failed (%s). %s" % (instance_id, err, RECOVERY)
    summary = instance_summary(instance)
    power = None
    if instance.get("server_id"):
        try:
            power = get_physical_server(client, instance["server_id"]).get("power_state")
        except HuaweiCloudError:
            power = None
        summary["physical_server"] = {"id": instance["server_id"], "power_state": power}
    words = "iMetal instance %s now reads state %s (operation_state %s)" % (
        instance_id, instance.get("state"), instance.get("operation_state") or "none")
    if instance.get("server_id"):
        words += " and its physical server %s power %s" % (instance["server_id"], power or "unknown")
    if instance.get("state") != "running" or power == "off":
        words += ": a failed IP change stops the instance and powers off its physical server"
    return summary, "%s. %s" % (words, RECOVERY)


class IpChange(object):
    """One IP change of one instance: sent once, settled by re-reading when its answer is lost, waited for and
    verified against what was asked (not against the module's own prediction).

    The status call can answer a state from before the change for a while (a stale read). A terminal state counts
    as this change's outcome only once the change was seen running (``modify-ip-processing``) or the instance's
    update time moved past the one read before it was sent; the status and the instance listing must agree."""

    def __init__(self, client, instance, vpc_id, nics, wait_timeout):
        self.client = client
        self.instance = instance
        self.vpc_id = vpc_id
        self.nics = nics
        self.wait_timeout = wait_timeout
        self.label = "%s (%s)" % (instance.get("name"), instance["id"])
        self.request_id = None
        self.sent = False
        self.seen_running = False

    def apply(self, recheck=False):
        """Send the change. ``sent`` once the cloud accepted this run's change (or a re-read shows it applied);
        not when it refused it because the instance already is as asked (another run's change).

        ``recheck``: read the instance first, and send nothing when it already is as asked (a fleet's plan is as
        old as its listing: another job may have made the change since)."""
        with step("change the IP addresses of iMetal instance %s" % self.label):
            if recheck:
                instance = read_instance(self.client, self.instance["id"])
                if is_converged(instance, self.vpc_id, self.nics):
                    self.client.warn("iMetal instance %s already had the addresses asked for when this run came to "
                                     "change them (another job got there first), so nothing was changed by this run"
                                     % self.label)
                    return
            written = self.client.write(
                lambda: change_ip(self.client, self.instance["id"], self.vpc_id, self.nics), self._took_effect)
        self.request_id = written.request_id
        self.sent = written.ours

    def _is_new(self, instance):
        return self.seen_running or instance.get("updated_at") != self.instance.get("updated_at")

    def _took_effect(self):
        """After a lost answer: the change was applied when the instance shows an operation running or an update
        since it was read. A running operation is not proof that it is ours: wait for it to end, then compare the
        addresses with what was asked. A change that ended in failure after ours was sent is taken as ours."""
        instance = read_instance(self.client, self.instance["id"])
        if instance.get("operation_state") == PROCESSING:
            self.seen_running = True
        if not self._is_new(instance):
            return False
        outcome = self._wait_outcome("the IP change in progress on iMetal instance %s to end" % self.label)
        return is_converged(outcome, self.vpc_id, self.nics)

    def judge(self, instance, status=None):
        """This change's outcome from one read of the instance (and of its status, which must agree): True when it
        ended well, False while it is running or the read is older than the change; raises when it failed."""
        status = instance if status is None else status
        if status.get("operation_state") == PROCESSING or instance.get("operation_state") == PROCESSING:
            self.seen_running = True
            return False
        if not self._is_new(instance) or instance.get("operation_state") != status.get("operation_state"):
            return False
        if status.get("operation_state") == FAILED:
            # The instance read is never older than the status read: its error describes this change.
            raise change_failure(instance if instance.get("error") else status, self.request_id)
        return status.get("operation_state") == SUCCEEDED

    def _wait_outcome(self, describe):
        """Poll until this change's outcome is known; the instance as read then. Raises on a failed change."""
        seen = {}

        def fetch():
            status = get_status(self.client, self.instance["id"])
            seen["status"], seen["instance"] = status, None
            if status.get("operation_state") == PROCESSING:
                self.seen_running = True
            elif status.get("operation_state") in (SUCCEEDED, FAILED):
                seen["instance"] = read_instance(self.client, self.instance["id"])
            return status

        def done(status):
            return seen["instance"] is not None and self.judge(seen["instance"], status)

        self.client.wait_for(fetch, done, self.wait_timeout, describe)
        return seen["instance"]

    def mismatch(self, instance):
        """An error when a change that ended well reads back other addresses than were asked; else None."""
        if is_converged(instance, self.vpc_id, self.nics):
            return None
        return HuaweiCloudError(
            "the change ended %s, but the instance reads back %s, not what was asked (%s)" % (
                SUCCEEDED, _addressing_text(instance.get("vpc_id"), instance.get("network_interfaces")),
                _addressing_text(self.vpc_id or instance.get("vpc_id"), [
                    {"subnet_id": n["subnet_id"], "ipv4_address": n.get("ip_address")} for n in self.nics])),
            request_id=self.request_id)

    def wait(self):
        """Wait until the change ends; verify the re-read addresses against what was asked; return the summary."""
        with step("change the IP addresses of iMetal instance %s" % self.label):
            instance = self._wait_outcome("the IP change of iMetal instance %s to end" % self.label)
            error = self.mismatch(instance)
            if error is not None:
                raise error
        return instance_summary(instance)


def wait_for_changes(client, changes, timeout):
    """One polling loop for many IP changes: each round is one listing of the pending instances (100 ids a call);
    each change is judged by the same rules as a single one. Returns {instance id: the instance read back, or the
    HuaweiCloudError it ended with}; raises WaitTimeoutError naming the instances still pending."""
    pending = dict((change.instance["id"], change) for change in changes)
    outcomes = {}

    def settle(instances):
        for instance in instances:
            change = pending.get(instance.get("id"))
            if change is None:
                continue
            try:
                if not change.judge(instance):
                    continue
                error = change.mismatch(instance)
                outcomes[instance["id"]] = error if error is not None else instance
            except HuaweiCloudError as err:
                outcomes[instance["id"]] = err
            del pending[instance["id"]]

    return wait_together(client, pending, lambda: list_instances(client, ids=sorted(pending)), settle, timeout,
                         "the IP changes of %d iMetal instance(s) to end" % len(pending), lambda c: c.label, outcomes)


def settle_in_flight(client, instance_ids, timeout):
    """Wait until none of the instances has an IP change in progress (one an interrupted run or another job
    started): such a change is adopted, waited for and then judged like the instance's state. Returns the
    instances as read then, by id; WaitTimeoutError when one is still in progress after ``timeout``."""
    ids = sorted(set(instance_ids))
    final = client.wait_for(lambda: list_instances(client, ids=ids),
                            lambda found: all(i.get("operation_state") != PROCESSING for i in found), timeout,
                            "the IP changes already in progress on %d iMetal instance(s) to end" % len(ids),
                            interval=0.5)
    return dict((i["id"], i) for i in final)


def _addressing_text(vpc_id, nics):
    parts = ["%s in %s" % (n.get("ipv4_address") or "an allocated address", n.get("subnet_id")) for n in nics or []]
    return "VPC %s, %s" % (vpc_id, ", ".join(parts))


def change_spec():
    """The options of one IP change (cdc_imetal_ip, and each item of cdc_imetal_ip_batch)."""
    return dict(
        instance=dict(type="str", required=True),
        vpc_id=dict(type="str"),
        nics=dict(type="list", elements="dict", required=True, options=dict(
            subnet_id=dict(type="str", required=True),
            ip_address=dict(type="str"),
        )),
        purge_nics=dict(type="bool", default=False),
    )


# ---- validation and planning ------------------------------------------------------------------------------------------

def validate_nics(nics):
    """Check the wanted NICs before any request: 1-2 items, ids well-formed, usable IPv4 addresses, no duplicate."""
    if not isinstance(nics, list) or not nics or len(nics) > MAX_NICS:
        raise HuaweiCloudError("nics must list 1 or %d network interfaces (the first is the primary), got %d"
                               % (MAX_NICS, len(nics) if isinstance(nics, list) else 0))
    seen = {}
    normalised = []
    for index, nic in enumerate(nics):
        if not isinstance(nic, dict):
            raise HuaweiCloudError("nics[%d] must be a mapping with subnet_id and ip_address" % index)
        subnet_id = validate_id(nic.get("subnet_id"), "nics[%d].subnet_id" % index)
        address = nic.get("ip_address")
        if address == "":
            raise HuaweiCloudError("nics[%d].ip_address is empty: omit it (or give null) to keep the interface's "
                                   "address or let the cloud allocate one" % index)
        if address is not None:
            address = validate_ipv4(address, "nics[%d].ip_address" % index)
            if address in seen:
                raise HuaweiCloudError("nics[%d] and nics[%d] both ask for %s" % (seen[address], index, address))
            seen[address] = index
        normalised.append({"subnet_id": subnet_id, "ip_address": address})
    return normalised


def complete_nics(instance, nics, purge):
    """The NIC list to send: the PUT replaces the whole list, so a NIC that keeps its subnet and names no address
    keeps its current one (sent explicitly), and dropping a NIC needs ``purge``. Raises naming the NICs that would
    be removed otherwise."""
    current = instance.get("network_interfaces") or []
    if len(nics) < len(current) and not purge:
        dropped = ", ".join("network interface %d (subnet %s, %s)" % (index, nic.get("subnet_id"), nic.get(
            "ipv4_address")) for index, nic in enumerate(current) if index >= len(nics))
        raise HuaweiCloudError(
            "nics lists %d network interface(s) but iMetal instance %s (%s) has %d: the change replaces the whole "
            "list, so %s would be removed. List it in nics, or set purge_nics to remove it; nothing was sent"
            % (len(nics), instance.get("name"), instance.get("id"), len(current), dropped))
    completed = []
    for index, nic in enumerate(nics):
        nic = dict(nic)
        have = current[index] if index < len(current) else {}
        if nic.get("ip_address") is None and have.get("subnet_id") == nic["subnet_id"] and have.get("ipv4_address"):
            nic["ip_address"] = have["ipv4_address"]
        completed.append(nic)
    return completed


def preflight_refusal(client, instance, vpc_id, nics, others, subnets=None):
    """Why the cloud would refuse (or fail) this change, checked before anything is sent, or None.

    Each wanted subnet is read from the VPC API: it must exist and belong to the wanted VPC; each asked address
    must be inside the subnet's CIDR, not its network, gateway or broadcast address, and not used by another
    instance of the project (``others``: the project's instances, read in one listing). ``subnets`` caches the
    subnets read, across calls."""
    wanted_vpc = vpc_id or instance.get("vpc_id")
    subnets = {} if subnets is None else subnets
    for index, nic in enumerate(nics):
        subnet_id = nic["subnet_id"]
        if subnet_id not in subnets:
            with step("read subnet %s" % subnet_id):
                subnets[subnet_id] = get_subnet(client, subnet_id)
        subnet = subnets[subnet_id]
        where = "nics[%d]" % index
        if subnet is None:
            return "%s.subnet_id %s: no such subnet in this project" % (where, subnet_id)
        if subnet["vpc_id"] != wanted_vpc:
            return "%s.subnet_id %s belongs to VPC %s, not to VPC %s" % (
                where, subnet_id, subnet["vpc_id"], wanted_vpc)
        address = nic.get("ip_address")
        if address is None:
            continue
        network = ipaddress.ip_network(subnet["cidr"], strict=False)
        ip = ipaddress.ip_address(address)
        if ip not in network:
            return "%s.ip_address %s is outside subnet %s (%s)" % (where, address, subnet_id, subnet["cidr"])
        if ip in (network.network_address, network.broadcast_address):
            return "%s.ip_address %s is the %s address of subnet %s (%s)" % (
                where, address, "network" if ip == network.network_address else "broadcast", subnet_id,
                subnet["cidr"])
        if address == subnet.get("gateway_ip"):
            return "%s.ip_address %s is the gateway of subnet %s" % (where, address, subnet_id)
        holder = next((other for other in others if other.get("id") != instance["id"] and any(
            n.get("ipv4_address") == address and n.get("subnet_id") == subnet_id
            for n in other.get("network_interfaces") or [])), None)
        if holder is not None:
            return "%s.ip_address %s is already used in subnet %s by iMetal instance %s (%s)" % (
                where, address, subnet_id, holder.get("name"), holder.get("id"))
    return None


def nics_match(current, wanted):
    """Each position: the same subnet, and the same address where one is asked for."""
    if len(current or []) != len(wanted):
        return False
    for have, want in zip(current, wanted):
        if have.get("subnet_id") != want["subnet_id"]:
            return False
        if want.get("ip_address") and have.get("ipv4_address") != want["ip_address"]:
            return False
    return True


def is_converged(instance, vpc_id, nics):
    return (vpc_id is None or instance.get("vpc_id") == vpc_id) and nics_match(instance.get("network_interfaces"),
                                                                               nics)


def predict(instance, vpc_id, nics):
    """The instance as it will be after the change; addresses the cloud will allocate are None."""
    predicted = instance_summary(instance)
    predicted["vpc_id"] = vpc_id or instance.get("vpc_id")
    predicted["network_interfaces"] = [{"subnet_id": n["subnet_id"], "ipv4_address": n.get("ip_address")}
                                       for n in nics]
    return predicted


def change_refusal(instance):
    """Why the instance's state does not allow an IP change now, or None when it does.

    Allowed: running with no operation in progress, or a retry after a failed IP change.
    """
    state = instance.get("state")
    operation = instance.get("operation_state") or ""
    if operation.endswith("-processing"):
        return "an operation is in progress (state %s, operation_state %s)" % (state, operation)
    if state == "running" or operation == FAILED:
        return None
    return "it is not ready (state %s, operation_state %s); the IP can be changed when it is running, or to retry " \
        "after %s" % (state, operation or "none", FAILED)


# ---- shaping ----------------------------------------------------------------------------------------------------------

def state_differs(client, before):
    """Whether the instance reads otherwise than ``before`` (addressing, state or operation): ``changed`` after a
    wait that ended without the change. An instance that cannot be read is taken as changed (a change was sent)."""
    try:
        now = read_instance(client, before["id"])
    except HuaweiCloudError:
        return True
    keys = ("vpc_id", "state", "operation_state")
    return [now.get(k) for k in keys] != [before.get(k) for k in keys] or \
        instance_summary(now)["network_interfaces"] != instance_summary(before)["network_interfaces"]


def addressing(instance):
    """The part of an instance an IP change sets (what the diffs show)."""
    return {"vpc_id": instance.get("vpc_id"), "network_interfaces": instance.get("network_interfaces")}


def instance_summary(instance):
    return {"id": instance.get("id"), "name": instance.get("name"), "vpc_id": instance.get("vpc_id"),
            "network_interfaces": [{"subnet_id": n.get("subnet_id"), "ipv4_address": n.get("ipv4_address")}
                                   for n in instance.get("network_interfaces") or []],
            "state": instance.get("state"), "operation_state": instance.get("operation_state")}


def shape_instance(instance, physical_server=None):
    shaped = dict((key, instance.get(key)) for key in INSTANCE_FIELDS)
    shaped["network_interfaces"] = instance_summary(instance)["network_interfaces"]
    if physical_server is not None:
        shaped["physical_server"] = physical_server
    return shaped
