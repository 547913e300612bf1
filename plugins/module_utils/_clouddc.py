# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.infra contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection. Breaking changes can occur any time.

"""Cloud Data Center iMetal API calls, IP-change planning and result shaping."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ..module_utils._client import (NO_BODY, HuaweiCloudError, Opt, looks_like_uuid, match_id_or_name, pick_one,
                                    step, validate_id, validate_ipv4, validate_ref)

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
# Long id lists are read in chunks of this many ids, so that no query string grows without bound.
IDS_PER_QUERY = 50

# The fields the collection reads from each answer.
INSTANCE_SHAPE = {"id": str, "name": Opt(str), "vpc_id": Opt(str), "state": Opt(str), "operation_state": Opt(str),
                  "network_interfaces": Opt([{"subnet_id": str, "ipv4_address": Opt(str)}])}
STATUS_SHAPE = {"state": str, "operation_state": Opt(str),
                "error": Opt({"error_code": Opt(str), "error_msg": Opt(str)})}
PHYSICAL_SERVER_SHAPE = {"id": str, "power_state": Opt(str), "manage_state": Opt(str)}

INSTANCE_FIELDS = ("id", "name", "vpc_id", "network_interfaces", "state", "operation_state", "server_id", "image",
                   "tags", "metadata", "description", "created_at", "updated_at", "error")


# ---- reads ------------------------------------------------------------------------------------------------------------

def list_instances(client, ids=None, state=None):
    """Every instance, or those with the given ids and/or state (marker paging handled)."""
    query = {"instance_state": state}
    if not ids:
        return list(client.paginate_marker("clouddc", INSTANCES, "instances", INSTANCE_SHAPE, query=query, limit=100,
                                           operation="list iMetal instances"))
    found = []
    for start in range(0, len(ids), IDS_PER_QUERY):
        chunk = ids[start:start + IDS_PER_QUERY]
        found.extend(client.paginate_marker("clouddc", INSTANCES, "instances", INSTANCE_SHAPE, limit=100,
                                            query=dict(query, instance_id=",".join(chunk)),
                                            operation="read iMetal instances %s" % ", ".join(chunk)))
    return found


def find_instances(client, ref):
    """Instances matching ``ref``: the one with that id, else every one with that name."""
    validate_ref(ref, "instance")
    if looks_like_uuid(ref):
        found = [i for i in list_instances(client, ids=[ref]) if i.get("id") == ref]
        if found:
            return found
    return match_id_or_name(list_instances(client), ref)


def resolve_instance(client, ref):
    return pick_one(find_instances(client, ref), ref, "iMetal instance", "state")


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


def change_failure(status, request_id=None):
    error = status.get("error") or {}
    return HuaweiCloudError("the change ended in %s: %s: %s" % (FAILED, error.get("error_code"), error.get("error_msg")),
                            code=error.get("error_code"), error_message=error.get("error_msg"), request_id=request_id)


class IpChange(object):
    """One IP change of one instance: sent once, settled by re-reading when its answer is lost, waited for and
    verified against what was asked (not against the module's own prediction)."""

    def __init__(self, client, instance, vpc_id, nics, wait_timeout):
        self.client = client
        self.instance = instance
        self.vpc_id = vpc_id
        self.nics = nics
        self.wait_timeout = wait_timeout
        self.label = "%s (%s)" % (instance.get("name"), instance["id"])
        self.request_id = None
        self.sent = False

    def apply(self):
        """Send the change; True once the cloud accepted it (or a re-read shows it applied)."""
        with step("change the IP addresses of iMetal instance %s" % self.label):
            self.request_id = self.client.write(
                lambda: change_ip(self.client, self.instance["id"], self.vpc_id, self.nics), self._took_effect)
        self.sent = True

    def _took_effect(self):
        """After a lost answer: a change in progress is not proof that it is ours. Wait for it to end, then compare
        the addresses with what was asked."""
        status = get_status(self.client, self.instance["id"])
        if status.get("operation_state") == PROCESSING:
            status = self.client.wait_for(
                lambda: get_status(self.client, self.instance["id"]),
                lambda s: s.get("operation_state") != PROCESSING, self.wait_timeout,
                "the IP change in progress on iMetal instance %s to end" % self.label)
            if status.get("operation_state") == FAILED:
                # A change that ran right after ours was sent and failed: it is taken as ours, never re-sent.
                raise change_failure(status)
        instance = read_instance(self.client, self.instance["id"])
        return is_converged(instance, self.vpc_id, self.nics) \
            and instance.get("operation_state") != PROCESSING

    def wait(self):
        """Poll the status until the change ends; verify by re-reading the instance; return its summary."""
        seen = {}

        def fetch():
            status = get_status(self.client, self.instance["id"])
            seen["instance"] = None
            if status.get("operation_state") == SUCCEEDED:
                seen["instance"] = read_instance(self.client, self.instance["id"])
            return status

        def done(status):
            operation = status.get("operation_state")
            if operation == FAILED:
                raise change_failure(status, self.request_id)
            if operation == SUCCEEDED:
                # A status left over from an earlier change is not taken for this one: the addresses must match,
                # and no operation may still be running on the instance.
                instance = seen["instance"]
                return is_converged(instance, self.vpc_id, self.nics) and instance.get("operation_state") == SUCCEEDED
            return False

        with step("change the IP addresses of iMetal instance %s" % self.label):
            self.client.wait_for(fetch, done, self.wait_timeout,
                                 "the IP change of iMetal instance %s to succeed with the wanted addresses"
                                 % self.label)
        return instance_summary(seen["instance"])


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
        address = nic.get("ip_address") or None
        if address is not None:
            address = validate_ipv4(address, "nics[%d].ip_address" % index)
            if address in seen:
                raise HuaweiCloudError("nics[%d] and nics[%d] both ask for %s" % (seen[address], index, address))
            seen[address] = index
        normalised.append({"subnet_id": subnet_id, "ip_address": address})
    return normalised


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
