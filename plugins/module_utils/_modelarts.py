# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.infra contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection. Breaking changes can occur any time.

"""ModelArts Lite Server (dev-server) API calls and result shaping."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ..module_utils._client import match_id_or_name, pick_one
from ..module_utils._errors import HuaweiCloudError, IncompleteListingError, step, WaitTimeoutError
from ..module_utils._validate import ANY, looks_like_uuid, NO_BODY, Opt, validate_ref
from ..module_utils._fleet import wait_together
from ..module_utils._rules import BOUNDS
from ..module_utils._permissions import find as find_call
from ..module_utils._vpc import (EIP, EIPS, address_key, describe_holder, eip_label, eip_pair, get_eip, holder_device_id,
                                 is_free, list_device_eips, list_eips, resolve_eip, select_eip, wait_until_free)

# The project's servers, whoever created them (IAM action modelarts:devserver:list), and the caller's own
# (modelarts:devserver:listByUser): the fallback when the first is refused.
ALL_SERVERS = "/v1/{project_id}/dev-servers/all"
USER_SERVERS = "/v1/{project_id}/dev-servers"
SERVER = "/v1/{project_id}/dev-servers/{id}"
SERVER_EIPS = "/v1/{project_id}/dev-servers/{id}/publicips"
SERVER_EIP = "/v1/{project_id}/dev-servers/{id}/publicips/{eip}"
NOT_FOUND = "ModelArts.6404"
# The largest page the user listing allows.
PAGE_SIZE = BOUNDS["lite_server_page"].high
# A server in one of these states answers no EIP call.
GONE_STATUSES = ("DELETED",)

SERVER_FIELDS = ("id", "name", "status", "flavor", "category", "vpc_id", "subnet_id", "charging_mode",
                 "cloud_server", "endpoints", "image", "create_at", "update_at")
# The fields of a Lite Server the collection reads, and the answers of the EIP calls.
SERVER_SHAPE = {"id": str, "name": Opt(str), "status": str, "create_at": Opt(int), "update_at": Opt(int),
                "cloud_server": Opt({"id": Opt(str), "hps_ecs_id": Opt(str)}), "endpoints": Opt([ANY])}
EIPS_ANSWER = {"public_ips": [{"id": str, "address": Opt(str)}]}


def list_servers(client):
    """Every Lite Server of the project. When the tenant-wide listing is refused (403: the caller lacks
    modelarts:devserver:list), the caller's own servers, with a warning saying that others are not seen.

    The project listing has no paging parameters in the API's models; an answer holding fewer servers than its
    ``total`` is completed by paging it as the user listing pages (offset/limit), else by the user listing when
    it holds all of them; failing both, IncompleteListingError names the counts."""
    operation = "list the Lite Servers of the project"
    if not client.facts.get("user_listing_only"):
        try:
            body = client.get("modelarts", ALL_SERVERS, operation=operation,
                              expect={"data": [SERVER_SHAPE], "total": Opt(int)})
        except HuaweiCloudError as err:
            # Only the listing's own refusal: a refused project-id look-up (IAM, made first) is no refused listing.
            if err.status != 403 or "/dev-servers/all" not in (err.url or ""):
                raise
            client.facts["user_listing_only"] = True
            client.facts["project_listing_refusal"] = err
            client.warn("Listing every Lite Server of the project was refused (HTTP 403 %s, request id %s); only "
                        "the servers created by this user are seen. Grant modelarts:devserver:list to see the "
                        "others." % (err.code, err.request_id))
        else:
            total = body.get("total")
            if total is None or total <= len(body["data"]):
                return body["data"]
            return _complete_project_listing(client, operation, len(body["data"]), total)
    try:
        return _user_servers(client)
    except HuaweiCloudError as err:
        first = client.facts.get("project_listing_refusal")
        if err.status != 403 or first is None:
            raise
        # Both listings refused: the one to grant is the project's (the user's is only its fallback).
        raise first.reworded("%s; its fallback, the caller's own servers, was refused too (%s, request id %s)"
                             % (first.message, err.code, err.request_id))


def _user_servers(client):
    return list(client.paginate_offset("modelarts", USER_SERVERS, "data", SERVER_SHAPE, limit=PAGE_SIZE,
                                       operation="list the Lite Servers of this user"))


def _complete_project_listing(client, operation, first, total):
    """The project's servers when its listing's first answer held ``first`` of ``total``."""
    try:
        return list(client.paginate_offset("modelarts", ALL_SERVERS, "data", SERVER_SHAPE, limit=PAGE_SIZE,
                                           operation=operation))
    except HuaweiCloudError as err:
        if not (err.refusal or isinstance(err, IncompleteListingError)):
            raise
        paging = "paging it with offset and limit failed (%s)" % err
    try:
        own = _user_servers(client)
    except HuaweiCloudError as err:
        if not (err.refusal or isinstance(err, IncompleteListingError)):
            raise
        own, mine = [], "the user listing failed too (%s)" % err
    else:
        if len(own) >= total:
            return own
        mine = "the user listing holds %d of them" % len(own)
    raise IncompleteListingError.of(operation, first, total, "%s, and %s. Address Lite Servers by id (read "
                                    "directly), or ask the ModelArts service why its listing answers part of "
                                    "the project" % (paging, mine))


def get_server(client, server_id):
    return client.get("modelarts", SERVER, {"id": server_id}, operation="read Lite Server %s" % server_id,
                      expect=SERVER_SHAPE)


def find_servers(client, ref):
    """Lite Servers matching ``ref`` (the one with that id, else every one with that name), the API's not-found
    error when an id-shaped reference was read directly and is unknown, and the listing looked in (None when the
    id was read directly).

    An id-shaped reference is read directly (one call); anything else is looked up in the listing.
    """
    validate_ref(ref, "server", "lite_server_name")
    not_found = None
    if looks_like_uuid(ref):
        try:
            return [get_server(client, ref)], None, None
        except HuaweiCloudError as err:
            if err.code != NOT_FOUND:
                raise
            not_found = err
    listed = list_servers(client)
    return match_id_or_name(listed, ref), not_found, listed


def resolve_server(client, ref):
    """Exactly one Lite Server for an id or a unique name; otherwise an error naming the candidates."""
    matches, not_found, listed = find_servers(client, ref)
    if not matches and not_found is not None:
        raise not_found.reworded("no Lite Server with id or name %r in this project: %s" % (ref, not_found))
    return pick_one(matches, ref, "Lite Server", "status", listed or ())


def refused_for_server(err):
    """True when the list-EIPs call refused to answer for a server that exists: any 4xx but the unknown-server
    code, throttling and a refused permission (403: the credentials lack its action, which the caller is told).
    Its 'no EIP bound' answer is such an error with no documented code or text."""
    return err.refusal and err.status != 403 and err.code != NOT_FOUND


def server_device_ids(server):
    """The compute devices whose ports carry a Lite Server's EIPs: the ECS/BMS id and, for an HPS server, the
    sub-node's ECS id."""
    cloud_server = server.get("cloud_server") or {}
    return [d for d in (cloud_server.get("id"), cloud_server.get("hps_ecs_id")) if d]


