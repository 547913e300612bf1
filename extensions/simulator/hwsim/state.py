"""The simulator's state: seeded from a seed (fleet.py), changed by the API handlers as the cloud would change it."""

import copy
import ipaddress
import json
import math
import re
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

DEFAULT_CONFIG = {
    # What GET /dev-servers/{id}/publicips answers when nothing is bound: "error" (the documented answer, whose
    # status, code and text are ``list_eips_empty_error``) or "empty" ({"public_ips": []}).
    "list_eips_when_empty": "error",
    "list_eips_empty_error": {"status": 400, "code": "ModelArts.6413",
                              "message": "The LiteServer instance has no EIP bound."},
    # Releasing an EIP is asynchronous: after an unbind it stays in use (shown with ``eip_release_status`` and its
    # old port) for this many VPC reads of it and at least this many seconds; a bind meanwhile is refused as in use.
    "eip_release_reads": 0,
    "eip_release_seconds": 0,
    "eip_release_status": "ACTIVE",
    # A new EIP reads PENDING_CREATE for this many VPC reads of it, then DOWN; a deleted one PENDING_DELETE for this
    # many, then it is gone. New EIPs take the first free address of ``eip_pool``; at most ``eip_quota`` per project.
    "eip_create_reads": 1,
    "eip_delete_reads": 0,
    "eip_pool": "203.0.113.128/25",
    "eip_quota": 100,
    # After a bind the EIP reads BINDING (ACTIVE while unbinding) for this many VPC reads of it.
    "eip_settle_reads": 0,
    # ModelArts listings answer at most this many servers per page whatever ``limit`` asks (0: no cap).
    "modelarts_page_cap": 0,
    # The project listing (dev-servers/all) has no paging parameters in the SDK's models and answers every server
    # at once (0). With a cap it answers at most this many, its ``total`` counting all, and treats ``limit`` and
    # ``offset`` as ``modelarts_all_paging`` says: "offset" pages like the user listing, "ignore" answers the
    # first page again, "refuse" is 400 for an unknown parameter (what the gateway does with one).
    "modelarts_all_page_cap": 0,
    "modelarts_all_paging": "refuse",
    # The EIP (v3) and iMetal listings answer at most this many items per page whatever ``limit`` asks (0: the
    # largest the SDK's models allow: 2000 EIPs, 1000 instances).
    "eip_page_cap": 0,
    # The EIP API shows the device (server) of a bound EIP's port in vnic.device_id; false: it leaves it empty.
    "eip_vnic_device_shown": True,
    "imetal_page_cap": 0,
    # An iMetal IP change stays modify-ip-processing for this many reads of the instance (status reads or listings
    # that include it) and at least this many seconds.
    "imetal_ip_change_polls": 2,
    "imetal_ip_change_seconds": 0,
    # After an IP change is accepted, this many status reads still answer the state from before it (stale reads).
    "imetal_stale_status_reads": 0,
    # IAM actions refused to every caller with 403, e.g. ["modelarts:devserver:list"] (an implicit Deny).
    "denied_actions": [],
    # The actions a call needs, per handler, where Huawei does not document them: {handler: {"1.1": [...],
    # "5.0": [...]}} (hwsim/iam.py's ACTIONS are the defaults).
    "iam_actions": {},
    # What a service answers for a call the caller's policies refuse: {service: {status, code, message}}, the
    # message's {action} being the action refused (hwsim/iam.py's REFUSALS are the defaults).
    "iam_refusals": {},
    # Requests per second allowed per credential (AK, token); past it: 429 APIG.0308.
    "rate_limit_per_second": 100,
    "token_ttl_seconds": 86400,
    # Temporary credentials the identity services issue (metadata, pod identity, STS, IAM security tokens) last
    # what the request asks, at most this long (metadata and pod identity: exactly this long).
    "issued_credential_ttl_seconds": 3600,
    # The agency of the simulated ECS/BMS the instance metadata serves keys of ("" : none, which the metadata
    # service refuses with "Please configure Cloud Service Agency first").
    "metadata_agency": "ecs-ops-agency",
    # The metadata session token (PUT /meta-data/latest/api/token): "required" (a GET without it is 401),
    # "optional" (both work) or "absent" (the PUT is 404, as on older images).
    "metadata_token_api": "required",
    # The answer shape of STS assume-with-oidc: "credentials" ({"credentials": {access_key_id, secret_access_key,
    # security_token, expiration}}) or "credential" (IAM's {"credential": {access, secret, securitytoken,
    # expires_at}}).
    "sts_answer_shape": "credentials",
}


