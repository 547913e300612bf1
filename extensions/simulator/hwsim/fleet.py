"""The seed format users write (``hwsim_seed: 1``): a fleet in a few lines, expanded into the simulator's state.

Everything but names, addresses and CIDRs has a default; ids are derived from names (the same seed always gives
the same ids). The simulated account (its domains, users, access keys, the project of the region) is account.json,
whose names ``seedinfo`` holds; the collection's own fleet is seed.yml, one seed of this format.
``expand(document)`` returns the state; ``SeedError`` says which entry and field is wrong and why. extensions/simulator/README.md documents the format.
"""

import copy
import datetime
import ipaddress
import json
import os
import re
import uuid

from .state import attach_eip

FORMAT_VERSION = 1
NAMESPACE = uuid.UUID("5b1c2f04-7d0e-4d3a-9a55-0c2f6a1e8b10")
ACCOUNT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "account.json")
NOW = "2026-10-01T00:00:00Z"
NOW_MS = 1790812800000

# From the SDK models (huaweicloudsdkmodelarts ServerResponse, huaweicloudsdkclouddc, huaweicloudsdkeip).
LITE_SERVER_NAME = re.compile(r"^[-_.a-zA-Z0-9]{1,64}$")
LITE_SERVER_STATUSES = ("CREATE_FAILED", "CREATING", "DELETED", "DELETE_FAILED", "DELETING", "ERROR", "RUNNING",
                        "STARTING", "START_FAILED", "STOPPED", "STOPPING", "STOP_FAILED", "REBOOTING",
                        "REBOOT_FAILED", "CHANGINGOS", "CHANGINGOS_FAILED", "REINSTALLINGOS",
                        "REINSTALLINGOS_FAILED")
SERVER_TYPES = ("BMS", "ECS", "HPS")
SERVER_CATEGORIES = ("HPS", "SPOD", "SERVER")
INSTANCE_STATES = ("pending", "running", "stopped", "shutting-down", "terminated", "error")
EIP_TYPES = ("5_bgp", "5_sbgp")
EIP_STATUSES = ("DOWN", "FREEZED", "ERROR")
EIP_NAME = re.compile(r"^[\w\-.\u4e00-\u9fa5]{1,64}$")
CHARGE_MODES = ("bandwidth", "traffic")
# What holds an EIP that no Lite Server does (PublicipSingleShowResp.associate_instance_type lists PORT, NATGW, ELB,
# ELBV1, VPN): an ECS's port, or a load balancer's VIP port; each with the port's device_owner.
HOLDERS = {"PORT": "compute:nova", "ELB": "neutron:LOADBALANCERV2"}
POWER_STATES = ("on", "off")

TOP = ("hwsim_seed", "region", "vpcs", "bandwidths", "lite_servers", "eips", "imetal_instances", "quotas", "iam",
       "config")
FIELDS = {
    "vpcs": ("name", "id", "subnets"),
    "subnets": ("name", "id", "cidr", "gateway_ip"),
    "bandwidths": ("name", "id", "size", "charge_mode"),
    "lite_servers": ("name", "id", "status", "flavor", "type", "category", "a3", "subnet", "private_ip", "eips",
                     "owner", "created_at"),
    "eips": ("address", "name", "id", "type", "status", "bandwidth_size", "bandwidth_charge_mode", "bandwidth",
             "held_by"),
    "held_by": ("type", "private_ip", "subnet", "device_id"),
    "imetal_instances": ("name", "id", "state", "operation_state", "nics", "tags", "image", "physical_server",
                         "created_at"),
    "nics": ("subnet", "ip"),
    "physical_server": ("name", "id", "power_state"),
    "quotas": ("eips",),
}


class SeedError(ValueError):
    """A seed that cannot be simulated: names the entry, the field and what is wrong."""


def derived_id(kind, name):
    return str(uuid.uuid5(NAMESPACE, "%s/%s" % (kind, name)))


def fail(where, message):
    raise SeedError("%s: %s" % (where, message))


class _Problems(object):
    """The problems of the seed being expanded: each entry's first, all of them told at once (``one_entry``)."""

    found = None

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if isinstance(error, SeedError) and _Problems.found is not None:
            _Problems.found.append(str(error))
            return True
        return False


def one_entry():
    """Around one entry of a list: a problem in it is noted, and the next entries are checked too."""
    return _Problems()


