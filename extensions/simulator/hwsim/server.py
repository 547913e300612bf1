"""HTTP front of the simulator: routing, gateway checks (auth, rate limit, faults), request log, admin API."""

import ipaddress
import json
import re
import socket
import uuid
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from .auth import AuthError, format_time, verify_aksk, verify_token
from . import fleet, iam, identity
from .state import attach_eip

ADMIN_PREFIX = "/__sim__"
# The admin API's version: what stays compatible is in the collection's support policy.
ADMIN_API_VERSION = 1
SECRET_FIELDS = ("password", "secret_key", "security_token", "id_token", "token")


class ApiError(Exception):
    def __init__(self, status, code, message, shape="standard"):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.shape = shape

    def body(self):
        if self.shape == "iam":
            return {"error": {"code": self.status, "message": self.message, "title": _TITLES.get(self.status, "Error")}}
        if self.shape == "vpc_v1":
            return {"code": self.code, "message": self.message}
        return {"error_code": self.code, "error_msg": self.message}


_TITLES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found"}


class RawBody:
    """A body sent exactly as given (an injected non-JSON or wrong-shaped answer)."""

    def __init__(self, text, content_type):
        self.text = text
        self.content_type = content_type


class Reply:
    def __init__(self, status=200, body=None, headers=None):
        self.status = status
        self.body = body
        self.headers = headers or {}


# ------------------------------------------------------------------------------------------------------------------
# Handlers. Each takes (sim, ctx, **path groups) and returns a Reply or raises ApiError.
# ------------------------------------------------------------------------------------------------------------------

def _now_text(st):
    return st.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")


def _now_precise(st):
    """A time stamp with milliseconds (iMetal updates: two changes in one second must differ)."""
    return st.clock.now().strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _now_ms(st):
    """ModelArts times are epoch milliseconds (SDK type int)."""
    return int(st.clock.time() * 1000)


def _authorize(sim, ctx, handler, service, groups):
    """Refuse the call as the service does when the caller's IAM policies (hwsim/iam.py) do not allow it, or when an
    action it needs is in the ``denied_actions`` knob."""
    needed = iam.required(handler, groups, ctx["json"] if isinstance(ctx["json"], dict) else None,
                          sim.state.config)
    principal = ctx.get("principal")
    if needed is None or principal is None:
        return
    denied = [a for actions in needed.values() for a in actions if a in sim.state.config["denied_actions"]]
    policies = sim.state.policies.get(principal.get("user_id"))
    action = denied[0] if denied else (iam.refused_action(policies, needed) if policies is not None else None)
    if action is not None:
        status, code, message = iam.refusal(service, action, sim.state.config)
        raise ApiError(status, code, message, shape="iam" if code is None else "standard")


def _public(record):
    return {k: v for k, v in record.items() if not k.startswith("sim_")}


def _one(query, name, default=None):
    values = query.get(name)
    return values[0] if values else default


def _int_arg(query, name, default, low, high):
    raw = _one(query, name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, "APIG.0201", "Invalid parameter %s" % name)
    if value < low or value > high:
        raise ApiError(400, "APIG.0201", "Invalid parameter %s: %s" % (name, raw))
    return value


# ---- IAM ----------------------------------------------------------------------------------------------------------

def iam_tokens(sim, ctx):
    try:
        auth = ctx["json"]["auth"]
        identity = auth["identity"]
        if identity.get("methods") != ["password"]:
            raise KeyError("methods")
        user = identity["password"]["user"]
        name, password, domain_name = user["name"], user["password"], user["domain"]["name"]
    except (KeyError, TypeError):
        raise ApiError(400, "400", "The request body is invalid.", shape="iam")
    st = sim.state
    record = next((u for u in st.users if u["name"] == name and u["domain"] == domain_name), None)
    if record is None or record["password"] != password:
        raise ApiError(401, "401", "The username or password is wrong.", shape="iam")
    domain = st.domain_by_name(domain_name)
    scope = (auth.get("scope") or {}).get("project") or {}
    project = None
    for candidate in st.projects:
        if candidate["domain_id"] != domain["id"]:
            continue
        if scope.get("id") == candidate["id"] or (scope.get("name") and scope.get("name") == candidate["name"]):
            project = candidate
    if project is None:
        raise ApiError(401, "401", "The project in the scope does not exist or is not accessible.", shape="iam")
    token = "MII" + uuid.uuid4().hex + uuid.uuid4().hex
    expires = st.clock.now() + timedelta(seconds=st.config["token_ttl_seconds"])
    with st.lock:
        st.tokens[token] = {"token": token, "project_id": project["id"], "domain_id": domain["id"],
                            "expires_at": format_time(expires), "user_id": record.get("id")}
    body = {"token": {"expires_at": format_time(expires), "issued_at": format_time(st.clock.now()),
                      "methods": ["password"], "catalog": [],
                      "project": {"id": project["id"], "name": project["name"],
                                  "domain": {"id": domain["id"], "name": domain["name"]}},
                      "user": {"name": name, "domain": {"id": domain["id"], "name": domain["name"]}}}}
    return Reply(201, body, {"X-Subject-Token": token})


def iam_projects(sim, ctx):
    name = _one(ctx["query"], "name")
    domain_id = ctx["principal"]["domain_id"]
    projects = [p for p in sim.state.projects if p["domain_id"] == domain_id and (name is None or p["name"] == name)]
    out = [{"id": p["id"], "name": p["name"], "domain_id": p["domain_id"], "enabled": True,
            "is_domain": False, "parent_id": p["domain_id"]} for p in projects]
    return Reply(200, {"projects": out, "links": {"self": "/v3/projects"}})


# ---- ModelArts Lite Servers ---------------------------------------------------------------------------------------

def _owned(records, record_id, ctx, project_field, error):
    """The record with that id if it belongs to the request's project, else raise ``error``."""
    record = records.get(record_id)
    if record is None or record.get(project_field) != ctx["project_id"]:
        raise error
    return record


def _server(sim, ctx, server_id):
    return _owned(sim.state.dev_servers, server_id, ctx, "sim_project_id",
                  ApiError(400, "ModelArts.6404", "LiteServer instance '%s' not found." % server_id))


def _eip(sim, ctx, eip_id, error):
    return _owned(sim.state.publicips, eip_id, ctx, "tenant_id", error)


def _bound_eips(sim, server_id):
    return sorted((e for e in sim.state.publicips.values() if e.get("sim_bound_server") == server_id),
                  key=lambda e: e["id"])


def _project_servers(sim, ctx):
    return [s for s in sim.state.dev_servers.values() if s["sim_project_id"] == ctx["project_id"]]


