# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.infra contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection. Breaking changes can occur any time.

"""ModelArts Lite Server (dev-server) API calls and result shaping."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ..module_utils._client import HuaweiCloudError, looks_like_uuid, match_id_or_name, pick_one, validate_id

SERVERS = "/v1/{project_id}/dev-servers"
SERVER = "/v1/{project_id}/dev-servers/{id}"
SERVER_EIPS = "/v1/{project_id}/dev-servers/{id}/publicips"
SERVER_EIP = "/v1/{project_id}/dev-servers/{id}/publicips/{eip}"
NOT_FOUND = "ModelArts.6404"
_NOTHING_BOUND = re.compile(r"no (eip|public ?ip)|(eip|public ?ip|publicip)s? (is |are )?not (found|bound|exist)"
                            r"|not bound", re.IGNORECASE)

SERVER_FIELDS = ("id", "name", "status", "flavor", "category", "vpc_id", "subnet_id", "charging_mode",
                 "cloud_server", "endpoints", "image", "create_at", "update_at")


def list_servers(client):
    return list(client.paginate_offset("modelarts", SERVERS, "data", limit=100, operation="list Lite Servers"))


def get_server(client, server_id):
    return client.get("modelarts", SERVER, {"id": server_id}, operation="read Lite Server %s" % server_id)


def find_servers(client, ref):
    """Lite Servers matching ``ref`` (the one with that id, else every one with that name), and the API's
    not-found error when an id-shaped reference was read directly and is unknown.

    An id-shaped reference is read directly (one call); anything else is looked up in the listing.
    """
    validate_id(ref, "server")
    not_found = None
    if looks_like_uuid(ref):
        try:
            return [get_server(client, ref)], None
        except HuaweiCloudError as err:
            if err.code != NOT_FOUND:
                raise
            not_found = err
    return match_id_or_name(list_servers(client), ref), not_found


def resolve_server(client, ref):
    """Exactly one Lite Server for an id or a unique name; otherwise an error naming the candidates."""
    matches, not_found = find_servers(client, ref)
    if not matches and not_found is not None:
        raise not_found.reworded("no Lite Server with id or name %r in this project: %s" % (ref, not_found))
    return pick_one(matches, ref, "Lite Server", "status")


def nothing_bound_error(err):
    """True for the documented error answer of the list-EIPs call when no EIP is bound (the server exists)."""
    if err.status not in (400, 404):
        return False
    return err.code == NOT_FOUND or bool(_NOTHING_BOUND.search(err.error_message or ""))


def list_server_eips(client, server_id):
    """The EIPs bound to a Lite Server, as [{id, address}]; an empty list or the 'none bound' error mean none."""
    try:
        body = client.get("modelarts", SERVER_EIPS, {"id": server_id},
                          operation="list the EIPs of Lite Server %s" % server_id)
    except HuaweiCloudError as err:
        if nothing_bound_error(err):
            return []
        raise
    return sorted(({"id": e.get("id"), "address": e.get("address")} for e in (body or {}).get("public_ips") or []),
                  key=_by_address)


def bind_eip(client, server_id, eip_id):
    resp = client.request("POST", "modelarts", SERVER_EIPS, {"id": server_id}, body={"public_ip_id": eip_id},
                          operation="bind EIP %s to Lite Server %s" % (eip_id, server_id))
    return resp.request_id


def unbind_eip(client, server_id, eip_id):
    resp = client.request("DELETE", "modelarts", SERVER_EIP, {"id": server_id, "eip": eip_id},
                          operation="unbind EIP %s from Lite Server %s" % (eip_id, server_id))
    return resp.request_id


def server_summary(server):
    return {"id": server.get("id"), "name": server.get("name"), "status": server.get("status"),
            "cloud_server_id": (server.get("cloud_server") or {}).get("id")}


def shape_server(server, public_ips=None):
    shaped = dict((key, server.get(key)) for key in SERVER_FIELDS)
    shaped["image"] = shaped["image"] or server.get("server_image_response")
    shaped["cloud_server_id"] = (server.get("cloud_server") or {}).get("id")
    if public_ips is not None:
        shaped["public_ips"] = public_ips
    return shaped


def match_binding(bound, ref):
    """The entry of ``bound`` whose id or address is ``ref``, or None."""
    return next((e for e in bound if ref in (e.get("id"), e.get("address"))), None)


def plan_bindings(state, bound, target=None, exclusive=False):
    """What to unbind and bind so the server's EIPs become what is wanted, and the predicted result.

    ``bound`` lists the current {id, address} bindings; ``target`` is the EIP named by the task ({id, address}),
    or None for ``absent`` without one. Returns {"unbind": [...], "bind": target or None, "after": [...]}.
    """
    if state == "present":
        keep = [] if exclusive else [e for e in bound if e["id"] != target["id"]]
        unbind = [e for e in bound if e["id"] != target["id"]] if exclusive else []
        bind = None if match_binding(bound, target["id"]) else target
        after = keep + [target]
    else:
        unbind = [e for e in bound if target is None or e["id"] == target["id"]]
        bind = None
        after = [e for e in bound if e not in unbind]
    return {"unbind": sorted(unbind, key=_by_address), "bind": bind, "after": sorted(after, key=_by_address)}


def _by_address(entry):
    return (entry.get("address") or "", entry.get("id") or "")
