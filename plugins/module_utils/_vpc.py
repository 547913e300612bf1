# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.infra contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection. Breaking changes can occur any time.

"""VPC EIPs: resolve an EIP id or address, tell who holds it, wait for its release; allocate and release EIPs."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re

from ..module_utils._errors import HuaweiCloudError
from ..module_utils._validate import is_eip_id, NO_BODY, Opt, validate_ipv4
from ..module_utils._rules import BOUNDS, RULES

EIP = "/v3/{project_id}/eip/publicips/{id}"
EIPS = "/v3/{project_id}/eip/publicips"
# Allocation and release are v1 calls (the SDK's CreatePublicip, DeletePublicip).
EIPS_V1 = "/v1/{project_id}/publicips"
EIP_V1 = "/v1/{project_id}/publicips/{id}"
SUBNET = "/v1/{project_id}/subnets/{id}"
BANDWIDTH = "/v1/{project_id}/bandwidths/{id}"
SUBNET_NOT_FOUND = 404

# The fields of an EIP (v3) the collection reads.
EIP_SHAPE = {"id": str, "status": str, "public_ip_address": Opt(str), "port_id": Opt(str), "alias": Opt(str),
             "type": Opt(str), "publicip_pool_name": Opt(str), "created_at": Opt(str), "updated_at": Opt(str),
             "bandwidth": Opt({"id": Opt(str), "name": Opt(str), "size": Opt(int), "share_type": Opt(str),
                               "charge_mode": Opt(str)}),
             "associate_instance_type": Opt(str), "associate_instance_id": Opt(str),
             "vnic": Opt({"port_id": Opt(str), "device_id": Opt(str), "instance_id": Opt(str),
                          "instance_type": Opt(str), "private_ip_address": Opt(str)})}


BANDWIDTH_SHAPE = {"id": str, "name": Opt(str), "size": int, "share_type": str, "charge_mode": Opt(str)}


def get_bandwidth(client, bandwidth_id):
    """A bandwidth (ShowBandwidth: {id, name, size, share_type, charge_mode, ...})."""
    return client.get("vpc", BANDWIDTH, {"id": bandwidth_id}, operation="read bandwidth %s" % bandwidth_id,
                      expect={"bandwidth": BANDWIDTH_SHAPE})["bandwidth"]


SUBNET_SHAPE = {"id": str, "cidr": str, "gateway_ip": Opt(str), "vpc_id": str, "name": Opt(str)}


def get_subnet(client, subnet_id):
    """A VPC subnet ({id, cidr, gateway_ip, vpc_id, ...}), or None when the project has no such subnet."""
    try:
        return client.get("vpc", SUBNET, {"id": subnet_id}, operation="read subnet %s" % subnet_id,
                          expect={"subnet": SUBNET_SHAPE})["subnet"]
    except HuaweiCloudError as err:
        if err.status == SUBNET_NOT_FOUND:
            return None
        raise


def address_key(address):
    """Sort key of an address: IPv4 addresses in numeric order (203.0.113.14 before 203.0.113.130), then anything
    else as text, then none."""
    try:
        return (0, int(ipaddress.IPv4Address(address)), "")
    except (ipaddress.AddressValueError, ValueError, TypeError):
        return (1, 0, address) if address else (2, 0, "")


def is_ipv4(value):
    try:
        ipaddress.IPv4Address(value)
    except (ipaddress.AddressValueError, ValueError):
        return False
    return True


def validate_eip_ref(value, what="public_ip"):
    """An EIP reference is a usable IPv4 address or an EIP id (a lower-case UUID); nothing else is sent."""
    if isinstance(value, str) and is_ipv4(value):
        return validate_ipv4(value, what)
    if is_eip_id(value):
        return value
    raise HuaweiCloudError("%s %s is neither a valid IPv4 address nor an EIP id (a UUID such as "
                           "6a1f0c3e-8d2b-4e5f-9c7a-1b3d5e7f9a2c)" % (what, repr(value)[:80]))


def get_eip(client, eip_id):
    return client.get("vpc", EIP, {"id": eip_id}, operation="read EIP %s" % eip_id,
                      expect={"publicip": EIP_SHAPE})["publicip"]


# The largest page of the EIP v3 listing.
EIP_PAGE = BOUNDS["eip_page"].high


def list_eips(client, query=None, operation="list the EIPs of the project"):
    """Every EIP of the project (v3, marker paging in the largest pages), optionally filtered by the listing's own
    query parameters (for example ``{"alias": name}``)."""
    return list(eip_pages(client, query, operation))


def eip_pages(client, query, operation):
    """The EIPs the v3 listing answers for ``query``, read to the end (its ``total_count`` checked)."""
    return client.paginate_marker("vpc", EIPS, "publicips", EIP_SHAPE, query=query, limit=EIP_PAGE,
                                  operation=operation, total_key="total_count")


def select_eip(eips, ref):
    """The one EIP of ``eips`` with that address (or id); a clear error when there is none or several."""
    key = "public_ip_address" if is_ipv4(ref) else "id"
    found = [e for e in eips if e.get(key) == ref]
    if not found:
        raise HuaweiCloudError("no EIP with %s %s in this project" % ("address" if key != "id" else "id", ref))
    if len(found) > 1:
        raise HuaweiCloudError("address %s matches several EIPs: %s" % (ref, ", ".join(e["id"] for e in found)))
    return found[0]


def resolve_eip(client, ref):
    """The EIP record (v3) for an id or an IPv4 address; a clear error when there is none."""
    if is_ipv4(ref):
        return select_eip(eip_pages(client, {"public_ip_address": ref}, "look up EIP %s" % ref), ref)
    try:
        return get_eip(client, ref)
    except HuaweiCloudError as err:
        if err.status == 404:
            raise err.reworded("no EIP with id %s in this project: %s" % (ref, err))
        raise


def is_free(eip):
    return eip.get("status") == "DOWN" and not eip.get("port_id") and not eip.get("associate_instance_id") \
        and not (eip.get("vnic") or {}).get("port_id")


def wait_until_free(client, eip_id, timeout, label, or_on=()):
    """Poll an EIP until it reads free (released by its last holder), or bound to one of the devices ``or_on`` (the
    binding another writer made meanwhile is the one wanted); WaitTimeoutError after ``timeout``."""
    return client.wait_for(lambda: get_eip(client, eip_id),
                           lambda eip: is_free(eip) or (bool(or_on) and holder_device_id(eip) in or_on), timeout,
                           "EIP %s to be released (status DOWN, no port)" % label, interval=0.5)


def holder_device_id(eip):
    """The device (ECS/BMS id) of the port an EIP is bound to, when the EIP API tells it.

    ``vnic.instance_id`` is not a server: it names an owning service's instance (an RDS or ELB id) and is empty
    for a server's port."""
    return (eip.get("vnic") or {}).get("device_id") or None