def modelarts_eips(client, server):
    """The EIPs ModelArts lists for a Lite Server, as [{id, address}]; raises when it refuses to answer."""
    body = client.get("modelarts", SERVER_EIPS, {"id": server["id"]}, expect=EIPS_ANSWER,
                      operation="list the EIPs of Lite Server %s" % server["id"])
    return sorted(({"id": e["id"], "address": e.get("address")} for e in body["public_ips"]), key=_by_address)


def ask_modelarts(client, server):
    """ModelArts' list of a server's EIPs as ([{id, address}], None), or (None, its refusal) when it refuses to
    answer for this server (its 'no EIP bound' error, a server that is not A3); other errors raise."""
    try:
        return modelarts_eips(client, server), None
    except HuaweiCloudError as err:
        if not refused_for_server(err):
            raise
        return None, err


def list_server_eips(client, server, refusal=None):
    """The EIPs bound to a Lite Server, as [{id, address}].

    Asked of ModelArts first (unless ``refusal`` is its refusal already received); when it refuses, the bindings
    are established from the VPC EIP listing filtered by the server's devices."""
    if refusal is None:
        eips, refusal = ask_modelarts(client, server)
        if refusal is None:
            return eips
    if not server_device_ids(server):
        raise refusal
    eips = list_device_eips(client, server_device_ids(server),
                            "list the EIPs of Lite Server %s from the VPC EIP API" % server["id"])
    return sorted((eip_pair(e) for e in eips), key=_by_address)