def attach_eip(eip, server, port_id, now):
    """The EIP record bound to a Lite Server through a new port (what a bind does, and what a seed's binding is)."""
    private_ip = next((e.get("uri") for e in server.get("endpoints", []) if e.get("uri")), None)
    cloud_server = server["cloud_server"]
    # The port's device is the ECS/BMS: for an HPS server the sub-node's ECS (hps_ecs_id). vnic.instance_id names
    # an owning service's instance (RDS, ...) and is empty for a server's port.
    eip.update({
        "status": "ACTIVE", "port_id": port_id, "private_ip_address": private_ip,
        "associate_instance_type": "PORT", "associate_instance_id": port_id,
        "vnic": {"port_id": port_id, "private_ip_address": private_ip,
                 "device_id": cloud_server.get("hps_ecs_id") or cloud_server["id"],
                 "device_owner": "compute:nova", "instance_id": "", "instance_type": "",
                 "vpc_id": server.get("vpc_id")},
        "sim_bound_server": server["id"], "updated_at": now,
    })


class SimClock:
    """The simulated cloud's time: the real clock plus an offset that only moves forward (the admin API's
    ``POST /__sim__/clock {"advance": seconds}``). It times what the cloud does on its own (throttling windows, EIP
    releases, iMetal changes, slow answers) and the lifetimes of what it issues (tokens, temporary keys), so a test
    that lets minutes pass on its own clock moves the cloud's by as much, in no time. A signature's ``X-Sdk-Date``
    is the caller's wall clock and is checked against the real one.

    Moving the clock also lets the cloud catch up: it returns once every request that came before it has been
    handled, or is held by a slow-answer fault whose time has not come (one whose time has come is handled first).
    A client that sleeps on a clock moving this one never reads the state of a moment the cloud has not reached."""

    # The longest the clock waits for the requests in flight to be handled (real seconds; less than the 10 s an
    # admin call of hwsim.control allows).
    SETTLE = 8.0

    def __init__(self):
        self.cond = threading.Condition()
        self.offset = 0.0
        self.busy = 0
        self.held = []

    def monotonic(self):
        return time.monotonic() + self.offset

    def time(self):
        return time.time() + self.offset

    def now(self):
        return datetime.now(timezone.utc) + timedelta(seconds=self.offset)

    def view(self):
        """What the admin API shows: the offset and the simulated UTC time."""
        return {"offset": self.offset, "now": self.now().strftime("%Y-%m-%dT%H:%M:%S.%fZ")}

    def advance(self, seconds):
        if isinstance(seconds, bool):
            raise ValueError("advance must be a number of seconds")
        seconds = float(seconds)
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError("advance must be a number of seconds, 0 or more")
        with self.cond:
            self.offset += seconds
            self.cond.notify_all()
            self.cond.wait_for(self._caught_up, timeout=self.SETTLE)
        return self.offset

    def _caught_up(self):
        now = self.monotonic()
        return self.busy == 0 and not any(until <= now for until in self.held)

    # -- requests in flight ----------------------------------------------------------------------------------

    def enter(self):
        """An API request begins (its handling may change the state)."""
        with self.cond:
            self.busy += 1

    def leave(self):
        with self.cond:
            self.busy -= 1
            self.cond.notify_all()

    def hold(self, seconds):
        """Hold the request that called it for ``seconds`` of the simulated clock (a slow answer): it ends when the
        real time has passed or the clock was moved past it, whichever comes first."""
        with self.cond:
            until = self.monotonic() + float(seconds)
            self.held.append(until)
            self.busy -= 1
            self.cond.notify_all()
            while self.monotonic() < until:
                self.cond.wait(timeout=until - self.monotonic())
            self.held.remove(until)
            self.busy += 1