def mapping(value, where, kind):
    if not isinstance(value, dict):
        fail(where, "must be a mapping, got %s" % type(value).__name__)
    unknown = sorted(set(value) - set(FIELDS[kind]))
    if unknown:
        fail(where, "unknown field(s) %s; known: %s" % (", ".join(unknown), ", ".join(FIELDS[kind])))
    return value


def entries(doc, key):
    value = doc.get(key) or []
    if not isinstance(value, list):
        fail(key, "must be a list, got %s" % type(value).__name__)
    return [mapping(item, "%s[%d]" % (key, index), key) for index, item in enumerate(value)]


def text(entry, field, where, required=False, pattern=None, default=None):
    value = entry.get(field, default)
    if value is None:
        if required:
            fail(where, "%s is required" % field)
        return None
    if not isinstance(value, str) or not value:
        fail(where, "%s must be a non-empty string, got %r" % (field, value))
    if pattern is not None and not pattern.match(value):
        fail(where, "%s %r does not match %s" % (field, value, pattern.pattern))
    return value


def choice(entry, field, where, choices, default):
    value = entry.get(field, default)
    if value not in choices:
        fail(where, "%s %r is not one of %s" % (field, value, ", ".join(choices)))
    return value


def integer(entry, field, where, low, high, default):
    value = entry.get(field, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        fail(where, "%s must be a whole number from %d to %d, got %r" % (field, low, high, value))
    return value


def moment(entry, field, where):
    """A UTC time (``2026-10-01T00:00:00Z``; YAML may have read it as a timestamp already), as the ISO text."""
    value = entry.get(field, NOW)
    if isinstance(value, str):
        try:
            value = datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
        except ValueError:
            fail(where, "%s %r is not a UTC time such as %s" % (field, value, NOW))
    if not isinstance(value, datetime.datetime):
        fail(where, "%s must be a UTC time such as %s, got %r" % (field, NOW, value))
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return value.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def milliseconds(iso):
    moment_ = datetime.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    return int(moment_.timestamp()) * 1000


def an_id(entry, kind, name, where, field="id"):
    """``entry``'s own id (``field``, a lower-case UUID), else one derived from ``kind`` and ``name``."""
    value = text(entry, field, where)
    if value is not None and not re.match(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", value):
        fail(where, "%s %r is not a lower-case UUID" % (field, value))
    return value or derived_id(kind, name)


def named_id(entry, kind, listed, index, name, where):
    """The id of the ``index``-th entry of ``listed`` named ``name``: its own, else derived from the name, or from
    its place too when other entries share the name (the cloud allows that; the ids must still differ)."""
    shared = [e.get("name") for e in listed].count(name) > 1
    return an_id(entry, kind, "%d/%s" % (index, name) if shared else name, where)


def address(value, where, field):
    try:
        return str(ipaddress.IPv4Address(value))
    except (ipaddress.AddressValueError, ValueError, TypeError):
        fail(where, "%s %r is not an IPv4 address" % (field, value))


def unique(items, key, what):
    seen = {}
    for where, value in items:
        if value in seen:
            fail(where, "%s %r is also %s's" % (what, value, seen[value]))
        seen[value] = where


def account(region):
    """The simulated account (account.json), with its project for ``region``."""
    with open(ACCOUNT, encoding="utf-8") as handle:
        base = json.load(handle)
    state = dict((k, copy.deepcopy(base[k])) for k in ("domains", "credentials", "users", "tokens", "agencies",
                                                       "federation"))
    domain_id = base["domains"][0]["id"]
    primary = base["projects"][0]
    # The account's own project of another region with this name gives way; other accounts keep theirs.
    projects = [dict(primary, name=region)] + [p for p in base["projects"][1:]
                                               if (p["name"], p["domain_id"]) != (region, domain_id)]
    state["projects"] = projects
    return state, primary["id"], domain_id


class Subnets:
    """The seed's subnets, by name or id, and the addresses they have given out."""

    def __init__(self):
        self.records = {}
        self.by_name = {}
        self.taken = {}

    def add(self, record, where):
        if record["id"] in self.records or record["name"] in self.by_name:
            fail(where, "subnet %s is named twice" % record["name"])
        self.records[record["id"]] = record
        self.by_name[record["name"]] = record
        self.taken[record["id"]] = {record["gateway_ip"]}

    def first(self):
        return next(iter(self.records.values()))

    def find(self, ref, where, field):
        found = self.by_name.get(ref) or self.records.get(ref)
        if found is None:
            known = ", ".join(sorted(self.by_name)) or "none"
            fail(where, "%s %r is no subnet of the seed (known: %s)" % (field, ref, known))
        return found

    def take(self, subnet, ip, where, field):
        network = ipaddress.ip_network(subnet["cidr"])
        taken = self.taken[subnet["id"]]
        if ip is None:
            for host in list(network.hosts())[9:]:
                if str(host) not in taken:
                    ip = str(host)
                    break
            else:
                fail(where, "subnet %s has no free address left" % subnet["name"])
        else:
            ip = address(ip, where, field)
            edges = (str(network.network_address), str(network.broadcast_address))
            if ipaddress.ip_address(ip) not in network or ip in edges:
                fail(where, "%s %s is not a host address of subnet %s (%s)" % (field, ip, subnet["name"],
                                                                               subnet["cidr"]))
            if ip in taken:
                fail(where, "%s %s is already used in subnet %s" % (field, ip, subnet["name"]))
        taken.add(ip)
        return ip


def expand_network(doc, project_id):
    subnets = Subnets()
    vpcs = entries(doc, "vpcs")
    if not vpcs:
        vpcs = [{"name": "default-vpc", "subnets": [{"name": "default-subnet", "cidr": "10.0.0.0/24"}]}]
    for index, vpc in enumerate(vpcs):
        with one_entry():
            where = "vpcs[%d]" % index
            name = text(vpc, "name", where, required=True)
            vpc_id = an_id(vpc, "vpc", name, where)
            listed = vpc.get("subnets") or []
            if not isinstance(listed, list) or not listed:
                fail(where, "subnets must be a non-empty list")
            for position, subnet in enumerate(listed):
                at = "%s.subnets[%d]" % (where, position)
                mapping(subnet, at, "subnets")
                subnet_name = text(subnet, "name", at, required=True)
                try:
                    network = ipaddress.IPv4Network(subnet.get("cidr"))
                except (ipaddress.AddressValueError, ipaddress.NetmaskValueError, ValueError, TypeError):
                    fail(at, "cidr %r is not an IPv4 network such as 10.0.1.0/24" % (subnet.get("cidr"),))
                if network.prefixlen > 28:
                    fail(at, "cidr %s is smaller than a /28, the smallest VPC subnet" % network)
                gateway = address(subnet.get("gateway_ip", str(next(network.hosts()))), at, "gateway_ip")
                subnets.add({"id": an_id(subnet, "subnet", subnet_name, at), "name": subnet_name, "cidr": str(network),
                             "gateway_ip": gateway, "vpc_id": vpc_id, "project_id": project_id}, at)
    return subnets


def expand_bandwidths(doc, project_id):
    found = {}
    for index, bandwidth in enumerate(entries(doc, "bandwidths")):
        with one_entry():
            where = "bandwidths[%d]" % index
            name = text(bandwidth, "name", where, required=True, pattern=EIP_NAME)
            if name in found:
                fail(where, "bandwidth %s is named twice" % name)
            found[name] = {"id": an_id(bandwidth, "bandwidth", name, where), "name": name, "share_type": "WHOLE",
                           "size": integer(bandwidth, "size", where, 5, 2000, 100),
                           "charge_mode": choice(bandwidth, "charge_mode", where, CHARGE_MODES, "bandwidth"),
                           "tenant_id": project_id}
    return found


def eip_record(eip, where, project_id, bandwidths, subnets):
    """The state record of one EIP entry (``{"address": ...}`` and the defaults for everything else)."""
    ip = address(eip.get("address"), where, "address")
    name = text(eip, "name", where, pattern=EIP_NAME)
    shared = text(eip, "bandwidth", where)
    if shared is not None and shared not in bandwidths:
        known = ", ".join(sorted(bandwidths)) or "none"
        fail(where, "bandwidth %r is none of the seed's bandwidths (%s)" % (shared, known))
    record = {"id": an_id(eip, "eip", ip, where), "public_ip_address": ip, "alias": name,
              "type": choice(eip, "type", where, EIP_TYPES, "5_bgp"),
              "status": choice(eip, "status", where, EIP_STATUSES, "DOWN"),
              "tenant_id": project_id, "port_id": None, "private_ip_address": None, "vnic": None,
              "associate_instance_id": None, "associate_instance_type": None, "sim_bound_server": None,
              "created_at": NOW, "updated_at": NOW}
    if shared is not None:
        band = bandwidths[shared]
        record.update(bandwidth_id=band["id"], bandwidth_name=band["name"], bandwidth_size=band["size"],
                      bandwidth_share_type="WHOLE", bandwidth_charge_mode=band["charge_mode"])
    else:
        record.update(bandwidth_id=derived_id("eip-bandwidth", ip), bandwidth_name="bw-%s" % (name or ip),
                      bandwidth_size=integer(eip, "bandwidth_size", where, 1, 2000, 5),
                      bandwidth_share_type="PER",
                      bandwidth_charge_mode=choice(eip, "bandwidth_charge_mode", where, CHARGE_MODES,
                                                   "bandwidth"))
    if eip.get("held_by") is not None:
        hold(record, eip["held_by"], where + ".held_by", subnets)
    return record


def hold(record, holder, where, subnets):
    """``record`` held by what ``holder`` names (an ECS's port, a load balancer), not by a Lite Server."""
    mapping(holder, where, "held_by")
    kind = choice(holder, "type", where, tuple(HOLDERS), None)
    if record["status"] != "DOWN":
        fail(where, "an EIP with status %s cannot be held; a held EIP reads ACTIVE" % record["status"])
    subnet = subnets.find(holder.get("subnet", subnets.first()["id"]), where, "subnet")
    private_ip = subnets.take(subnet, holder.get("private_ip"), where, "private_ip")
    ip = record["public_ip_address"]
    port_id = derived_id("port", ip)
    device_id = an_id(holder, "device", ip, where, field="device_id")
    # A load balancer's VIP port is used by the load balancer (vnic.instance_*); an ECS's port by nobody else.
    user = (device_id, kind) if kind == "ELB" else ("", "")
    record.update(status="ACTIVE", port_id=port_id, private_ip_address=private_ip, associate_instance_type=kind,
                  associate_instance_id=device_id if kind == "ELB" else port_id,
                  vnic={"port_id": port_id, "private_ip_address": private_ip, "device_id": device_id,
                        "device_owner": HOLDERS[kind], "instance_id": user[0], "instance_type": user[1],
                        "vpc_id": subnet["vpc_id"]})


def expand_eips(doc, project_id, bandwidths, subnets):
    found = {}
    for index, eip in enumerate(entries(doc, "eips")):
        with one_entry():
            where = "eips[%d]" % index
            record = eip_record(eip, where, project_id, bandwidths, subnets)
            if record["public_ip_address"] in found:
                fail(where, "address %s is listed twice" % record["public_ip_address"])
            found[record["public_ip_address"]] = (where, record)
    return found


def expand_lite_servers(doc, project_id, subnets, eips, users):
    servers, bound = [], {}
    default_subnet = subnets.first()
    names = [(u["name"], u["id"]) for u in users]
    for index, server in enumerate(entries(doc, "lite_servers")):
        with one_entry():
            where = "lite_servers[%d]" % index
            name = text(server, "name", where, required=True, pattern=LITE_SERVER_NAME)
            server_id = named_id(server, "lite-server", doc["lite_servers"], index, name, where)
            server_type = choice(server, "type", where, SERVER_TYPES, "BMS")
            subnet = subnets.find(server.get("subnet", default_subnet["id"]), where, "subnet")
            private_ip = subnets.take(subnet, server.get("private_ip"), where, "private_ip")
            owner = text(server, "owner", where, default=names[0][0])
            owner_id = dict(names).get(owner)
            if owner_id is None:
                fail(where, "owner %r is none of the simulated account's users (%s)" % (owner, ", ".join(
                    n for n, _i in names)))
            a3 = server.get("a3", True)
            if not isinstance(a3, bool):
                fail(where, "a3 must be true or false, got %r" % (a3,))
            category = choice(server, "category", where, SERVER_CATEGORIES, "HPS" if server_type == "HPS" else "SERVER")
            created = milliseconds(moment(server, "created_at", where))
            cloud_server = {"id": derived_id("cloud-server", server_id), "type": server_type}
            if server_type == "HPS":
                cloud_server.update(hps_id=derived_id("hps", server_id), hps_ecs_id=derived_id("hps-ecs", server_id))
            record = {"id": server_id, "name": name,
                      "status": choice(server, "status", where, LITE_SERVER_STATUSES, "RUNNING"),
                      "flavor": text(server, "flavor", where, default="ascend-snt9b2.48xlarge"),
                      "category": category, "charging_mode": "COMMON", "cloud_server": cloud_server,
                      "endpoints": [{"dev_service": "SSH", "service": "SSH", "uri": private_ip}],
                      "image": {"arch": "arm64", "id": derived_id("image", "EulerOS-2.10-Arm-64bit"),
                                "name": "EulerOS-2.10-Arm-64bit", "type": "PUBLIC"},
                      "vpc_id": subnet["vpc_id"], "subnet_id": subnet["id"], "volumes": [],
                      "create_at": created, "update_at": max(created, NOW_MS), "sim_a3": a3, "sim_owner": owner_id,
                      "sim_project_id": project_id}
            listed = server.get("eips") or []
            if not isinstance(listed, list):
                fail(where, "eips must be a list of addresses")
            for ref in listed:
                ip = address(ref, where, "eips")
                if ip in bound:
                    fail(where, "EIP %s is also bound to %s" % (ip, bound[ip]))
                if ip not in eips:
                    eips[ip] = (where, eip_record({"address": ip}, where, project_id, {}, subnets))
                if eips[ip][1]["status"] != "DOWN":
                    fail(where, "EIP %s is %s and cannot be bound" % (ip, eips[ip][1]["status"]))
                bound[ip] = where
                attach_eip(eips[ip][1], record, derived_id("port", ip), NOW)
            servers.append(record)
    return servers


def expand_imetal(doc, project_id, domain_id, subnets):
    instances, physical = [], []
    for index, instance in enumerate(entries(doc, "imetal_instances")):
        with one_entry():
            where = "imetal_instances[%d]" % index
            # The SDK gives iMetal names no pattern: any text the console allows, CJK and emoji included.
            name = text(instance, "name", where, required=True)
            if len(name) > 64:
                fail(where, "name is longer than 64 characters")
            instance_id = named_id(instance, "imetal", doc["imetal_instances"], index, name, where)
            state = choice(instance, "state", where, INSTANCE_STATES, "running")
            created = moment(instance, "created_at", where)
            nics = instance.get("nics")
            if not isinstance(nics, list) or not 1 <= len(nics) <= 2:
                fail(where, "nics must list 1 or 2 network interfaces ({subnet, ip})")
            interfaces, vpcs = [], set()
            for position, nic in enumerate(nics):
                at = "%s.nics[%d]" % (where, position)
                mapping(nic, at, "nics")
                subnet = subnets.find(text(nic, "subnet", at, required=True), at, "subnet")
                vpcs.add(subnet["vpc_id"])
                interfaces.append({"subnet_id": subnet["id"],
                                   "ipv4_address": subnets.take(subnet, nic.get("ip"), at, "ip")})
            if len(vpcs) > 1:
                fail(where, "its nics are in subnets of different VPCs; an instance's NICs share one VPC")
            tags = instance.get("tags") or {}
            if not isinstance(tags, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in tags.items()):
                fail(where, "tags must map names to strings")
            box = instance.get("physical_server") or {}
            mapping(box, where + ".physical_server", "physical_server")
            if isinstance(box.get("power_state"), bool):
                # YAML 1.1 reads a bare on/off as true/false.
                box = dict(box, power_state="on" if box["power_state"] else "off")
            server_id = an_id(box, "physical-server", instance_id, where + ".physical_server")
            power = choice(box, "power_state", where + ".physical_server", POWER_STATES,
                           "on" if state == "running" else "off")
            instances.append({"id": instance_id, "name": name, "state": state,
                              "operation_state": text(instance, "operation_state", where, default="install-succeed"),
                              "vpc_id": vpcs.pop(), "network_interfaces": interfaces, "server_id": server_id,
                              "image": {"id": derived_id("image", instance.get("image") or "Ubuntu 22.04 bare metal"),
                                        "name": text(instance, "image", where, default="Ubuntu 22.04 bare metal")},
                              "tags": [{"key": k, "value": v} for k, v in sorted(tags.items())], "metadata": {},
                              "description": "", "error": None, "created_at": created, "updated_at": created,
                              "sim_project_id": project_id})
            physical.append({"id": server_id, "name": text(box, "name", where + ".physical_server",
                                                           default="rack-%s" % instance_id[:8]),
                             "power_state": power, "manage_state": "in-use", "operation_state": None,
                             "health_state": "OK", "frozen_state": 0, "onboard_time": created,
                             "domain_id": domain_id, "project_id": project_id})
    return instances, physical


def from_text(content, name):
    """The state for a seed file's text (YAML, or JSON when ``name`` ends in .json)."""
    from .state import parse_seed
    return parse_seed(content, name)


def expand(doc, state_config_keys):
    """The simulator's state for a seed document (``hwsim_seed: 1``); every problem of its entries at once."""
    found = _Problems.found = []
    try:
        state = _expand(doc, state_config_keys)
    except SeedError as exc:
        found.append(str(exc))
    except Exception:  # pylint: disable=broad-except
        # What follows from an entry already refused (a server on a subnet that was not made, say).
        if not found:
            raise
    finally:
        _Problems.found = None
    if found:
        raise SeedError(found[0] if len(found) == 1 else "%d problems:\n%s" % (len(found), "\n".join(found)))
    return state


def _expand(doc, state_config_keys):
    if not isinstance(doc, dict):
        fail("seed", "must be a mapping with hwsim_seed: %d" % FORMAT_VERSION)
    if doc.get("hwsim_seed") != FORMAT_VERSION:
        fail("hwsim_seed", "must be %d (the seed format's version), got %r" % (FORMAT_VERSION, doc.get("hwsim_seed")))
    unknown = sorted(set(doc) - set(TOP))
    if unknown:
        fail("seed", "unknown key(s) %s; known: %s" % (", ".join(unknown), ", ".join(TOP)))
    region = text(doc, "region", "region", default="ap-southeast-3", pattern=re.compile(r"^[a-z]+(-[a-z]+)+-\d+$"))
    state, project_id, domain_id = account(region)
    subnets = expand_network(doc, project_id)
    bandwidths = expand_bandwidths(doc, project_id)
    eips = expand_eips(doc, project_id, bandwidths, subnets)
    servers = expand_lite_servers(doc, project_id, subnets, eips, state["users"])
    instances, physical = expand_imetal(doc, project_id, domain_id, subnets)
    config = doc.get("config") or {}
    if not isinstance(config, dict):
        fail("config", "must be a mapping of behaviour knobs")
    unknown = sorted(set(config) - set(state_config_keys))
    if unknown:
        fail("config", "unknown knob(s) %s; known: %s" % (", ".join(unknown), ", ".join(sorted(state_config_keys))))
    policies = expand_iam(doc, state)
    quotas = mapping(doc.get("quotas") or {}, "quotas", "quotas")
    config = dict(config)
    if "eips" in quotas:
        config["eip_quota"] = integer(quotas, "eips", "quotas", 0, 100000, 100)
    unique([(w, r["id"]) for w, r in eips.values()], "id", "EIP id")
    state.update(config=config, region=region, subnets=list(subnets.records.values()),
                 bandwidths=list(bandwidths.values()), publicips=[r for _w, r in eips.values()],
                 dev_servers=servers, instances=instances, physical_servers=physical, policies=policies)
    return state


def expand_iam(doc, state):
    """{principal user id: policies} from the seed's ``iam`` entries: ``{user: name, policies: [...]}`` or
    ``{agency: name, policies: [...]}`` (the policy documents of hwsim/iam.py)."""
    from .iam import PolicyError, check_policies
    policies = {}
    for index, entry in enumerate(entries(doc, "iam")):
        with one_entry():
            where = "iam[%d]" % index
            entry = mapping(entry, where, "an IAM entry")
            unknown = sorted(set(entry) - {"user", "agency", "policies"})
            if unknown or ("user" in entry) == ("agency" in entry):
                fail(where, "an entry is {user: NAME, policies: [...]} or {agency: NAME, policies: [...]}")
            if "user" in entry:
                found = [u["id"] for u in state["users"] if entry["user"] in (u["name"], u["id"])]
            else:
                found = [a["user_id"] for a in state["agencies"] if a["name"] == entry["agency"]]
            if len(found) != 1:
                fail(where, "%s %r is none of the simulated account's (users: %s; agencies: %s)" % (
                    "user" if "user" in entry else "agency", entry.get("user", entry.get("agency")),
                    ", ".join(u["name"] for u in state["users"]), ", ".join(a["name"] for a in state["agencies"])))
            try:
                policies[found[0]] = check_policies(entry.get("policies"), where + ".policies")
            except PolicyError as exc:
                fail(where, str(exc))
    return policies