def lists_eip(client, server, eip_id):
    """Whether ModelArts lists the EIP for the server; a refusal to answer lists nothing."""
    eips = ask_modelarts(client, server)[0]
    return eips is not None and match_binding(eips, eip_id) is not None


def bind_eip(client, server_id, eip_id):
    """POST the binding; the answer (its ``body`` lists the server's EIPs)."""
    return client.request("POST", "modelarts", SERVER_EIPS, {"id": server_id}, body={"public_ip_id": eip_id},
                          expect=EIPS_ANSWER, operation="bind EIP %s to Lite Server %s" % (eip_id, server_id))


def unbind_eip(client, server_id, eip_id):
    return client.request("DELETE", "modelarts", SERVER_EIP, {"id": server_id, "eip": eip_id}, expect=NO_BODY,
                          operation="unbind EIP %s from Lite Server %s" % (eip_id, server_id))


class LiveView(object):
    """What a plan reads, asked of the API when it is needed (one server: the fewest calls)."""

    def __init__(self, client):
        self.client = client
        self._servers = None
        self._eips = {}

    def servers(self):
        if self._servers is None:
            self._servers = list_servers(self.client)
        return self._servers

    def eip(self, ref):
        if ref not in self._eips:
            self._eips[ref] = resolve_eip(self.client, ref)
        return self._eips[ref]

    def bindings(self, server):
        return list_server_eips(self.client, server)


def eips_by_device(eips):
    """The EIPs grouped by the device of their port (``holder_device_id``)."""
    grouped = {}
    for eip in eips:
        grouped.setdefault(holder_device_id(eip), []).append(eip)
    return grouped


def server_eips(by_device, server):
    """The EIP records on a Lite Server's port devices, from ``eips_by_device``."""
    return [e for device in server_device_ids(server) for e in by_device.get(device, [])]


class Snapshot(object):
    """What a plan reads, from two bulk listings made once: every Lite Server and every EIP of the project (a
    fleet: the fewest calls). The EIPs a server holds are those on its port devices."""

    def __init__(self, client):
        self.client = client
        with step("list the Lite Servers of the project"):
            self._servers = list_servers(client)
        with step("list the EIPs of the project"):
            self.eips = list_eips(client)
        self.by_device = eips_by_device(self.eips)

    def servers(self):
        return self._servers

    def eip(self, ref):
        return select_eip(self.eips, ref)

    def bindings(self, server):
        return sorted((eip_pair(e) for e in server_eips(self.by_device, server)), key=_by_address)

    def server(self, ref):
        """Exactly one Lite Server for an id or a unique name; otherwise an error naming the candidates."""
        validate_ref(ref, "server", "lite_server_name")
        return pick_one(match_id_or_name(self._servers, ref), ref, "Lite Server", "status", self._servers)


def describe_eip_holders(client, eips):
    """{EIP id: holder} for the EIPs in use: the Lite Server on whose port device an EIP is (the project's servers
    are listed once, and only when an EIP has a device), else the EIP API's kind and id of what holds it."""
    bound = [e for e in eips if not is_free(e)]
    by_device = {}
    if any(holder_device_id(e) for e in bound):
        with step("list the Lite Servers of the project"):
            for server in list_servers(client):
                for device in server_device_ids(server):
                    by_device[device] = server
    holders = {}
    for eip in bound:
        server = by_device.get(holder_device_id(eip))
        if server is not None:
            holders[eip["id"]] = {"type": "lite_server", "id": server["id"], "name": server.get("name"),
                                  "description": "Lite Server %s" % server_label(server)}
        else:
            vnic = eip.get("vnic") or {}
            holders[eip["id"]] = {"type": eip.get("associate_instance_type") or None,
                                  "id": eip.get("associate_instance_id") or vnic.get("port_id") or eip.get("port_id"),
                                  "name": None, "description": describe_holder(eip)}
    return holders