class SimState:
    def __init__(self, seed):
        self.lock = threading.RLock()
        self.initial_seed = copy.deepcopy(seed)
        self.clock = SimClock()
        self.load(seed)

    # -- loading --------------------------------------------------------------------------------------------------

    def load(self, seed):
        seed = copy.deepcopy(seed)
        with self.lock:
            with self.clock.cond:
                self.clock.offset = 0.0
            self.config = dict(DEFAULT_CONFIG, **seed.get("config", {}))
            self.domains = seed.get("domains", [])
            self.projects = seed.get("projects", [])
            self.credentials = {c["access_key"]: c for c in seed.get("credentials", [])}
            self.users = seed.get("users", [])
            self.tokens = {t["token"]: t for t in seed.get("tokens", [])}
            self.agencies = seed.get("agencies", [])
            # IAM policies by principal (user id of a user, agency or federated identity); absent: full access.
            self.policies = dict(seed.get("policies", {}))
            self.federation = seed.get("federation", {})
            self.metadata_tokens = set()
            self.subnets = {s["id"]: s for s in seed.get("subnets", [])}
            self.dev_servers = {s["id"]: s for s in seed.get("dev_servers", [])}
            self.publicips = {e["id"]: e for e in seed.get("publicips", [])}
            self.bandwidths = {b["id"]: b for b in seed.get("bandwidths", [])}
            self.instances = {i["id"]: i for i in seed.get("instances", [])}
            self.physical_servers = {p["id"]: p for p in seed.get("physical_servers", [])}
            self.pending_ip_changes = {}
            self.settling = {}
            self.stale_status = {}
            self.faults = []
            self.requests = []
            # Bumped whenever the log is emptied (server.py: a request logs only into the log it arrived in).
            self.log_epoch = getattr(self, "log_epoch", 0) + 1
            self.rate_windows = {}
            self.next_fault_id = 1

    @staticmethod
    def config_keys():
        return set(DEFAULT_CONFIG)

    def reset(self, seed=None):
        self.load(self.initial_seed if seed is None else seed)

    def snapshot(self):
        with self.lock:
            return {
                "config": self.config, "domains": self.domains, "projects": self.projects,
                "credentials": list(self.credentials.values()), "users": self.users,
                "tokens": list(self.tokens.values()), "agencies": self.agencies, "policies": self.policies,
                "subnets": list(self.subnets.values()),
                "dev_servers": list(self.dev_servers.values()), "publicips": list(self.publicips.values()),
                "bandwidths": list(self.bandwidths.values()),
                "instances": list(self.instances.values()), "physical_servers": list(self.physical_servers.values()),
            }

    # -- identities ---------------------------------------------------------------------------------------------

    def credential(self, access_key):
        return self.credentials.get(access_key)

    def principal_id(self, user=None, agency=None):
        """The user id of a user (by name or id) or an agency (by name); ValueError when there is none."""
        if user is not None and re.fullmatch(r"[0-9a-f]{32}", user):
            # Any principal by its user id (another account's user, say).
            return user
        if user is not None:
            found = [u["id"] for u in self.users if user in (u["name"], u["id"])]
        else:
            found = [a["user_id"] for a in self.agencies if a["name"] == agency]
        if len(found) != 1:
            raise ValueError("no simulated %s %r (users: %s; agencies: %s)" % (
                "user" if user is not None else "agency", user if user is not None else agency,
                ", ".join(u["name"] for u in self.users), ", ".join(a["name"] for a in self.agencies)))
        return found[0]

    def set_policies(self, principal_id, policies):
        """Attach ``policies`` to a principal (None: take them away, full access again)."""
        with self.lock:
            if policies is None:
                self.policies.pop(principal_id, None)
            else:
                self.policies[principal_id] = list(policies)

    def project(self, project_id):
        return next((p for p in self.projects if p["id"] == project_id), None)

    def domain_by_name(self, name):
        return next((d for d in self.domains if d["name"] == name), None)

    # -- rate limit ----------------------------------------------------------------------------------------------

    def over_rate_limit(self, key):
        limit = self.config["rate_limit_per_second"]
        if not limit:
            return False
        now = self.clock.monotonic()
        with self.lock:
            window = [t for t in self.rate_windows.get(key, []) if now - t < 1.0]
            over = len(window) >= limit
            if not over:
                window.append(now)
            self.rate_windows[key] = window
            return over

    # -- faults ---------------------------------------------------------------------------------------------------

    def add_fault(self, spec):
        with self.lock:
            fault = {
                "id": self.next_fault_id, "method": spec.get("method", "*").upper(), "path": spec.get("path", ".*"),
                "status": spec.get("status"), "count": spec.get("count", 1), "error_code": spec.get("error_code"),
                "error_msg": spec.get("error_msg"), "body": spec.get("body"), "latency": spec.get("latency", 0),
                "drop": spec.get("drop"), "retry_after": spec.get("retry_after"), "hits": 0,
                "latency_after": spec.get("latency_after", 0), "apply": bool(spec.get("apply", False)),
                "raw": spec.get("raw"), "content_type": spec.get("content_type", "application/json"),
                "headers": dict(spec.get("headers") or {}), "skip": int(spec.get("skip") or 0),
            }
            unknown = set(spec) - set(fault) - {"path", "method"}
            if unknown:
                raise ValueError("unknown fault fields: %s" % sorted(unknown))
            if fault["drop"] not in (None, "before", "after"):
                raise ValueError("drop must be 'before' or 'after'")
            self.next_fault_id += 1
            self.faults.append(fault)
            return fault

    def take_fault(self, method, path):
        with self.lock:
            for fault in self.faults:
                if fault["count"] is not None and fault["count"] <= 0:
                    continue
                if fault["method"] not in ("*", method):
                    continue
                if not re.search(fault["path"], path):
                    continue
                if fault["skip"] > 0:
                    # The first ``skip`` matching requests pass untouched (a fault for the third listing, say).
                    fault["skip"] -= 1
                    continue
                fault["hits"] += 1
                if fault["count"] is not None:
                    fault["count"] -= 1
                return dict(fault)
        return None

    # -- IP address management for iMetal -------------------------------------------------------------------------

    def used_addresses(self, subnet_id, exclude_instance=None):
        used = set()
        for inst in self.instances.values():
            if inst["id"] == exclude_instance:
                continue
            for nic in inst.get("network_interfaces", []):
                if nic.get("subnet_id") == subnet_id and nic.get("ipv4_address"):
                    used.add(nic["ipv4_address"])
        used.update(self.subnets[subnet_id].get("reserved", []))
        return used

    def allocate_address(self, subnet_id, taken):
        network = ipaddress.ip_network(self.subnets[subnet_id]["cidr"])
        gateway = self.subnets[subnet_id].get("gateway_ip")
        for host in list(network.hosts())[1:]:
            text = str(host)
            if text not in taken and text != gateway:
                return text
        return None

    def new_id(self):
        return str(uuid.uuid4())


