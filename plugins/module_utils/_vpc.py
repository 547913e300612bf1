# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.infra contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection. Breaking changes can occur any time.

"""VPC EIP look-ups: resolve an EIP id or address, tell who holds it, wait for its release."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

from ..module_utils._client import HuaweiCloudError, Opt, is_eip_id, validate_ipv4

EIP = "/v3/{project_id}/eip/publicips/{id}"
EIPS = "/v3/{project_id}/eip/publicips"
SUBNET = "/v1/{project_id}/subnets/{id}"
SUBNET_NOT_FOUND = 404

# The fields of an EIP (v3) the collection reads.
EIP_SHAPE = {"id": str, "status": str, "public_ip_address": Opt(str), "port_id": Opt(str),
             "associate_instance_type": Opt(str), "associate_instance_id": Opt(str),
             "vnic": Opt({"port_id": Opt(str), "device_id": Opt(str), "instance_id": Opt(str),
                          "instance_type": Opt(str)})}


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
EIP_PAGE = 2000


def list_eips(client):
    """Every EIP of the project (v3, marker paging in the largest pages)."""
    return list(client.paginate_marker("vpc", EIPS, "publicips", EIP_SHAPE, limit=EIP_PAGE,
                                       operation="list the EIPs of the project"))


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
        return select_eip(client.paginate_marker("vpc", EIPS, "publicips", EIP_SHAPE,
                                                 query={"public_ip_address": ref},
                                                 operation="look up EIP %s" % ref), ref)
    try:
        return get_eip(client, ref)
    except HuaweiCloudError as err:
        if err.status == 404:
            raise err.reworded("no EIP with id %s in this project: %s" % (ref, err))
        raise


def is_free(eip):
    return eip.get("status") == "DOWN" and not eip.get("port_id") and not eip.get("associate_instance_id") \
        and not (eip.get("vnic") or {}).get("port_id")


def wait_until_free(client, eip_id, timeout, label):
    """Poll an EIP until it reads free (released by its last holder); WaitTimeoutError after ``timeout``."""
    return client.wait_for(lambda: get_eip(client, eip_id), is_free, timeout,
                           "EIP %s to be released (status DOWN, no port)" % label, interval=0.5)


def holder_device_id(eip):
    """The device (ECS/BMS id) of the port an EIP is bound to, when the EIP API tells it.

    ``vnic.instance_id`` is not a server: it names an owning service's instance (an RDS or ELB id) and is empty
    for a server's port."""
    return (eip.get("vnic") or {}).get("device_id") or None


def list_device_eips(client, device_ids, operation):
    """The EIPs whose port belongs to one of ``device_ids`` (one filtered listing), as EIP records."""
    wanted = sorted(set(device_ids))
    found = client.paginate_marker("vpc", EIPS, "publicips", EIP_SHAPE, query={"vnic.device_id": wanted},
                                   operation=operation)
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