def find_holder(view, eip, server):
    """The Lite Server whose port device holds an EIP (``vnic.device_id`` against each server's devices), or None."""
    device_id = holder_device_id(eip)
    if not device_id or eip.get("associate_instance_type") not in (None, "PORT"):
        return None
    if device_id in server_device_ids(server):
        return server
    with step("find the Lite Server holding EIP %s" % eip_label(eip)):
        candidates = [s for s in view.servers() if device_id in server_device_ids(s)]
    return candidates[0] if len(candidates) == 1 else None


def plan_task(view, server, bound, public_ip, state, exclusive, allow_rebind, wait_timeout):
    """The plan of one task on one server (the same rules for one server and for a fleet): the EIP it names, that
    EIP's record and holder when it must be moved, and the writes. Raises, before any write, when the task cannot
    be done. Returns {"eip", "holder", "plan", "writes", "releasing"}."""
    target, eip, holder, releasing = resolve_target(view, server, bound, public_ip, state, allow_rebind,
                                                    wait_timeout)
    plan = plan_bindings(state, bound, target, exclusive)
    writes = bool(plan["bind"] or plan["unbind"] or holder)
    if writes:
        check_preconditions(server, plan, eip, holder)
    return {"eip": eip, "holder": holder, "plan": plan, "writes": writes, "releasing": releasing}


def plan_free_bind(view, server, public_ip):
    """The plan of binding an EIP to a server without reading the server's other bindings, when that EIP reads
    free (then it is bound nowhere, and a bind that keeps the others needs no more to decide); None otherwise.
    The plan's ``after`` is left None: the bind's answer (or one read after it) tells the server's EIPs."""
    with step("bind EIP %s to Lite Server %s" % (public_ip, server_label(server))):
        eip = view.eip(public_ip)
    if not is_free(eip):
        return None
    plan = {"unbind": [], "bind": eip_pair(eip), "after": None}
    check_preconditions(server, plan, eip, None)
    return {"eip": eip, "holder": None, "plan": plan, "writes": True, "releasing": False}


# ``public_ip: auto``: any EIP for the server (kept, or the free one named after it, or a new one under that name).
AUTO = "auto"


def auto_eip_name(server):
    """The name of the EIP ``auto`` gives a server: its name in the characters EIP names allow, else its id."""
    name = re.sub(r"[^A-Za-z0-9_.-]", "-", server.get("name") or "")[:64].strip("-")
    return name or server["id"][:64]


def plan_auto(view, server, bound, allocating=()):
    """The plan of ``public_ip: auto`` on one server: nothing when it has an EIP; else binding the free EIP named
    after it; else allocating one under that name and binding it (the plan then says ``allocate``: the name, and
    ``named``: the ids of the EIPs that already have it, which a lost allocation answer must not be taken for).
    Two servers whose names map to the same EIP name cannot both allocate it."""
    if bound:
        return plan_task(view, server, bound, bound[0]["id"], "present", False, False, None)
    name = auto_eip_name(server)
    named = [e for e in view.eips if e.get("alias") == name]
    free = [e for e in named if is_free(e)]
    if free:
        return plan_task(view, server, bound, free[0]["id"], "present", False, False, None)
    if name in allocating:
        raise HuaweiCloudError("public_ip=auto: another server of this task gets an EIP named %s too" % name)
    plan = {"unbind": [], "bind": {"id": None, "address": None}, "after": []}
    check_preconditions(server, plan, None, None)
    plan["after"] = [plan["bind"]]
    return {"eip": None, "holder": None, "plan": plan, "writes": True, "releasing": False, "allocate": name,
            "named": [e["id"] for e in named]}