def load_seed(path):
    """A seed file: the user's format (YAML or JSON with ``hwsim_seed: 1``, see fleet.py), or the simulator's own
    state form (as the admin API's GET state returns it). Raises fleet.SeedError naming the file and what is wrong."""
    with open(path, "r", encoding="utf-8") as handle:
        return parse_seed(handle.read(), path)


def parse_seed(content, path):
    """A seed file's text (``path`` names it in errors and tells YAML from JSON)."""
    from . import fleet
    if path.endswith((".yml", ".yaml")):
        import yaml
        try:
            doc = yaml.safe_load(content)
        except yaml.YAMLError as exc:
            raise fleet.SeedError("%s: not valid YAML: %s" % (path, exc))
    else:
        try:
            doc = json.loads(content)
        except ValueError as exc:
            raise fleet.SeedError("%s: not valid JSON: %s" % (path, exc))
    if isinstance(doc, dict) and ("hwsim_seed" in doc or path.endswith((".yml", ".yaml"))):
        try:
            return fleet.expand(doc, DEFAULT_CONFIG)
        except fleet.SeedError as exc:
            raise fleet.SeedError("%s: %s" % (path, exc))
    return doc


def seed_region(seed):
    """The region of a seed's (first) project: what the connection settings name."""
    return seed.get("region") or seed["projects"][0]["name"]