def list_device_eips(client, device_ids, operation):
    """The EIPs whose port belongs to one of ``device_ids`` (one filtered listing), as EIP records."""
    wanted = sorted(set(device_ids))
    found = eip_pages(client, {"vnic.device_id": wanted}, operation)
    return [e for e in found if holder_device_id(e) in wanted]


def describe_holder(eip):
    vnic = eip.get("vnic") or {}
    if not (eip.get("associate_instance_id") or vnic.get("port_id") or eip.get("port_id")):
        return "no resource, but its status is %s, not DOWN" % eip.get("status")
    kind = eip.get("associate_instance_type") or "resource"
    first = eip.get("associate_instance_id") or vnic.get("port_id") or eip.get("port_id") or "?"
    parts = ["%s %s" % (kind, first)]
    shown = set([first])
    for label, value in (("device", holder_device_id(eip)),
                         ("%s instance" % (vnic.get("instance_type") or "service"), vnic.get("instance_id"))):
        if value and value not in shown:
            parts.append("%s %s" % (label, value))
            shown.add(value)
    return ", ".join(parts) + " (EIP status %s)" % eip.get("status")


def eip_pair(eip):
    return {"id": eip.get("id"), "address": eip.get("public_ip_address")}


def eip_label(eip):
    if not eip:
        return "?"
    return "%s (%s)" % (eip.get("public_ip_address"), eip.get("id"))


# An EIP type: the region's line names (5_bgp, 5_sbgp, 5_telcom, ...).
_TYPE = re.compile(r"^[0-9a-z_]{1,32}$")
# Statuses of an EIP that is still being created or deleted.
PENDING_STATUSES = ("PENDING_CREATE", "PENDING_DELETE", "NOTIFYING", "NOTIFY_DELETE", "PENDING_UPDATE")
CREATE_ANSWER = {"publicip": {"id": str, "status": Opt(str), "public_ip_address": Opt(str), "alias": Opt(str)}}


def validate_eip_name(value, what="name", rule="eip_name"):
    """An EIP's (or, with ``rule`` bandwidth_name, a bandwidth's) name as the create request's model has it."""
    kind = RULES[rule]
    if not kind.allows(value):
        raise HuaweiCloudError("%s %s is not a valid %s name (%s)" % (
            what, repr(value)[:80], "EIP" if rule == "eip_name" else "bandwidth", kind.words))
    return value


def validate_eip_type(value, what="type"):
    if not isinstance(value, str) or not _TYPE.fullmatch(value):
        raise HuaweiCloudError("%s %s is not a valid EIP type (for example 5_bgp)" % (what, repr(value)[:80]))
    return value