def resolve_target(view, server, bound, public_ip, state, allow_rebind, wait_timeout):
    """The EIP a task names as {id, address}, its EIP record when it must be bound, the Lite Server to take it
    from (``allow_rebind``), and whether it is still being released by the server that last held it (then it is
    waited for here up to ``wait_timeout``, or, when that is None, by the write); raises when the EIP cannot be bound
    here."""
    if public_ip is None:
        return None, None, None, False
    already = match_binding(bound, public_ip)
    if already:
        return already, None, None, False
    if state == "absent":
        # Not bound here: nothing to unbind, and no need to look the EIP up.
        return {"id": None, "address": public_ip}, None, None, False
    client = view.client
    with step("bind EIP %s to Lite Server %s" % (public_ip, server_label(server))):
        eip = view.eip(public_ip)
    if is_free(eip):
        return eip_pair(eip), eip, None, False
    holder = find_holder(view, eip, server)
    if holder is not None and holder["id"] == server["id"]:
        # The EIP API already shows this server; the ModelArts listing has not caught up yet.
        return eip_pair(eip), eip, None, False
    if holder is not None and holder.get("status") not in GONE_STATUSES:
        with step("bind EIP %s to Lite Server %s" % (eip_label(eip), server_label(server))):
            if not lists_eip(client, holder, eip["id"]):
                # Unbound from its last server, still being released (asynchronous): bind it once it reads free
                # (in check mode, without waiting: ``wait_timeout`` is None).
                if wait_timeout is None:
                    return eip_pair(eip), eip, None, True
                return eip_pair(eip), wait_until_free(client, eip["id"], wait_timeout, eip_label(eip)), None, False
    where = "Lite Server %s" % server_label(holder) if holder else describe_holder(eip)
    if holder is None or not allow_rebind:
        hint = " (set allow_rebind to move it)" if holder is not None else ""
        raise HuaweiCloudError("Cannot bind EIP %s to Lite Server %s: the EIP is in use by %s%s; nothing was changed"
                               % (eip_label(eip), server_label(server), where, hint))
    return eip_pair(eip), eip, holder, False


def check_preconditions(server, plan, eip, holder):
    """Raise unless every server the plan writes to is RUNNING (checked before the first write)."""
    if server.get("status") != "RUNNING":
        action = "bind EIP %s to" % eip_label(eip) if plan["bind"] else "unbind EIPs from"
        raise HuaweiCloudError("Cannot %s Lite Server %s: its status is %s, and EIPs can only be changed while it is "
                               "RUNNING; nothing was changed" % (action, server_label(server), server.get("status")))
    if holder is not None and holder.get("status") != "RUNNING":
        raise HuaweiCloudError("Cannot move EIP %s from Lite Server %s: its status is %s; nothing was changed"
                               % (eip_label(eip), server_label(holder), holder.get("status")))


