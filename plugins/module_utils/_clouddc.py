# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.infra contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection. Breaking changes can occur any time.

"""Cloud Data Center iMetal API calls, IP-change planning and result shaping."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

from ..module_utils._client import HuaweiCloudError, looks_like_uuid, match_id_or_name, pick_one, validate_id

INSTANCES = "/v1/{project_id}/instances"
INSTANCE_STATUS = "/v1/{project_id}/instances/{id}/status"
INSTANCE_IP = "/v1/{project_id}/instances/{id}/ip"
PHYSICAL_SERVER = "/v1/{project_id}/physicalservers/{id}"

PROCESSING = "modify-ip-processing"
SUCCEEDED = "modify-ip-succeed"
FAILED = "modify-ip-failed"
MAX_NICS = 2
# Long id lists are read in chunks of this many ids, so that no query string grows without bound.
IDS_PER_QUERY = 50

INSTANCE_FIELDS = ("id", "name", "vpc_id", "network_interfaces", "state", "operation_state", "server_id", "image",
                   "tags", "metadata", "description", "created_at", "updated_at", "error")


# ---- reads ------------------------------------------------------------------------------------------------------------

def list_instances(client, ids=None, state=None):
    """Every instance, or those with the given ids and/or state (marker paging handled)."""
    query = {"instance_state": state}
    if not ids:
        return list(client.paginate_marker("clouddc", INSTANCES, "instances", query=query, limit=100,
                                           operation="list iMetal instances"))
    found = []
    for start in range(0, len(ids), IDS_PER_QUERY):
        chunk = ids[start:start + IDS_PER_QUERY]
        found.extend(client.paginate_marker("clouddc", INSTANCES, "instances", limit=100,
                                            query=dict(query, instance_id=",".join(chunk)),
                                            operation="read iMetal instances %s" % ", ".join(chunk)))
    return found


def find_instances(client, ref):
    """Instances matching ``ref``: the one with that id, else every one with that name."""
    validate_id(ref, "instance")
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
    return client.get("clouddc", INSTANCE_STATUS, {"id": instance_id},
                      operation="read the status of iMetal instance %s" % instance_id) or {}


def get_physical_server(client, server_id):
    return client.get("clouddc", PHYSICAL_SERVER, {"id": server_id},
                      operation="read physical server %s" % server_id) or {}


# ---- writes -----------------------------------------------------------------------------------------------------------

def change_ip(client, instance_id, vpc_id, nics):
    body = {"nics": [dict((k, v) for k, v in (("subnet_id", n["subnet_id"]), ("ip_address", n.get("ip_address")))
                          if v) for n in nics]}
    if vpc_id:
        body["vpc_id"] = vpc_id
    resp = client.request("PUT", "clouddc", INSTANCE_IP, {"id": instance_id}, body=body,
                          operation="change the IP addresses of iMetal instance %s" % instance_id)
    return resp.request_id


# ---- validation and planning ------------------------------------------------------------------------------------------

def validate_nics(nics):
    """Check the wanted NICs before any request: 1-2 items, ids well-formed, IPv4 syntax, no duplicate address."""
    if not nics or len(nics) > MAX_NICS:
        raise HuaweiCloudError("nics must list 1 or %d network interfaces (the first is the primary), got %d"
                               % (MAX_NICS, len(nics or [])))
    seen = {}
    normalised = []
    for index, nic in enumerate(nics):
        subnet_id = validate_id(nic.get("subnet_id"), "nics[%d].subnet_id" % index)
        address = nic.get("ip_address") or None
        if address is not None:
            try:
                address = str(ipaddress.IPv4Address(address))
            except (ipaddress.AddressValueError, ValueError):
                raise HuaweiCloudError("nics[%d].ip_address %r is not an IPv4 address" % (index, nic.get("ip_address")))
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