def eips_named(client, name):
    """The project's EIPs whose name (alias) is ``name``."""
    return [e for e in list_eips(client, {"alias": name}, "look up the EIPs named %s" % name)
            if e.get("alias") == name]


def allocate_eip(client, name, eip_type, bandwidth, named=()):
    """Allocate an EIP named ``name`` with its own bandwidth ({name, size, charge_mode}) or on a shared one ({id});
    returns its record as the answer gives it, and what Client.write did. A lost answer is settled by looking the name up: an EIP of that name
    that is not one of ``named`` (the ids that had the name before) is the new one."""
    if bandwidth.get("id"):
        shared = {"id": bandwidth["id"], "share_type": "WHOLE"}
    else:
        shared = {"name": bandwidth["name"], "size": bandwidth["size"], "share_type": "PER",
                  "charge_mode": bandwidth["charge_mode"]}
    body = {"publicip": {"type": eip_type, "ip_version": 4, "alias": name}, "bandwidth": shared}
    created = {}

    def send():
        resp = client.request("POST", "vpc", EIPS_V1, body=body, expect=CREATE_ANSWER,
                              operation="allocate EIP %s" % name)
        created["eip"] = resp.body["publicip"]
        return resp.request_id

    def took_effect():
        found = [e for e in eips_named(client, name) if e["id"] not in named]
        if found:
            created["eip"] = found[0]
        return bool(found)

    written = client.write(send, took_effect)
    return created["eip"], written


def release_eip(client, eip):
    """Release (delete) an EIP; a lost answer is settled by reading it (gone or PENDING_DELETE: released). Returns
    what Client.write did."""
    def send():
        return client.request("DELETE", "vpc", EIP_V1, {"id": eip["id"]}, expect=NO_BODY,
                              operation="release EIP %s" % eip_label(eip)).request_id

    def took_effect():
        return eip_gone(client, eip["id"])

    return client.write(send, took_effect)


def eip_gone(client, eip_id):
    """Whether an EIP no longer exists (or is being deleted)."""
    try:
        return get_eip(client, eip_id).get("status") == "PENDING_DELETE"
    except HuaweiCloudError as err:
        if err.status == 404:
            return True
        raise


def listed_eip(client, eip_id):
    """An EIP as the listing (filtered by its id) shows it, or None while it is not listed: a new EIP is read so,
    so that allocating needs the listing (vpc:publicIps:list) and not the read by id."""
    found = [e for e in eip_pages(client, {"id": [eip_id]}, "read EIP %s from the EIP listing" % eip_id)
             if e.get("id") == eip_id]
    return found[0] if found else None


def wait_until_ready(client, eip_id, timeout, label):
    """Poll a new EIP until it is listed and no longer being created (status DOWN)."""
    return client.wait_for(lambda: listed_eip(client, eip_id),
                           lambda e: e is not None and e.get("status") not in PENDING_STATUSES,
                           timeout, "EIP %s to be created" % label, interval=0.5)


def wait_until_gone(client, eip_id, timeout, label):
    """Poll a released EIP until the project no longer has it."""
    def absent():
        try:
            get_eip(client, eip_id)
        except HuaweiCloudError as err:
            if err.status == 404:
                return True
            raise
        return False

    client.wait_for(absent, bool, timeout, "EIP %s to be released" % label, interval=0.5)


def eip_line(eip):
    """The EIP's line (5_bgp, 5_sbgp, ...): v3 reads carry it as publicip_pool_name (their ``type`` is the kind,
    EIP or DUALSTACK); v1 reads as ``type``."""
    if eip.get("publicip_pool_name"):
        return eip["publicip_pool_name"]
    return eip.get("type") if eip.get("type") not in ("EIP", "DUALSTACK") else None


def shape_eip(eip, holder=None):
    """An EIP as the modules return it."""
    bandwidth = eip.get("bandwidth") or {}
    vnic = eip.get("vnic") or {}
    return {"id": eip.get("id"), "address": eip.get("public_ip_address"), "name": eip.get("alias"),
            "status": eip.get("status"), "type": eip_line(eip),
            "bandwidth": {"id": bandwidth.get("id"), "name": bandwidth.get("name"), "size": bandwidth.get("size"),
                          "share_type": bandwidth.get("share_type"), "charge_mode": bandwidth.get("charge_mode")},
            "port_id": vnic.get("port_id") or eip.get("port_id"),
            "private_ip_address": vnic.get("private_ip_address"),
            "device_id": holder_device_id(eip), "free": is_free(eip), "holder": holder,
            "created_at": eip.get("created_at"), "updated_at": eip.get("updated_at")}