class BindingChange(object):
    """Applies a plan's writes in order: unbind from the old holder, unbind the others, bind.

    All or nothing: when a write is finally refused, the writes already applied are undone in reverse order and the
    error says what was restored (or, when even that fails, exactly where each EIP is now). ``changed`` is true
    while any applied write stands. A write whose answer is lost is settled by re-reading (``Client.write``).
    """

    def __init__(self, client, server, wait_timeout):
        self.client = client
        self.server = server
        self.wait_timeout = wait_timeout
        self.request_ids = []
        self.applied = []
        # EIPs unbound by this change: releasing is asynchronous, so binding one again waits until it reads free.
        self.released = set()
        # The server's EIPs as the answer of the last bind listed them (a first read-back at no cost), or None.
        self.listed = None

    @property
    def changed(self):
        return bool(self.applied)

    def apply(self, plan, holder=None, eip=None, releasing=False):
        self._can_read_eips(plan, eip)
        if plan["bind"] and releasing:
            # Planned while its last server was still releasing it: bind it once it reads free.
            self.released.add(plan["bind"]["id"])
        steps = [(holder, eip_pair(eip), False)] if holder else []
        steps += [(self.server, entry, False) for entry in plan["unbind"]]
        if plan["bind"]:
            steps.append((self.server, plan["bind"], True))
        for server, entry, bind in steps:
            try:
                self._write(server, entry, bind)
            except HuaweiCloudError as err:
                raise self._rolled_back(err)

    def _can_read_eips(self, plan, eip):
        """Read one EIP of the change by id, and the server's EIPs from the EIP listing, before the first write,
        unless this run already read them so: the writes are confirmed (and a moved EIP waited for) by such reads,
        so credentials that may not read EIPs (vpc:publicIps:get, vpc:publicIps:list) stop the task here, before
        anything is changed, not half-way through a move."""
        granted = self.client.permissions_granted
        first = eip or plan["bind"] or (plan["unbind"] or [None])[0]
        devices = server_device_ids(self.server)
        if first is not None and first.get("id") and find_call("GET", "vpc", EIP) not in granted:
            self.client.allowed(lambda: get_eip(self.client, first["id"]))
        if devices and find_call("GET", "vpc", EIPS) not in granted:
            # The EIP listing by device (vpc:publicIps:list), which the confirmation reads.
            self.client.allowed(lambda: list_device_eips(self.client, devices, "list the EIPs of Lite Server %s "
                                                         "from the VPC EIP API" % self.server["id"]))

    def _write(self, server, entry, bind, undo=False):
        call = bind_eip if bind else unbind_eip
        label = "%s EIP %s %s Lite Server %s" % ("bind" if bind else "unbind", _entry_label(entry),
                                                 "to" if bind else "from", server_label(server))

        def took_effect():
            # ModelArts' own list is the authority on its writes (the VPC view still shows an EIP being released).
            return lists_eip(self.client, server, entry["id"]) == bind

        with step(label):
            if bind and entry["id"] in self.released:
                devices = server_device_ids(server)
                try:
                    eip = wait_until_free(self.client, entry["id"], self.wait_timeout, _entry_label(entry), devices)
                except WaitTimeoutError as err:
                    raise self._unbinds_not_applied(entry, err)
                if not undo and holder_device_id(eip) in devices:
                    self.client.warn("EIP %s was bound to Lite Server %s by another writer while this run waited for "
                                     "its release, so nothing was left to do and nothing was changed by this run"
                                     % (_entry_label(entry), server_label(server)))
                    return
            written = self.client.write(lambda: self._sent(call(self.client, server["id"], entry["id"]), server),
                                        took_effect)
        if written.request_id:
            self.request_ids.append(written.request_id)
        if not bind:
            self.released.add(entry["id"])
        if undo:
            self.applied.pop()
        elif written.ours:
            # Only this run's writes make the change (and are undone by a roll-back): one the cloud refused as done
            # already is another's.
            self.applied.append((server, entry, bind))

    def _unbinds_not_applied(self, entry, err):
        """An EIP that never read free after its unbind was answered: an unbind its holder still lists was not
        applied (its answer said nothing), so it is neither counted as a change nor rolled back."""
        still_bound = []
        for server, other, bind in self.applied:
            if bind or other["id"] != entry["id"]:
                continue
            try:
                if lists_eip(self.client, server, other["id"]):
                    still_bound.append(server["id"])
            except HuaweiCloudError:
                continue
        if not still_bound:
            return err
        self.applied = [(s, e, b) for s, e, b in self.applied
                        if b or e["id"] != entry["id"] or s["id"] not in still_bound]
        self.released.discard(entry["id"])
        return err.reworded("%s; the unbind from Lite Server %s was answered but not applied (ModelArts still "
                            "lists the EIP there), so nothing was changed" % (err.message, ", ".join(still_bound)))

    def _sent(self, resp, server):
        self.listed = None
        if server is self.server and isinstance(resp.body, dict) and resp.body.get("public_ips") is not None:
            self.listed = sorted(({"id": e["id"], "address": e.get("address")} for e in resp.body["public_ips"]),
                                 key=_by_address)
        return resp.request_id

    def _rolled_back(self, err):
        if not self.applied:
            return err
        restored = []
        while self.applied:
            server, entry, bind = self.applied[-1]
            try:
                self._write(server, entry, not bind, undo=True)
            except HuaweiCloudError as undo_err:
                where = "; ".join("EIP %s is %s Lite Server %s" % (
                    _entry_label(e), "bound to" if b else "unbound from", server_label(s)) for s, e, b in self.applied)
                return err.reworded("%s. Rolling back failed (%s): %s" % (err.message, undo_err.message, where))
            restored.append("EIP %s is %s Lite Server %s again" % (
                _entry_label(entry), "not bound to" if bind else "bound to", server_label(server)))
        return err.reworded("%s. The change was rolled back: %s" % (err.message, "; ".join(restored)))


def bindings_differ(client, server, before, moved=None):
    """Whether the server's EIPs (and a moved EIP's holder) read otherwise than before the task; unreadable:
    taken as changed."""
    try:
        now = list_server_eips(client, server)
        if sorted(e["id"] for e in now) != sorted(e["id"] for e in before):
            return True
        if moved is not None:
            return holder_device_id(get_eip(client, moved["id"])) != holder_device_id(moved)
    except HuaweiCloudError:
        return True
    return False