def ma_list(sim, ctx):
    """The calling user's servers ("Obtaining All DevServer Instances of a User"), offset paged."""
    query = ctx["query"]
    limit = _int_arg(query, "limit", 10, 0, 1024) or 10
    offset = _int_arg(query, "offset", 0, 0, 2147483647)
    sort_key = _one(query, "sort_key", "createTime")
    if sort_key not in ("createTime", "updateTime"):
        raise ApiError(400, "ModelArts.6401", "Invalid sort_key %s" % sort_key)
    sort_dir = _one(query, "sort_dir", "ASC")
    if sort_dir not in ("ASC", "DESC"):
        raise ApiError(400, "ModelArts.6401", "Invalid sort_dir %s" % sort_dir)
    owner = _one(query, "owner") or ctx["principal"].get("user_id")
    field = "create_at" if sort_key == "createTime" else "update_at"
    servers = [s for s in _project_servers(sim, ctx) if s.get("sim_owner") == owner]
    servers.sort(key=lambda s: (s.get(field) or 0, s["id"]), reverse=sort_dir == "DESC")
    cap = sim.state.config["modelarts_page_cap"]
    page = servers[offset:offset + (min(limit, cap) if cap else limit)]
    return Reply(200, {"current": offset // limit + 1, "data": [_public(s) for s in page],
                       "pages": (len(servers) + limit - 1) // limit, "size": len(page), "total": len(servers)})


def ma_list_all(sim, ctx):
    """Every server of the project, whoever owns it: one answer (the call has no paging parameters), or, with
    ``modelarts_all_page_cap``, a first page whose ``total`` counts all, paged as ``modelarts_all_paging`` says."""
    servers = sorted(_project_servers(sim, ctx), key=lambda s: (s.get("create_at") or 0, s["id"]))
    config = sim.state.config
    cap = int(config["modelarts_all_page_cap"])
    query = ctx["query"]
    paging = config["modelarts_all_paging"]
    asked = [name for name in ("limit", "offset") if name in query]
    if asked and (not cap or paging == "refuse"):
        raise ApiError(400, "APIG.0201", "Unknown query parameter %s." % asked[0])
    if not cap:
        return Reply(200, {"current": 1, "data": [_public(s) for s in servers], "pages": 1, "size": len(servers),
                           "total": len(servers)})
    limit, offset = cap, 0
    if paging == "offset":
        limit = min(_int_arg(query, "limit", cap, 0, 1024) or cap, cap)
        offset = _int_arg(query, "offset", 0, 0, 2147483647)
    page = servers[offset:offset + limit]
    return Reply(200, {"current": offset // limit + 1, "data": [_public(s) for s in page],
                       "pages": (len(servers) + limit - 1) // limit, "size": len(page), "total": len(servers)})


def ma_show(sim, ctx, server_id):
    return Reply(200, _public(_server(sim, ctx, server_id)))


def ma_action(sim, ctx, server_id, action):
    server = _server(sim, ctx, server_id)
    allowed = {"start": ("STOPPED", "START_FAILED"), "stop": ("RUNNING", "STOP_FAILED"),
               "reboot": ("RUNNING", "REBOOT_FAILED")}
    if action not in allowed:
        raise ApiError(404, "APIG.0101", "The API does not exist or has not been published in the environment.")
    if server["status"] not in allowed[action]:
        raise ApiError(400, "ModelArts.6408", "LiteServer instance '%s' in status %s does not support %s."
                       % (server_id, server["status"], action))
    with sim.state.lock:
        server["status"] = "STOPPED" if action == "stop" else "RUNNING"
        server["update_at"] = _now_ms(sim.state)
    return Reply(200, _public(server))


def _eip_pairs(eips):
    return [{"id": e["id"], "address": e["public_ip_address"]} for e in eips]


def _a3_only(server, server_id, what):
    """The EIP calls of a Lite Server are "Only for A3"; a deleted server answers none of them."""
    if server["status"] == "DELETED":
        raise ApiError(400, "ModelArts.6408", "LiteServer instance '%s' in status DELETED does not support %s."
                       % (server_id, what))
    if not server.get("sim_a3", True):
        raise ApiError(400, "ModelArts.6411", "LiteServer instance '%s' is not an A3 server; %s is only supported "
                       "for A3." % (server_id, what))


def ma_list_eips(sim, ctx, server_id):
    server = _server(sim, ctx, server_id)
    _a3_only(server, server_id, "listing EIPs")
    eips = _bound_eips(sim, server_id)
    config = sim.state.config
    if not eips and config["list_eips_when_empty"] == "error":
        error = config["list_eips_empty_error"]
        raise ApiError(int(error["status"]), error["code"], error["message"])
    return Reply(200, {"public_ips": _eip_pairs(eips)})


def ma_bind_eip(sim, ctx, server_id):
    st = sim.state
    with st.lock:
        server = _server(sim, ctx, server_id)
        body = ctx["json"] if isinstance(ctx["json"], dict) else {}
        eip_id = body.get("public_ip_id")
        if not isinstance(eip_id, str) or not 1 <= len(eip_id) <= 64:
            raise ApiError(400, "ModelArts.6400", "Invalid request: public_ip_id is required.")
        _a3_only(server, server_id, "binding an EIP")
        if server["status"] != "RUNNING":
            raise ApiError(400, "ModelArts.6408", "LiteServer instance '%s' in status %s does not support "
                           "binding an EIP." % (server_id, server["status"]))
        eip = _eip(sim, ctx, eip_id, ApiError(400, "ModelArts.6410", "EIP '%s' not found." % eip_id))
        if eip.get("sim_bound_server") == server_id:
            raise ApiError(400, "ModelArts.6409", "EIP '%s' is already bound to this LiteServer." % eip_id)
        _still_releasing(st, eip)
        if eip["status"] != "DOWN" or eip.get("port_id") or eip.get("associate_instance_id"):
            raise ApiError(400, "ModelArts.6409", "EIP '%s' is already used by another resource." % eip_id)
        attach_eip(eip, server, st.new_id(), _now_text(st))
        if st.config["eip_settle_reads"]:
            st.settling[eip_id] = {"reads": st.config["eip_settle_reads"], "shown_status": "BINDING"}
        return Reply(200, {"public_ips": _eip_pairs(_bound_eips(sim, server_id))})


def ma_unbind_eip(sim, ctx, server_id, eip_id):
    st = sim.state
    with st.lock:
        server = _server(sim, ctx, server_id)
        _a3_only(server, server_id, "unbinding an EIP")
        eip = _eip(sim, ctx, eip_id, ApiError(400, "ModelArts.6410", "EIP '%s' not found." % eip_id))
        if eip.get("sim_bound_server") != server_id:
            raise ApiError(400, "ModelArts.6412", "EIP '%s' is not bound to LiteServer instance '%s'."
                           % (eip_id, server_id))
        config = st.config
        if config["eip_release_reads"] or config["eip_release_seconds"]:
            # The server no longer lists it, but the EIP stays in use with its old port until released.
            eip["sim_bound_server"] = None
            eip["status"] = config["eip_release_status"]
            eip["sim_releasing"] = {"reads": int(config["eip_release_reads"]),
                                    "until": st.clock.monotonic() + float(config["eip_release_seconds"])}
            return Reply(200, None)
        _release_eip(st, eip)
        if st.config["eip_settle_reads"]:
            st.settling[eip_id] = {"reads": st.config["eip_settle_reads"], "shown_status": "ACTIVE"}
        return Reply(200, None)


def _release_eip(st, eip):
    eip.update({"status": "DOWN", "port_id": None, "private_ip_address": None, "associate_instance_type": None,
                "associate_instance_id": None, "vnic": None, "sim_bound_server": None, "updated_at": _now_text(st),
                "sim_releasing": None})


def _still_releasing(st, eip, read=False):
    """Finish a release whose reads and seconds are used up; raise 'in use' while it is still going on.

    ``read``: a VPC read of the EIP, which counts against the release's reads instead of raising."""
    releasing = eip.get("sim_releasing")
    if not releasing:
        return False
    if releasing["reads"] <= 0 and st.clock.monotonic() >= releasing["until"]:
        _release_eip(st, eip)
        return False
    if read:
        releasing["reads"] -= 1
        return True
    raise ApiError(400, "ModelArts.6409", "EIP '%s' is already used by another resource." % eip["id"])


# ---- VPC EIPs -----------------------------------------------------------------------------------------------------

def _vnic_view(sim, eip):
    """The port an EIP is on, as the EIP API shows it: without its device (the server) when
    ``eip_vnic_device_shown`` is false, as an API that does not fill ``vnic.device_id`` would."""
    vnic = eip.get("vnic")
    if vnic and not sim.state.config["eip_vnic_device_shown"]:
        vnic = dict(vnic, device_id="")
    return vnic


def _eip_view(sim, eip, version):
    st = sim.state
    with st.lock:
        _still_releasing(st, eip, read=True)
        status = eip["status"]
        settling = st.settling.get(eip["id"])
        if settling:
            status = settling["shown_status"]
            settling["reads"] -= 1
            if settling["reads"] <= 0:
                del st.settling[eip["id"]]
                if settling.get("then") == "delete":
                    st.publicips.pop(eip["id"], None)
    base = {"id": eip["id"], "status": status, "public_ip_address": eip["public_ip_address"],
            "ip_version": 4, "created_at": eip.get("created_at"), "updated_at": eip.get("updated_at")}
    if version == "v1":
        base.update({"type": eip.get("type", "5_bgp"), "port_id": eip.get("port_id"),
                     "private_ip_address": eip.get("private_ip_address"), "tenant_id": eip["tenant_id"],
                     "bandwidth_id": eip.get("bandwidth_id"), "bandwidth_size": eip.get("bandwidth_size", 5),
                     "bandwidth_share_type": eip.get("bandwidth_share_type", "PER"),
                     "bandwidth_name": eip.get("bandwidth_name"), "alias": eip.get("alias"),
                     "create_time": eip.get("created_at")})
    else:
        base.update({"project_id": eip["tenant_id"], "alias": eip.get("alias"),
                     "associate_instance_type": eip.get("associate_instance_type"),
                     "associate_instance_id": eip.get("associate_instance_id"), "vnic": _vnic_view(sim, eip),
                     "bandwidth": {"id": eip.get("bandwidth_id"), "size": eip.get("bandwidth_size", 5),
                                   "share_type": eip.get("bandwidth_share_type", "PER"),
                                   "name": eip.get("bandwidth_name"),
                                   "charge_mode": eip.get("bandwidth_charge_mode", "bandwidth")},
                     "public_border_group": "center", "type": "EIP",
                     # The EIP's line (CreatePublicipOption.type of the v1 allocation).
                     "publicip_pool_name": eip.get("type", "5_bgp")})
    return base


def _project_eips(sim, ctx, query):
    eips = sorted((e for e in sim.state.publicips.values() if e["tenant_id"] == ctx["project_id"]),
                  key=lambda e: e["id"])
    addresses = query.get("public_ip_address")
    if addresses:
        eips = [e for e in eips if e["public_ip_address"] in addresses]
    ids = query.get("id")
    if ids:
        eips = [e for e in eips if e["id"] in ids]
    ports = query.get("port_id")
    if ports:
        eips = [e for e in eips if e.get("port_id") in ports]
    for name, read in (("vnic.device_id", lambda e: (_vnic_view(sim, e) or {}).get("device_id")),
                       ("vnic.port_id", lambda e: (e.get("vnic") or {}).get("port_id")),
                       ("vnic.instance_id", lambda e: (e.get("vnic") or {}).get("instance_id")),
                       ("status", lambda e: e.get("status")),
                       ("alias", lambda e: e.get("alias")),
                       ("associate_instance_type", lambda e: e.get("associate_instance_type")),
                       ("associate_instance_id", lambda e: e.get("associate_instance_id"))):
        wanted = query.get(name)
        if wanted:
            eips = [e for e in eips if read(e) in wanted]
    return eips


def _after_marker(items, query):
    marker = _one(query, "marker")
    return [i for i in items if i["id"] > marker] if marker else items


def vpc_v1_list(sim, ctx):
    query = ctx["query"]
    limit = _int_arg(query, "limit", 2000, 1, 2000)
    eips = _after_marker(_project_eips(sim, ctx, query), query)[:limit]
    return Reply(200, {"publicips": [_eip_view(sim, e, "v1") for e in eips]})


def vpc_v1_show(sim, ctx, eip_id):
    eip = _eip(sim, ctx, eip_id, ApiError(404, "VPC.0504", "Could not find floatingip %s" % eip_id, shape="vpc_v1"))
    return Reply(200, {"publicip": _eip_view(sim, eip, "v1")})


def vpc_v3_list(sim, ctx):
    query = ctx["query"]
    limit = _int_arg(query, "limit", 2000, 1, 2000)
    limit = min(limit, sim.state.config["eip_page_cap"] or limit)
    # total_count counts every EIP the query matches; the page starts after the marker.
    matching = _project_eips(sim, ctx, query)
    rest = _after_marker(matching, query)
    eips = rest[:limit]
    next_marker = eips[-1]["id"] if len(rest) > limit else None
    return Reply(200, {"publicips": [_eip_view(sim, e, "v3") for e in eips], "request_id": ctx["request_id"],
                       "page_info": {"previous_marker": eips[0]["id"] if eips else None,
                                     "current_count": len(eips), "next_marker": next_marker},
                       "total_count": len(matching)})


def vpc_v3_show(sim, ctx, eip_id):
    eip = _eip(sim, ctx, eip_id, ApiError(404, "EIP.7802", "The EIP %s does not exist." % eip_id))
    return Reply(200, {"publicip": _eip_view(sim, eip, "v3"), "request_id": ctx["request_id"]})


def vpc_bandwidth_show(sim, ctx, bandwidth_id):
    """GET /v1/{project_id}/bandwidths/{bandwidth_id} (ShowBandwidth): a shared bandwidth of the seed, or the own
    (PER) bandwidth of an EIP."""
    st = sim.state
    shared = next((b for b in st.bandwidths.values() if b["id"] == bandwidth_id), None)
    if shared is not None:
        record = {"id": shared["id"], "name": shared["name"], "size": shared["size"], "share_type": "WHOLE",
                  "charge_mode": shared.get("charge_mode", "bandwidth")}
    else:
        eip = next((e for e in st.publicips.values() if e.get("bandwidth_id") == bandwidth_id
                    and e["tenant_id"] == ctx["project_id"]), None)
        if eip is None:
            raise ApiError(404, "VPC.0501", "Bandwidth %s could not be found." % bandwidth_id, shape="vpc_v1")
        record = {"id": bandwidth_id, "name": eip.get("bandwidth_name"), "size": eip.get("bandwidth_size", 5),
                  "share_type": eip.get("bandwidth_share_type", "PER"),
                  "charge_mode": eip.get("bandwidth_charge_mode", "bandwidth")}
    holders = [e for e in st.publicips.values() if e.get("bandwidth_id") == bandwidth_id]
    record.update({"tenant_id": ctx["project_id"], "bandwidth_type": "bgp", "status": "NORMAL",
                   "billing_info": "", "publicip_info": [
                       {"publicip_id": e["id"], "publicip_address": e.get("public_ip_address"), "ip_version": 4,
                        "publicip_type": e.get("type", "5_bgp")} for e in holders]})
    return Reply(200, {"bandwidth": record})


# EIP types a region offers (the SDK's CreatePublicipOption.type; the set depends on the region).
EIP_TYPES = ("5_bgp", "5_sbgp")
_EIP_NAME = re.compile(r"^[\w\-.\u4e00-\u9fa5]{1,64}$")


def _new_eip_bandwidth(st, ctx, bandwidth):
    """The bandwidth fields of a new EIP: its own (PER: name, size 1-2000, charge mode) or a shared bandwidth of
    the project (WHOLE: its id; the SDK ignores name and size then)."""
    share_type = bandwidth.get("share_type")
    if share_type == "WHOLE":
        shared = next((b for b in st.bandwidths.values() if b["id"] == bandwidth.get("id")
                       and b["tenant_id"] == ctx["project_id"]), None)
        if shared is None:
            raise ApiError(404, "VPC.0501", "Bandwidth %s could not be found." % bandwidth.get("id"), shape="vpc_v1")
        return {"bandwidth_id": shared["id"], "bandwidth_name": shared["name"], "bandwidth_size": shared["size"],
                "bandwidth_share_type": "WHOLE", "bandwidth_charge_mode": shared.get("charge_mode", "bandwidth")}
    if share_type != "PER":
        raise ApiError(400, "VPC.0101", "Invalid bandwidth share_type %r: PER, or WHOLE with the id of a shared "
                       "bandwidth." % share_type, shape="vpc_v1")
    size, name = bandwidth.get("size"), bandwidth.get("name")
    if not isinstance(size, int) or not 1 <= size <= 2000:
        raise ApiError(400, "VPC.0101", "Invalid bandwidth size %r (1 to 2000 Mbit/s)." % (size,), shape="vpc_v1")
    if not isinstance(name, str) or not _EIP_NAME.match(name):
        raise ApiError(400, "VPC.0101", "Invalid bandwidth name.", shape="vpc_v1")
    if bandwidth.get("charge_mode") not in (None, "", "bandwidth", "traffic"):
        raise ApiError(400, "VPC.0101", "Invalid bandwidth charge_mode.", shape="vpc_v1")
    return {"bandwidth_id": st.new_id(), "bandwidth_name": name, "bandwidth_size": size,
            "bandwidth_share_type": "PER", "bandwidth_charge_mode": bandwidth.get("charge_mode") or "bandwidth"}


def vpc_create_eip(sim, ctx):
    """POST /v1/{project_id}/publicips (CreatePublicip): a new EIP with its own (PER) bandwidth or on a shared
    (WHOLE) one. The EIP reads PENDING_CREATE for ``eip_create_reads`` VPC reads, then DOWN."""
    st = sim.state
    body = ctx["json"]
    publicip, bandwidth = body.get("publicip"), body.get("bandwidth")
    if not isinstance(publicip, dict) or not isinstance(bandwidth, dict):
        raise ApiError(400, "VPC.0101", "publicip and bandwidth are required.", shape="vpc_v1")
    if publicip.get("type") not in EIP_TYPES:
        raise ApiError(400, "VPC.0101", "Invalid publicip type %r: this region offers %s."
                       % (publicip.get("type"), ", ".join(EIP_TYPES)), shape="vpc_v1")
    if publicip.get("ip_version") not in (None, 4):
        raise ApiError(400, "VPC.0101", "Only IPv4 EIPs are offered here.", shape="vpc_v1")
    alias = publicip.get("alias")
    if alias is not None and not _EIP_NAME.match(alias):
        raise ApiError(400, "VPC.0101", "Invalid publicip alias.", shape="vpc_v1")
    with st.lock:
        fields = _new_eip_bandwidth(st, ctx, bandwidth)
        mine = [e for e in st.publicips.values() if e["tenant_id"] == ctx["project_id"]]
        if len(mine) >= int(st.config["eip_quota"]):
            raise ApiError(409, "VPC.0513", "Quota exceeded for resources: ['floatingip'].", shape="vpc_v1")
        used = set(e["public_ip_address"] for e in st.publicips.values())
        pool = ipaddress.ip_network(st.config["eip_pool"])
        address = next((str(a) for a in pool.hosts() if str(a) not in used), None)
        if address is None:
            raise ApiError(409, "VPC.0504", "No EIP left in the pool.", shape="vpc_v1")
        eip_id, now = st.new_id(), _now_text(st)
        eip = {"id": eip_id, "alias": alias, "public_ip_address": address, "status": "DOWN", "type": publicip["type"],
               "tenant_id": ctx["project_id"], "port_id": None, "private_ip_address": None,
               "associate_instance_type": None, "associate_instance_id": None, "vnic": None,
               "sim_bound_server": None, "created_at": now, "updated_at": now}
        eip.update(fields)
        st.publicips[eip_id] = eip
        status = "DOWN"
        if st.config["eip_create_reads"]:
            st.settling[eip_id] = {"reads": int(st.config["eip_create_reads"]), "shown_status": "PENDING_CREATE"}
            status = "PENDING_CREATE"
        return Reply(200, {"publicip": {"id": eip_id, "status": status, "type": eip["type"],
                                        "public_ip_address": address, "ip_version": 4,
                                        "tenant_id": ctx["project_id"], "create_time": now,
                                        "bandwidth_size": fields["bandwidth_size"],
                                        "alias": alias, "enterprise_project_id": "0"}})


def vpc_delete_eip(sim, ctx, eip_id):
    """DELETE /v1/{project_id}/publicips/{id} (DeletePublicip): 204; refused while the EIP is bound or frozen. The
    EIP reads PENDING_DELETE for ``eip_delete_reads`` VPC reads before it is gone."""
    st = sim.state
    with st.lock:
        missing = ApiError(404, "VPC.0504", "Could not find floatingip %s" % eip_id, shape="vpc_v1")
        eip = _eip(sim, ctx, eip_id, missing)
        _still_releasing(st, eip, read=True)
        if eip.get("sim_releasing") or eip.get("port_id") or eip.get("associate_instance_id") or \
                eip.get("sim_bound_server"):
            raise ApiError(409, "VPC.0505", "Floating IP %s is associated with port %s; unbind it first."
                           % (eip_id, eip.get("port_id")), shape="vpc_v1")
        if eip["status"] == "FREEZED":
            raise ApiError(409, "VPC.0506", "Floating IP %s is frozen." % eip_id, shape="vpc_v1")
        if st.config["eip_delete_reads"]:
            st.settling[eip_id] = {"reads": int(st.config["eip_delete_reads"]), "shown_status": "PENDING_DELETE",
                                   "then": "delete"}
        else:
            del st.publicips[eip_id]
        return Reply(204, None)


# ---- CloudDC iMetal -----------------------------------------------------------------------------------------------

def _progress_ip_change(sim, instance_id):
    """Advance a pending IP change by one observation; finish it when its polls and seconds are used up."""
    st = sim.state
    with st.lock:
        pending = st.pending_ip_changes.get(instance_id)
        if pending is None:
            return
        pending["polls_left"] -= 1
        if pending["polls_left"] > 0 or st.clock.monotonic() < pending["ready_at"]:
            return
        del st.pending_ip_changes[instance_id]
        inst = st.instances[instance_id]
        physical = st.physical_servers.get(inst.get("server_id"))
        if pending["error"]:
            inst["operation_state"] = "modify-ip-failed"
            inst["state"] = "stopped"
            inst["error"] = pending["error"]
            if physical:
                physical["power_state"] = "off"
        else:
            inst["vpc_id"] = pending["vpc_id"]
            inst["network_interfaces"] = pending["nics"]
            inst["operation_state"] = "modify-ip-succeed"
            inst["state"] = "running"
            inst["error"] = None
            if physical:
                physical["power_state"] = "on"
        inst["updated_at"] = _now_precise(st)


def _instance(sim, ctx, instance_id):
    return _owned(sim.state.instances, instance_id, ctx, "sim_project_id",
                  ApiError(400, "CLOUDDC.1004", "The instance %s does not exist." % instance_id))


# The instance_state filter's values (the SDK's InstanceState, the CloudDC states, and "failed").
INSTANCE_STATES = frozenset(("pending", "running", "stopping", "stopped", "shutting-down", "reinstalling",
                             "terminated", "error", "failed"))


def cdc_list(sim, ctx):
    query = ctx["query"]
    limit = _int_arg(query, "limit", 10, 0, 1 << 31)
    limit = 10 if limit < 10 else min(limit, 1000)
    limit = min(limit, sim.state.config["imetal_page_cap"] or limit)
    instances = sorted((i for i in sim.state.instances.values() if i["sim_project_id"] == ctx["project_id"]),
                       key=lambda i: i["id"])
    if len(query.get("instance_id", [])) > 1:
        raise ApiError(400, "CLOUDDC.1001", "instance_id must be one comma-separated value.")
    ids = [part for value in query.get("instance_id", []) for part in value.split(",") if part]
    if len(ids) > 100:
        raise ApiError(400, "CLOUDDC.1001", "instance_id lists %d ids; at most 100 are allowed." % len(ids))
    if ids:
        instances = [i for i in instances if i["id"] in ids]
    states = query.get("instance_state")
    if states:
        unknown = sorted(set(states) - INSTANCE_STATES)
        if unknown:
            raise ApiError(400, "CLOUDDC.1001", "Invalid instance_state %s." % unknown[0])
        instances = [i for i in instances if i["state"] in states]
    server_ids = query.get("server_id")
    if server_ids:
        instances = [i for i in instances if i.get("server_id") in server_ids]
    total = len(instances)
    marker = _one(query, "marker")
    instances = _after_marker(instances, query)
    page = instances[:limit]
    for inst in page:
        # A listing observes a change in progress as a status read does.
        _progress_ip_change(sim, inst["id"])
    next_marker = page[-1]["id"] if len(instances) > limit else None
    return Reply(200, {"instances": [_public(i) for i in page], "count": total,
                       "page_info": {"next_marker": next_marker, "previous_marker": marker,
                                     "current_count": len(page)}})


def cdc_status(sim, ctx, instance_id):
    _instance(sim, ctx, instance_id)
    with sim.state.lock:
        stale = sim.state.stale_status.get(instance_id)
        if stale and stale["reads"] > 0:
            # The status service has not caught up with the change yet: it answers what it said before it.
            stale["reads"] -= 1
            return Reply(200, dict(stale["answer"]))
    _progress_ip_change(sim, instance_id)
    inst = sim.state.instances[instance_id]
    return Reply(200, {"state": inst["state"], "operation_state": inst.get("operation_state"),
                       "error": inst.get("error")})


def _ip_error(code, message):
    return {"error_code": code, "error_msg": message, "error_type": "modify-ip"}


def cdc_change_ip(sim, ctx, instance_id):
    st = sim.state
    with st.lock:
        inst = _instance(sim, ctx, instance_id)
        body = ctx["json"]
        if not isinstance(body, dict):
            raise ApiError(400, "CLOUDDC.1001", "Invalid request body.")
        operation = inst.get("operation_state") or ""
        physical = st.physical_servers.get(inst.get("server_id")) or {}
        ready = inst["state"] == "running" and not operation.endswith("-processing")
        retry = operation == "modify-ip-failed" and physical.get("power_state") == "off"
        if not (ready or retry):
            raise ApiError(400, "CLOUDDC.1010", "The instance %s (state %s, operation_state %s) does not allow "
                           "changing its IP address." % (instance_id, inst["state"], operation or "none"))
        vpc_id = body.get("vpc_id") or inst["vpc_id"]
        nics = body.get("nics")
        if not isinstance(nics, list) or not 1 <= len(nics) <= 2:
            raise ApiError(400, "CLOUDDC.1001", "nics must list 1 or 2 network interfaces.")
        new_nics, error, taken = [], None, set()
        for nic in nics:
            subnet_id = nic.get("subnet_id") if isinstance(nic, dict) else None
            subnet = st.subnets.get(subnet_id) if isinstance(subnet_id, str) else None
            if subnet is None or subnet["project_id"] != ctx["project_id"]:
                raise ApiError(400, "CLOUDDC.1002", "The subnet %s does not exist." % subnet_id)
            if subnet["vpc_id"] != vpc_id:
                raise ApiError(400, "CLOUDDC.1003", "The subnet %s does not belong to VPC %s."
                               % (subnet_id, vpc_id))
            address = nic.get("ip_address") or None
            used = st.used_addresses(subnet_id, exclude_instance=instance_id) | taken
            if address is None:
                address = st.allocate_address(subnet_id, used)
                if address is None and error is None:
                    error = _ip_error("CLOUDDC.2003", "No free IP address left in subnet %s." % subnet_id)
            else:
                try:
                    inside = ipaddress.ip_address(address) in ipaddress.ip_network(subnet["cidr"])
                except ValueError:
                    raise ApiError(400, "CLOUDDC.1001", "Invalid IP address %s." % address)
                if not inside and error is None:
                    error = _ip_error("CLOUDDC.2001", "IP address %s is not in subnet %s (%s)."
                                      % (address, subnet_id, subnet["cidr"]))
                elif address in used and error is None:
                    error = _ip_error("CLOUDDC.2002", "IP address %s is already in use in subnet %s."
                                      % (address, subnet_id))
            taken.add(address)
            new_nics.append({"subnet_id": subnet_id, "ipv4_address": address})
        st.stale_status[instance_id] = {
            "reads": int(st.config["imetal_stale_status_reads"]),
            "answer": {"state": inst["state"], "operation_state": inst.get("operation_state"),
                       "error": inst.get("error")}}
        inst["operation_state"] = "modify-ip-processing"
        inst["error"] = None
        st.pending_ip_changes[instance_id] = {
            "vpc_id": vpc_id, "nics": new_nics, "error": error,
            "polls_left": max(1, int(st.config["imetal_ip_change_polls"])),
            "ready_at": st.clock.monotonic() + float(st.config["imetal_ip_change_seconds"]),
        }
        return Reply(202, None)


def vpc_subnet_show(sim, ctx, subnet_id):
    subnet = sim.state.subnets.get(subnet_id)
    if subnet is None or subnet["project_id"] != ctx["project_id"]:
        raise ApiError(404, "VPC.0202", "Query resource by id %s fail.the subnet could not be found." % subnet_id,
                       shape="vpc_v1")
    return Reply(200, {"subnet": _subnet_view(subnet)})


def vpc_subnet_list(sim, ctx):
    query = ctx["query"]
    limit = _int_arg(query, "limit", 2000, 1, 2000)
    vpc_id = _one(query, "vpc_id")
    subnets = sorted((s for s in sim.state.subnets.values() if s["project_id"] == ctx["project_id"]
                      and (vpc_id is None or s["vpc_id"] == vpc_id)), key=lambda s: s["id"])
    marker = _one(query, "marker")
    if marker:
        subnets = [s for s in subnets if s["id"] > marker]
    return Reply(200, {"subnets": [_subnet_view(s) for s in subnets[:limit]]})


def _subnet_view(subnet):
    return {"id": subnet["id"], "name": subnet.get("name"), "description": "", "cidr": subnet["cidr"],
            "gateway_ip": subnet["gateway_ip"], "vpc_id": subnet["vpc_id"], "status": "ACTIVE",
            "dhcp_enable": True, "ipv6_enable": False, "tenant_id": subnet["project_id"],
            "availability_zone": "", "primary_dns": "100.125.1.250", "secondary_dns": "100.125.64.250",
            "neutron_network_id": subnet["id"], "neutron_subnet_id": subnet["id"]}


def cdc_physical_server(sim, ctx, server_id):
    server = _owned(sim.state.physical_servers, server_id, ctx, "project_id",
                    ApiError(400, "CLOUDDC.1005", "The physical server %s does not exist." % server_id))
    return Reply(200, _public(server))


# ------------------------------------------------------------------------------------------------------------------
# Routing
# ------------------------------------------------------------------------------------------------------------------

def _identity(service_call):
    """A handler of identity.py: (status, body[, headers]) or IdentityError, as a Reply."""
    def handler(sim, ctx):
        try:
            answer = service_call(sim, ctx)
        except identity.IdentityError as err:
            return Reply(err.status, err.body)
        return Reply(*answer)
    handler.__name__ = service_call.__name__
    return handler


metadata_token = _identity(identity.metadata_token)
metadata_securitykey = _identity(identity.metadata_securitykey)
pod_identity = _identity(identity.pod_identity)
sts_assume_with_oidc = _identity(identity.sts_assume_with_oidc)
iam_id_token_login = _identity(identity.iam_id_token_login)
iam_security_tokens = _identity(identity.iam_security_tokens)
# Where the simulated CCE node serves pod identity (HC_CONTAINER_CREDENTIALS_FULL_URI points here).
POD_IDENTITY_PATH = "/v1/pod-identity/credentials"

P = r"(?P<project_id>[^/]+)"
ID = r"[^/]+"
ROUTES = [
    # method, pattern, handler, service, auth ("none", "optional", "domain", "project")
    ("POST", r"^/v3/auth/tokens$", iam_tokens, "iam", "none"),
    ("POST", r"^/v3\.0/OS-AUTH/id-token/tokens$", iam_id_token_login, "iam", "none"),
    ("POST", r"^/v3\.0/OS-CREDENTIAL/securitytokens$", iam_security_tokens, "iam", "optional"),
    ("POST", r"^/v5/agencies/assume-with-oidc$", sts_assume_with_oidc, "sts", "none"),
    ("PUT", r"^/meta-data/latest/api/token$", metadata_token, "metadata", "none"),
    ("GET", r"^/openstack/latest/securitykey$", metadata_securitykey, "metadata", "none"),
    ("POST", "^%s$" % POD_IDENTITY_PATH, pod_identity, "podidentity", "none"),
    ("GET", r"^/v3/projects$", iam_projects, "iam", "domain"),
    ("GET", r"^/v1/%s/dev-servers$" % P, ma_list, "modelarts", "project"),
    ("GET", r"^/v1/%s/dev-servers/all$" % P, ma_list_all, "modelarts", "project"),
    ("GET", r"^/v1/%s/dev-servers/(?P<server_id>%s)$" % (P, ID), ma_show, "modelarts", "project"),
    ("PUT", r"^/v1/%s/dev-servers/(?P<server_id>%s)/(?P<action>start|stop|reboot)$" % (P, ID), ma_action,
     "modelarts", "project"),
    ("GET", r"^/v1/%s/dev-servers/(?P<server_id>%s)/publicips$" % (P, ID), ma_list_eips, "modelarts", "project"),
    ("POST", r"^/v1/%s/dev-servers/(?P<server_id>%s)/publicips$" % (P, ID), ma_bind_eip, "modelarts", "project"),
    ("DELETE", r"^/v1/%s/dev-servers/(?P<server_id>%s)/publicips/(?P<eip_id>%s)$" % (P, ID, ID), ma_unbind_eip,
     "modelarts", "project"),
    ("GET", r"^/v1/%s/publicips$" % P, vpc_v1_list, "vpc", "project"),
    ("GET", r"^/v1/%s/publicips/(?P<eip_id>%s)$" % (P, ID), vpc_v1_show, "vpc", "project"),
    ("POST", r"^/v1/%s/publicips$" % P, vpc_create_eip, "vpc", "project"),
    ("DELETE", r"^/v1/%s/publicips/(?P<eip_id>%s)$" % (P, ID), vpc_delete_eip, "vpc", "project"),
    ("GET", r"^/v3/%s/eip/publicips$" % P, vpc_v3_list, "vpc", "project"),
    ("GET", r"^/v3/%s/eip/publicips/(?P<eip_id>%s)$" % (P, ID), vpc_v3_show, "vpc", "project"),
    ("GET", r"^/v1/%s/bandwidths/(?P<bandwidth_id>%s)$" % (P, ID), vpc_bandwidth_show, "vpc", "project"),
    ("GET", r"^/v1/%s/subnets$" % P, vpc_subnet_list, "vpc", "project"),
    ("GET", r"^/v1/%s/subnets/(?P<subnet_id>%s)$" % (P, ID), vpc_subnet_show, "vpc", "project"),
    ("GET", r"^/v1/%s/instances$" % P, cdc_list, "clouddc", "project"),
    ("GET", r"^/v1/%s/instances/(?P<instance_id>%s)/status$" % (P, ID), cdc_status, "clouddc", "project"),
    ("PUT", r"^/v1/%s/instances/(?P<instance_id>%s)/ip$" % (P, ID), cdc_change_ip, "clouddc", "project"),
    ("GET", r"^/v1/%s/physicalservers/(?P<server_id>%s)$" % (P, ID), cdc_physical_server, "clouddc", "project"),
]
COMPILED = [(m, re.compile(p), h, s, a) for m, p, h, s, a in ROUTES]

# What each call accepts, from the SDK's request models: query names, and the body's fields with their types
# (a list holds the schema of its items). Anything else is refused with 400 naming the parameter.
_EIP_V3_QUERY = (
    "marker offset limit fields sort_key sort_dir id ip_version public_ip_address public_ip_address_like "
    "public_ipv6_address public_ipv6_address_like type network_type publicip_pool_name status alias_like alias "
    "description vnic.private_ip_address vnic.private_ip_address_like vnic.device_id vnic.device_owner vnic.vpc_id "
    "vnic.port_id vnic.device_owner_prefixlike vnic.instance_type vnic.instance_id bandwidth.id bandwidth.name "
    "bandwidth.name_like bandwidth.size bandwidth.share_type bandwidth.charge_mode billing_info billing_mode "
    "associate_instance_type associate_instance_id enterprise_project_id public_border_group "
    "allow_share_bandwidth_type_any").split()
QUERY_NAMES = {
    iam_projects: ("domain_id", "name", "parent_id", "enabled", "is_domain", "page", "per_page"),
    ma_list: ("owner", "sort_dir", "sort_key", "limit", "offset"),
    # Not in the SDK's model: ma_list_all answers these as ``modelarts_all_paging`` says.
    ma_list_all: ("limit", "offset"),
    vpc_v1_list: ("marker", "limit", "ip_version", "enterprise_project_id", "port_id", "public_ip_address",
                  "private_ip_address", "id", "allow_share_bandwidth_type_any"),
    vpc_v3_list: _EIP_V3_QUERY,
    vpc_subnet_list: ("limit", "marker", "vpc_id"),
    cdc_list: ("limit", "marker", "instance_state", "instance_id", "server_id"),
}
BODY_SCHEMAS = {
    ma_bind_eip: {"public_ip_id": str},
    # The SDK's CreatePublicipRequestBody.
    vpc_create_eip: {"publicip": {"ip_address": str, "type": str, "ip_version": int, "alias": str, "port_id": str},
                     "bandwidth": {"charge_mode": str, "id": str, "name": str, "share_type": str, "size": int},
                     "enterprise_project_id": str},
    cdc_change_ip: {"vpc_id": str, "nics": [{"subnet_id": str, "ip_address": str}]},
}
# Calls whose body the gateway hands over as it is (checked by the handler).
FREE_BODIES = (iam_tokens, iam_id_token_login, iam_security_tokens, sts_assume_with_oidc, pod_identity)
# Decimal ranges from the SDK models, for the query parameters that have them.
QUERY_RANGES = {
    (vpc_v3_list, "limit"): (0, 2000),
    (cdc_list, "limit"): (0, 2147483647),
}


def _check_body(value, schema, where):
    """The field path of the first part of ``value`` that ``schema`` does not allow, with the reason, or None."""
    if isinstance(schema, dict):
        if not isinstance(value, dict):
            return where or "body", "must be an object"
        for key in value:
            if key not in schema:
                return (where + "." if where else "") + key, "is not a known field"
        for key, sub in schema.items():
            if key in value and value[key] is not None:
                found = _check_body(value[key], sub, (where + "." if where else "") + key)
                if found:
                    return found
        return None
    if isinstance(schema, list):
        if not isinstance(value, list):
            return where, "must be an array"
        for index, item in enumerate(value):
            found = _check_body(item, schema[0], "%s[%d]" % (where, index))
            if found:
                return found
        return None
    if not isinstance(value, schema) or isinstance(value, bool) and schema is not bool:
        return where, "must be of type %s" % schema.__name__
    return None


def check_request(handler, method, query, headers, body, parsed, project_id):
    """The gateway's and the service's checks of a request's form: X-Project-Id, Content-Type, known query
    parameters and body fields of the SDK's types. Raises ApiError (400) naming what is wrong."""
    lowered = {k.lower(): v for k, v in headers.items()}
    header_project = lowered.get("x-project-id")
    if header_project is not None and project_id is not None and header_project != project_id:
        raise ApiError(400, "APIG.0201", "The X-Project-Id header %s does not match the project %s of the path."
                       % (header_project, project_id))
    allowed = QUERY_NAMES.get(handler, ())
    for name in query:
        if name not in allowed:
            raise ApiError(400, "APIG.0201", "Unknown query parameter %s." % name)
    for (route, name), (low, high) in QUERY_RANGES.items():
        if route is handler and name in query:
            _int_arg(query, name, None, low, high)
    if method in ("POST", "PUT", "PATCH") and body:
        content_type = (lowered.get("content-type") or "").split(";")[0].strip().lower()
        if content_type != "application/json":
            raise ApiError(400, "APIG.0201", "The request body must be sent with Content-Type application/json, "
                           "not %r." % content_type)
        if parsed is None:
            raise ApiError(400, "APIG.0201", "The request body is not valid JSON.")
    if handler in FREE_BODIES:
        return
    schema = BODY_SCHEMAS.get(handler)
    if schema is None:
        if body:
            raise ApiError(400, "APIG.0201", "This call takes no request body.")
        return
    if not body:
        raise ApiError(400, "APIG.0201", "The request body is missing.")
    found = _check_body(parsed, schema, "")
    if found:
        raise ApiError(400, "APIG.0201", "Invalid request body: %s %s." % found)


# The casing of the request id header differs between services in the real cloud; clients must not care.
REQUEST_ID_HEADER = {"iam": "X-IAM-Trace-Id", "modelarts": "X-Request-Id", "vpc": "X-Request-Id",
                     "sts": "X-Request-Id", "clouddc": "X-request-id", "admin": "X-Request-Id"}


def _redact(value):
    if isinstance(value, dict):
        return {k: ("REDACTED" if k in SECRET_FIELDS else _redact(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v) for v in value]
    return value


class Simulator:
    def __init__(self, state):
        self.state = state

    def handle(self, method, raw_path, raw_query, headers, body, request_id):
        """Return (Reply, log entry, fault) for one API request; drop handling is left to the HTTP layer."""
        from urllib.parse import unquote
        path = unquote(raw_path)
        query = parse_qs(raw_query, keep_blank_values=True)
        entry = {"time": self.state.clock.time(), "method": method, "path": path, "query": raw_query,
                 "request_id": request_id, "service": None, "auth": None, "principal": None, "status": None, "fault": None, "body": None,
                 "user_agent": headers.get("User-Agent")}
        parsed = None
        if body:
            try:
                parsed = json.loads(body.decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                parsed = None
        entry["body"] = _redact(parsed)
        route = None
        for r_method, pattern, handler, service, auth_kind in COMPILED:
            match = pattern.match(path)
            if match and r_method == method:
                route = (handler, service, auth_kind, match.groupdict())
                break
        if route is None:
            message = "The API does not exist or has not been published in the environment."
            return Reply(404, {"error_code": "APIG.0101", "error_msg": message}), entry
        handler, service, auth_kind, groups = route
        entry["service"] = service
        ctx = {"query": query, "json": parsed, "request_id": request_id, "project_id": groups.pop("project_id", None),
               "headers": {k.lower(): v for k, v in headers.items()}}
        try:
            principal = self.authenticate(method, raw_path, raw_query, headers, body, auth_kind, ctx)
            entry["auth"] = principal.get("kind") if principal else "none"
            entry["principal"] = principal.get("name") if principal else None
            if principal and self.state.over_rate_limit(principal["name"]):
                limit = self.state.config["rate_limit_per_second"]
                raise ApiError(429, "APIG.0308", "The throttling threshold has been reached: policy user over "
                               "ratelimit,limit:%s,time:1 second" % limit)
            ctx["principal"] = principal
            _authorize(self, ctx, handler, service, groups)
            check_request(handler, method, query, headers, body, parsed, ctx["project_id"])
            return handler(self, ctx, **groups), entry
        except ApiError as err:
            return Reply(err.status, err.body()), entry
        except AuthError as err:
            return Reply(err.status, {"error_code": err.code, "error_msg": err.message}), entry

    def authenticate(self, method, raw_path, raw_query, headers, body, auth_kind, ctx):
        if auth_kind == "none":
            return None
        lowered = {k.lower(): v for k, v in headers.items()}
        if auth_kind == "optional" and "x-auth-token" not in lowered and "authorization" not in lowered:
            return None
        if "x-auth-token" in lowered:
            record = verify_token(self.state, lowered["x-auth-token"])
            principal = {"kind": "token", "name": "token:" + record["token"][-8:], "domain_id": record["domain_id"],
                         "project_id": record["project_id"], "user_id": record.get("user_id")}
        elif "authorization" in lowered:
            cred = verify_aksk(self.state, method, raw_path, raw_query, headers, body)
            principal = {"kind": "aksk", "name": cred["access_key"], "domain_id": cred["domain_id"],
                         "project_id": None, "user_id": cred.get("user_id")}
        else:
            raise AuthError(401, "APIG.1000", "Incorrect IAM authentication information: the request carries "
                                              "neither an X-Auth-Token nor an Authorization header")
        if auth_kind == "project":
            project = self.state.project(ctx["project_id"])
            if project is None or project["domain_id"] != principal["domain_id"] or \
                    (principal["project_id"] and principal["project_id"] != project["id"]):
                raise ApiError(403, "APIG.0302", "The credential has no access to project %s." % ctx["project_id"])
        return principal

    # -- admin API ----------------------------------------------------------------------------------------------

    def admin(self, method, path, query, body):
        st = self.state
        name = path[len(ADMIN_PREFIX):].strip("/")
        data = json.loads(body.decode("utf-8")) if body else None
        if name == "health":
            return Reply(200, {"ok": True})
        if name == "version":
            return Reply(200, {"admin_api": ADMIN_API_VERSION, "seed_format": fleet.FORMAT_VERSION})
        if name == "reset" and method == "POST":
            if isinstance(data, dict) and ("hwsim_seed" in data or "seed_file_text" in data):
                try:
                    data = fleet.from_text(data["seed_file_text"], data.get("seed_file_name", "seed.yml")) \
                        if "seed_file_text" in data else fleet.expand(data, st.config_keys())
                except fleet.SeedError as exc:
                    return Reply(400, {"error": "the seed cannot be simulated: %s" % exc})
            st.reset(data)
            return Reply(200, {"ok": True})
        if name == "state" and method == "GET":
            return Reply(200, st.snapshot())
        if name == "clock" and method == "GET":
            return Reply(200, st.clock.view())
        if name == "clock" and method == "POST":
            try:
                st.clock.advance((data or {}).get("advance"))
            except (TypeError, ValueError):
                return Reply(400, {"error": "advance must be a number of seconds, 0 or more"})
            return Reply(200, st.clock.view())
        if name == "config" and method in ("PATCH", "POST"):
            with st.lock:
                unknown = set(data) - set(st.config)
                if unknown:
                    return Reply(400, {"error": "unknown config keys: %s" % sorted(unknown)})
                st.config.update(data)
            return Reply(200, st.config)
        if name == "config" and method == "GET":
            return Reply(200, st.config)
        if name == "policies" and method == "POST":
            # {"user": name or id | "agency": name, "policies": [...] or null (full access again)}
            try:
                data = data or {}
                principal = st.principal_id(user=data.get("user"), agency=data.get("agency")) \
                    if ("user" in data) != ("agency" in data) else None
                if principal is None:
                    raise ValueError("name a user or an agency: {user: NAME, policies: [...]}")
                policies = data.get("policies")
                if policies is not None:
                    iam.check_policies(policies, "policies")
            except ValueError as exc:
                return Reply(400, {"error": str(exc)})
            st.set_policies(principal, policies)
            return Reply(200, {"principal": principal, "policies": policies})
        if name == "policies" and method == "GET":
            return Reply(200, {"policies": st.policies})
        if name == "faults" and method == "POST":
            try:
                return Reply(201, st.add_fault(data or {}))
            except ValueError as exc:
                return Reply(400, {"error": str(exc)})
        if name == "faults" and method == "GET":
            return Reply(200, {"faults": st.faults})
        if name == "faults" and method == "DELETE":
            with st.lock:
                st.faults = []
            return Reply(200, {"ok": True})
        if name == "requests" and method == "GET":
            with st.lock:
                return Reply(200, {"requests": list(st.requests)})
        if name == "requests" and method == "DELETE":
            with st.lock:
                st.requests = []
                st.log_epoch += 1
            return Reply(200, {"ok": True})
        if name == "tokens" and method == "POST":
            data = data or {}
            project = st.project(data.get("project_id"))
            if project is None:
                return Reply(400, {"error": "unknown project_id"})
            token = "MII" + uuid.uuid4().hex
            expires = st.clock.now() + timedelta(seconds=data.get("ttl", st.config["token_ttl_seconds"]))
            user = data.get("user_id") or next(
                (u.get("id") for u in st.users if (st.domain_by_name(u["domain"]) or {}).get("id")
                 == project["domain_id"]), None)
            with st.lock:
                st.tokens[token] = {"token": token, "project_id": project["id"], "domain_id": project["domain_id"],
                                    "expires_at": format_time(expires), "user_id": user}
            return Reply(201, {"token": token})
        if name in ("credentials/expire", "credentials/revoke") and method == "POST":
            count = identity.expire(st, name.split("/")[1], (data or {}).get("access_key"))
            return Reply(200, {"ok": True, "count": count})
        if name == "tokens/expire" and method == "POST":
            with st.lock:
                for record in st.tokens.values():
                    record["expires_at"] = format_time(st.clock.now() - timedelta(seconds=1))
            return Reply(200, {"ok": True})
        return Reply(404, {"error": "no admin route %s %s" % (method, path)})


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; without TCP_NODELAY each answer waits for a delayed ACK.
    disable_nagle_algorithm = True
    server_version = "hwsim"
    sys_version = ""

    def log_message(self, format, *args):  # noqa: A002 - quiet by default
        if self.server.verbose:
            super().log_message(format, *args)

    def _dispatch(self):
        sim = self.server.simulator
        split = urlsplit(self.path)
        if split.path.startswith(ADMIN_PREFIX):
            body = self._body()
            try:
                reply = sim.admin(self.command, split.path, split.query, body)
            except (ValueError, TypeError) as exc:
                reply = Reply(400, {"error": str(exc)})
            return self._send(reply, "admin", uuid.uuid4().hex)
        # In flight from here: moving the clock waits for it (SimClock).
        clock = sim.state.clock
        clock.enter()
        try:
            return self._api(sim, split, self._body(), dict(self.headers.items()))
        finally:
            clock.leave()

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _api(self, sim, split, body, headers):
        clock = sim.state.clock
        # The log holds the requests received since the last reset or clearing: one still held from before (a slow
        # answer a client gave up on) is not logged into the next test's log when it ends.
        self.log_epoch = sim.state.log_epoch
        request_id = uuid.uuid4().hex
        fault = sim.state.take_fault(self.command, split.path)
        if fault and fault["latency"]:
            clock.hold(fault["latency"])
        if fault and fault["drop"] == "before":
            self._log(sim, self._fault_entry(split, request_id, None, "drop-before"))
            return self._drop()
        if fault and (fault["status"] or fault["raw"] is not None) and not fault["apply"]:
            reply = self._fault_reply(fault)
            self._log(sim, self._fault_entry(split, request_id, reply.status, "status"))
            return self._send(reply, _service_of(split.path), request_id)
        reply, entry = sim.handle(self.command, split.path, split.query, headers, body, request_id)
        entry["status"] = reply.status
        if fault and fault["drop"] == "after":
            entry["fault"] = "drop-after"
            self._log(sim, entry)
            return self._drop()
        if fault and (fault["status"] or fault["raw"] is not None):
            # Applied by the API, then answered with the fault's status/body instead of the real answer.
            entry["fault"] = "applied-then-status"
            self._log(sim, entry)
            if fault["latency_after"]:
                clock.hold(fault["latency_after"])
            return self._send(self._fault_reply(fault), entry.get("service") or "admin", request_id)
        if fault and (fault["latency"] or fault["latency_after"]):
            entry["fault"] = "latency"
        self._log(sim, entry)
        if fault and fault["latency_after"]:
            # Applied, then the answer is held back: a client with a shorter timeout never sees it.
            clock.hold(fault["latency_after"])
        return self._send(reply, entry.get("service") or "admin", request_id)

    @staticmethod
    def _fault_reply(fault):
        status = int(fault["status"] or 200)
        if fault["raw"] is not None:
            reply = Reply(status, RawBody(fault["raw"], fault["content_type"]))
        else:
            reply = Reply(status, fault["body"] if fault["body"] is not None else {
                "error_code": fault["error_code"] or ("APIG.0308" if status == 429 else "SIM.0500"),
                "error_msg": fault["error_msg"] or "Injected fault."})
        if fault["retry_after"] is not None:
            reply.headers["Retry-After"] = str(fault["retry_after"])
        reply.headers.update(fault["headers"])
        return reply

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _dispatch

    def _fault_entry(self, split, request_id, status, fault):
        """A log entry for a request answered by an injected fault (not seen by the API handlers)."""
        return {"time": self.server.simulator.state.clock.time(), "method": self.command, "path": split.path,
                "query": split.query, "request_id": request_id, "service": _service_of(split.path), "auth": None, "principal": None,
                "status": status, "fault": fault, "body": None, "user_agent": self.headers.get("User-Agent")}

    def _log(self, sim, entry):
        with sim.state.lock:
            if getattr(self, "log_epoch", sim.state.log_epoch) != sim.state.log_epoch:
                return
            entry["seq"] = len(sim.state.requests) + 1
            sim.state.requests.append(entry)

    def _drop(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _send(self, reply, service, request_id):
        if isinstance(reply.body, RawBody):
            payload, content_type = reply.body.text.encode("utf-8"), reply.body.content_type
        elif isinstance(reply.body, str):
            payload, content_type = reply.body.encode("utf-8"), "text/html"
        else:
            payload = b"" if reply.body is None else json.dumps(reply.body).encode("utf-8")
            content_type = "application/json"
        try:
            self.send_response(reply.status)
            self.send_header(REQUEST_ID_HEADER.get(service, "X-Request-Id"), request_id)
            if payload:
                self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            for key, value in reply.headers.items():
                self.send_header(key, value)
            self.end_headers()
            if payload:
                self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


def _service_of(path):
    for _m, pattern, _h, service, _a in COMPILED:
        if pattern.match(path):
            return service
    return "admin"


class SimHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, simulator, verbose=False):
        super().__init__(address, Handler)
        self.simulator = simulator
        self.verbose = verbose