def wait_for_bindings(client, server, plan, timeout, listed=None):
    """Poll until the server's EIPs read back as planned and the changed EIPs report ACTIVE (bound) or DOWN.

    ``listed``: the server's EIPs as the last write's answer gave them, taken as the first read."""
    wanted = sorted(e["id"] for e in plan["after"])
    bound_ids = set(wanted)
    changed_eips = [e["id"] for e in plan["unbind"]] + ([plan["bind"]["id"]] if plan["bind"] else [])
    first = [listed]

    def fetch():
        public_ips = first.pop() if first and first[0] is not None else list_server_eips(client, server)
        del first[:]
        state = {"public_ips": public_ips, "eip_status": {}}
        if sorted(e["id"] for e in state["public_ips"]) == wanted:
            for eip_id in changed_eips:
                state["eip_status"][eip_id] = get_eip(client, eip_id).get("status")
        return state

    def done(state):
        if sorted(e["id"] for e in state["public_ips"]) != wanted:
            return False
        return all(status == ("ACTIVE" if eip_id in bound_ids else "DOWN")
                   for eip_id, status in state["eip_status"].items())

    with step("wait for the EIP change on Lite Server %s" % server_label(server)):
        final = client.wait_for(fetch, done, timeout, "the EIPs of Lite Server %s to read back as %s"
                                % (server_label(server), [e["address"] for e in plan["after"]]))
    return final["public_ips"]


# Every this many rounds of a fleet wait, a server the EIP listing does not show as planned is asked of ModelArts.
CONFIRM_EVERY = 3


def _confirmed_by_modelarts(client, server, wanted):
    """Whether ModelArts' own list of the server's EIPs is exactly ``wanted`` (ids): the other listing, for a
    binding the EIP listing does not show (for example without the port's device)."""
    eips, refusal = ask_modelarts(client, server)
    return refusal is None and set(e["id"] for e in eips) == wanted


def wait_for_fleet(client, changes, timeout):
    """One polling loop for the EIP changes of many servers: each round is one listing of the project's EIPs; a
    server is done when the EIPs on its devices are the planned ones and each changed EIP reads ACTIVE (bound) or
    DOWN (unbound). ``changes`` is a list of (server, {"after": wanted [{id, address}], "changed": EIP ids}).
    Returns {server id: the EIPs read back}; raises WaitTimeoutError naming the servers still pending."""
    pending = dict((server["id"], (server, plan)) for server, plan in changes)
    done = {}

    rounds = [0]

    def fetch():
        return list_eips(client)

    def finished(eips):
        rounds[0] += 1
        by_id = dict((e["id"], e) for e in eips)
        by_device = eips_by_device(eips)
        for server_id, (server, plan) in list(pending.items()):
            mine = dict((e["id"], e) for e in server_eips(by_device, server))
            wanted = set(e["id"] for e in plan["after"])
            if set(mine) != wanted:
                if rounds[0] % CONFIRM_EVERY == 0 and _confirmed_by_modelarts(client, server, wanted):
                    done[server_id] = sorted((eip_pair(by_id.get(i) or {"id": i}) for i in wanted), key=_by_address)
                    del pending[server_id]
                continue
            if all((by_id.get(i) or {}).get("status") == ("ACTIVE" if i in wanted else "DOWN")
                   for i in plan["changed"]):
                done[server_id] = sorted((eip_pair(mine[i]) for i in wanted), key=_by_address)
                del pending[server_id]

    return wait_together(client, pending, fetch, finished, timeout,
                         "the EIPs of %d Lite Server(s) to read back as planned" % len(pending),
                         lambda value: server_label(value[0]), done)


def binding_spec():
    """The options of one binding task (modelarts_devserver_eip, and each item of modelarts_devserver_eip_batch)."""
    return dict(
        server=dict(type="str", required=True),
        public_ip=dict(type="str"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        allow_rebind=dict(type="bool", default=False),
        exclusive=dict(type="bool", default=False),
    )


def server_label(server):
    return "%s (%s)" % (server.get("name"), server.get("id"))


def _entry_label(entry):
    return entry.get("address") or entry.get("id")


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


def sorted_bindings(entries):
    """{id, address} entries in the order results list them (by address)."""
    return sorted(entries, key=_by_address)


def _by_address(entry):
    return (address_key(entry.get("address")), entry.get("id") or "")
