"""Hostile inputs: at least 300 generated values for every user-supplied option of every module.

Each value runs the module's entry point with otherwise valid arguments and must be rejected before any request
reaches the simulator: the module fails, with no traceback, and no secret (the seed's or the hostile credential
itself) appears in its output.
"""

import ipaddress
import copy
import json
import re
from urllib.parse import quote

import pytest

from ansible_collections.hwcloud.infra.plugins.module_utils._rules import RULES
from ansible_collections.hwcloud.infra.plugins.modules import (cdc_imetal_instance_info, cdc_imetal_ip,
                                                               cdc_imetal_ip_batch, modelarts_devserver_eip,
                                                               modelarts_devserver_eip_batch, modelarts_devserver_info,
                                                               vpc_eip, vpc_eip_info)

from hwsim.seedinfo import SECRETS

MINIMUM = 300
CONTROL = [chr(c) for c in range(0x20)] + ["\x7f", "\x85", "\x9b", "\u2028", "\u2029"]
# Characters that look harmless or are invisible: none belongs in an id, a name, a host or a header.
ODD = ["\uff0f", "\u2215", "\u2044", "\u200b", "\u200d", "\u202e", "\u2066", "\ufeff", "\u00a0", "\u3000", "\uff0e",
       "\u0301", "\U0001f600", "/", "\\", " ", "%", "?", "#", "&", ";", "'", '"', "<", ">", "|", "`", "$", "{", "}",
       "*", "@", ":", "=", "+", ",", "!", "~", "^", "[", "]", "(", ")"]
TRAVERSAL = ["../", "..", "..\\", "%2e%2e%2f", "%2F", "/etc/passwd", "a/../b", "....//", "..;/", "%00", "?x=1", "#f",
             "/v3/auth/tokens", "..%c0%af", "%252e%252e"]
SECRET_BASE = "HOSTILESECRETVALUE0001"


def _positions(base, insert):
    return [insert + base, base + insert, base[:3] + insert + base[3:]]


def strings(base, odd=True, traversal=True, limit=64, wrong_types=True):
    """Hostile variants of a valid ``base``: control characters, odd unicode, traversal, over-long, wrong types."""
    values = []
    for ch in CONTROL:
        values += _positions(base, ch)
    if odd:
        for ch in ODD:
            values += _positions(base, ch)
    if traversal:
        for piece in TRAVERSAL:
            values += [piece + base, base + piece, piece]
    values += [base[0] * n for n in range(limit + 1, limit + 40)] + [base * (limit // len(base) + 2), "x" * 100000]
    if wrong_types:
        values += [[base], {"k": base}, [base, base]]
    return _unique(values)


def paths(name):
    """Files that cannot be read as a credential source: missing, hostile names, directories, devices, too long."""
    return (["/nonexistent/%s/%s" % (v, name) for v in strings("dir") if isinstance(v, str)]
            + ["/nonexistent/%s-%d" % (name, n) for n in range(60)] + ["/", "/tmp", "/dev/null", "x" * 5000])


def _unique(values):
    seen, out = set(), []
    for value in values:
        key = json.dumps(value, sort_keys=True)
        if key not in seen:
            seen.add(key)
            out.append(value)
    return out


def credential_strings(header=True, limit=128):
    """For credentials: control characters everywhere; in header-carried ones also white space and non-ASCII."""
    values = []
    for base in (SECRET_BASE, SECRET_BASE.lower() + "-2", "S3cr3t+/=" + SECRET_BASE):
        for ch in CONTROL:
            values += _positions(base, ch)
        if header:
            for ch in [c for c in ODD if ord(c) > 0x7e or c == " "]:
                values += _positions(base, ch)
    values += ["\ud800" + SECRET_BASE, SECRET_BASE + "\udfff"]
    values += ["A" * n for n in (limit + 1, limit + 2, limit * 2, 100000)]
    return _unique(values)


def integers(low, high):
    values = [low - 1, high + 1, -1, -(10 ** 400), 10 ** 400, 10 ** 30, "1e400", "NaN", "inf", "-0x1", "1.5", 1.5,
              [1], {"n": 1}, "ten", "", " ", "1 0", "0x10"]
    values += [high + k for k in range(2, 150)] + [low - k for k in range(2, 150)]
    values += [10 ** k for k in range(len(str(high)), 60)]
    return _unique([v for v in values if not (isinstance(v, int) and low <= v <= high)])


def floats(low, high):
    """Values that are not a number from ``low`` to ``high`` once Ansible has converted them to a float."""
    def accepted(value):
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            return False
        try:
            return low <= float(value) <= high
        except (ValueError, OverflowError):
            return False
    values = integers(low, high) + [float(high) + 0.5, -0.001, "nan", "-inf", "1e3000", "0x10p1", "1,5"]
    return _unique([v for v in values if not accepted(v)])


def booleans():
    values = ["maybe", "yess", "nope", "2", "-1", "truee", "ja", "oui", "si", "none", "null", "[]", "{}", 2, -1, 3.5,
              [True], {"v": True}, "y e s", "t r u e"]
    values += ["bool%d" % n for n in range(300)] + list(range(2, 40))
    return _unique(values)


def ipv4_edges():
    values = []
    for network, count in (("127.0.0.0/8", 40), ("224.0.0.0/4", 40), ("169.254.0.0/16", 40), ("240.0.0.0/4", 40),
                           ("0.0.0.0/8", 40)):
        hosts = ipaddress.IPv4Network(network)
        step = max(1, hosts.num_addresses // count)
        values += [str(hosts[i * step]) for i in range(count)]
    values += ["255.255.255.255", "256.1.1.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.04", " 10.0.0.1", "10.0.0.1 ",
               "10.0.0.1\n", "::1", "fe80::1", "10.0.0.0/24", "10.0.0.-1", "0x0a.0.0.1", "10.0.0.1%eth0", "１０.0.0.1",
               "10.0.0.1/../x", "", "a.b.c.d", 10, [10]]
    values += ["%d.%d.%d.%d" % (a, b, 1, 1) for a in (300, 999) for b in range(30)]
    return _unique(values)


def eip_refs():
    values = ipv4_edges() + strings("6a1f0c3e-8d2b-4e5f-9c7a-1b3d5e7f9a2c", limit=36)
    values += ["6A1F0C3E-8D2B-4E5F-9C7A-1B3D5E7F9A2C", "6a1f0c3e8d2b4e5f9c7a1b3d5e7f9a2c", "eip-by-name",
               "../../publicips", "6a1f0c3e-8d2b-4e5f-9c7a-1b3d5e7f9a2", "g" * 36]
    return _unique([v for v in values if v != ""])


def eip_names(base):
    """Hostile EIP names: the generated strings, less those the API documents as valid names (1 to 64 letters,
    digits, underscores, hyphens and dots; "..web" is a name, not a path)."""
    return [v for v in strings(base) if not (isinstance(v, str) and re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", v))] + [
        "", "名" * 65, "a b", "a\tb"]


def urls():
    values = []
    for host in ("vpc.example.com", "127.0.0.1:8080", "sim.local"):
        values += ["https://user:pass@%s" % host, "https://token@%s" % host, "https://%s/?q=1" % host,
                   "https://%s/#f" % host, "https://%s/a b" % host, "ftp://%s" % host, "file://%s/etc" % host,
                   "javascript:alert(1)", "//%s" % host, "https:///%s" % host, "https://%s:0" % host.split(":", maxsplit=1)[0],
                   "https://%s:65536" % host.split(":", maxsplit=1)[0], "https://%s:abc" % host.split(":", maxsplit=1)[0],
                   "https://%s\\@evil.com" % host, "https://%s/%%2e%%2e/" % host, "http://%s/x?" % host]
        for ch in CONTROL + [c for c in ODD if ord(c) > 0x7e]:
            values.append("https://%s%s" % (host, ch))
            values.append("https://%s%s.example.com" % (ch, host.split(":", maxsplit=1)[0]))
    values += ["https://" + "a" * 64 + ".example.com", "https://" + ("a." * 130) + "com", "https://-bad.example.com",
               "https://xn--.example.com", "https://exa_mple.com", "", " ", "https://", 12, ["https://x"], {"u": 1},
               "https://" + "x" * 3000]
    endpoint_maps = [{"vpc": url} for url in _unique(values)]
    endpoint_maps += [{"ecs": "https://x.example.com"}, {"": "https://x.example.com"}, {"VPC": "https://x.example.com"},
                      {"vpc\n": "https://x.example.com"}, "not a mapping", ["https://x.example.com"], 5]
    return endpoint_maps


def agency_names(base, rule=r"[A-Za-z0-9._-]{1,64}"):
    """Hostile agency and account names: the generated strings, less the names the collection's rule allows."""
    return [v for v in strings(base) if not (isinstance(v, str) and re.fullmatch(rule, v))] + ["", "a b", "名"]


def base_urls():
    """Hostile base URLs of one service (the metadata service's)."""
    return [m["vpc"] for m in urls() if isinstance(m, dict) and "vpc" in m] + [5, ["http://x"], {"u": 1}]


def nics_values(subnet):
    values = [{"subnet_id": subnet, "ip_address": ip} for ip in ipv4_edges() if ip != ""]
    values += [{"subnet_id": s} for s in strings(subnet, limit=64) if isinstance(s, str)]
    lists = [[v] for v in values]
    lists += [[], [{"subnet_id": subnet}] * 3, "not-a-list", [{"subnet": subnet}], [{"subnet_id": subnet, "x": 1}],
              [{"subnet_id": subnet, "ip_address": "10.0.1.5"}, {"subnet_id": subnet, "ip_address": "10.0.1.5"}]]
    return lists


def _run(sim, run_module, main, args):
    sim.clear_requests()
    # The options of the credential chain are tried without the simulator's keys (their own source is read).
    out = run_module(main, sim, args, connection="access_key" in args or "auth_token" in args or "user_name" in args)
    return out, sim.requests()


def _connection(sim, option):
    """Valid connection options for the auth method the hostile option belongs to."""
    conn = sim.connection_options()
    if option == "auth_token":
        conn = {k: v for k, v in conn.items() if k not in ("access_key", "secret_key")}
    if option in ("profile", "shared_config_file", "credentials_file", "auth_source"):
        # The chain reaches the files only when no credential option is set.
        conn = {k: v for k, v in conn.items() if k not in ("access_key", "secret_key")}
    if option in ("user_name", "password", "domain_name"):
        conn = {k: v for k, v in conn.items() if k not in ("access_key", "secret_key")}
        conn.update(user_name="ops-admin", password="valid-password", domain_name="hwcloud-demo")
    return conn


def _item(key):
    """Place a hostile value in the first item of a batch module's list option ``key``."""
    def place(args, name, value):
        args[key] = [dict(args[key][0], **{name: value})] + args[key][1:]
    return place


def _cases(state):
    subnet = next(s["id"] for s in state["subnets"] if s["name"] == "subnet-a1")
    eip_args = {"server": "train-a3-01", "public_ip": "203.0.113.15"}
    ip_args = {"instance": "gpu-node-03", "nics": [{"subnet_id": subnet, "ip_address": "10.0.1.66"}]}
    eip, ip = modelarts_devserver_eip.main, cdc_imetal_ip.main
    eip_batch, ip_batch = modelarts_devserver_eip_batch.main, cdc_imetal_ip_batch.main
    bindings = {"bindings": [eip_args, {"server": "train-a3-02", "public_ip": "203.0.113.16"}]}
    instances = {"instances": [ip_args]}
    return {
        "concurrency": (eip_batch, bindings, integers(1, 64)),
        "rate_limit": (ip_batch, instances, floats(0, 1000)),
        "bindings.server": (eip_batch, bindings, strings("train-a3-01"), _item("bindings")),
        "bindings.public_ip": (eip_batch, bindings, eip_refs(), _item("bindings")),
        "bindings.state": (eip_batch, bindings, strings("present"), _item("bindings")),
        "instances.instance": (ip_batch, instances, strings("gpu-node-03"), _item("instances")),
        "instances.vpc_id": (ip_batch, instances, strings("5b1c8d0e-2f4a-4c6b-8e1d-3a5c7e9b1d2f"),
                             _item("instances")),
        "instances.nics": (ip_batch, instances, nics_values(subnet), _item("instances")),
        "region": (eip, eip_args, strings("ap-southeast-3") + ["AP-SOUTHEAST-3", "ap_southeast_3", "-ap"]),
        "project_id": (eip, eip_args, strings("0a1b2c3d4e5f40718293a4b5c6d7e8f9")),
        "access_key": (eip, eip_args, credential_strings(limit=128)),
        "secret_key": (eip, eip_args, credential_strings(limit=256)),
        "security_token": (eip, eip_args, credential_strings(limit=16384)),
        "auth_token": (eip, eip_args, credential_strings(limit=32768)),
        "user_name": (eip, eip_args, credential_strings(header=False, limit=64)),
        "password": (eip, eip_args, credential_strings(header=False, limit=128)),
        "domain_name": (eip, eip_args, credential_strings(header=False, limit=64)),
        "cloud": (eip, eip_args, strings("myhuaweicloud.com", limit=253) + ["a..b", "-a.com", "a.com:443", "com"]),
        "endpoints": (eip, eip_args, urls()),
        "ca_bundle": (eip, eip_args, ["/nonexistent/%s/ca.pem" % v for v in strings("dir") if isinstance(v, str)]
                      + ["/nonexistent/ca-%d.pem" % n for n in range(60)] + ["/", "/tmp", "/nonexistent"]),
        "auth_source": (eip, eip_args, strings("profile")),
        "profile": (eip, eip_args, strings("prod")),
        "shared_config_file": (eip, eip_args, paths("config.json")),
        "credentials_file": (eip, eip_args, paths("credentials")),
        "metadata_url": (eip, eip_args, base_urls()),
        "agency_name": (eip, dict(eip_args, agency_domain_name="hwcloud-demo"), agency_names("cross-ops")),
        "agency_domain_name": (eip, dict(eip_args, agency_name="cross-ops"), agency_names("hwcloud-demo")),
        "agency_domain_id": (eip, dict(eip_args, agency_name="cross-ops"),
                             agency_names("d0c1a2b3c4d5e6f708192a3b4c5d6e7f", r"[A-Za-z0-9]{1,64}")),
        "agency_duration": (eip, dict(eip_args, agency_name="cross-ops", agency_domain_name="hwcloud-demo"),
                            integers(900, 86400)),
        "validate_certs": (eip, eip_args, booleans()),
        "api_timeout": (eip, eip_args, integers(1, 600)),
        "api_retries": (eip, eip_args, integers(0, 20)),
        "server": (eip, eip_args, strings("train-a3-01")),
        "public_ip": (eip, eip_args, eip_refs()),
        "state": (eip, eip_args, strings("present")),
        "allow_rebind": (eip, eip_args, booleans()),
        "exclusive": (eip, eip_args, booleans()),
        "wait": (eip, eip_args, booleans()),
        "wait_timeout": (eip, eip_args, integers(1, 86400)),
        "info.server": (modelarts_devserver_info.main, {}, strings("train-a3-01")),
        "instance": (ip, ip_args, strings("gpu-node-03")),
        "vpc_id": (ip, ip_args, strings("5b1c8d0e-2f4a-4c6b-8e1d-3a5c7e9b1d2f")),
        "nics": (ip, ip_args, nics_values(subnet)),
        "imetal.wait_timeout": (ip, ip_args, integers(1, 86400)),
        "ids": (cdc_imetal_instance_info.main, {}, [[v] for v in strings("5b1c8d0e2f4a")] + ["x" * 70]
                + [["5b1c8d0e2f4a"] * 1001]),
        "info.name": (cdc_imetal_instance_info.main, {}, strings("gpu-node-03")),
        "info.state": (cdc_imetal_instance_info.main, {}, strings("running")),
        "eip.name": (vpc_eip.main, {"name": "web-01"}, eip_names("web-01")),
        "eip.id": (vpc_eip.main, {"state": "absent"}, strings("7cdd9198-f98c-5664-9fa3-82c842e6868a")),
        "eip.type": (vpc_eip.main, {"name": "web-01"}, strings("5_bgp")),
        "bandwidth_size": (vpc_eip.main, {"name": "web-01"}, integers(1, 2000)),
        "bandwidth_name": (vpc_eip.main, {"name": "web-01"}, eip_names("bw-01")),
        "bandwidth_charge_mode": (vpc_eip.main, {"name": "web-01"}, strings("bandwidth")),
        "unbind": (vpc_eip.main, {"name": "web-01", "state": "absent"}, booleans()),
        "bandwidth_share_type": (vpc_eip.main, {"name": "web-01"}, strings("WHOLE")),
        "bandwidth_id": (vpc_eip.main, {"name": "web-01", "bandwidth_share_type": "WHOLE"},
                         strings("88fc946c-64b6-5dcb-8ba4-050fbfe19bfa")),
        "eipinfo.ids": (vpc_eip_info.main, {}, [[v] for v in strings("7cdd9198-f98c-5664-9fa3-82c842e6868a")]),
        "addresses": (vpc_eip_info.main, {}, [[v] for v in ipv4_edges() + strings("203.0.113.11")]),
        "eipinfo.name": (vpc_eip_info.main, {}, eip_names("free-01")),
        "eipinfo.status": (vpc_eip_info.main, {}, [[v] for v in strings("DOWN")]),
        "free": (vpc_eip_info.main, {}, booleans()),
        "eipinfo.server": (vpc_eip_info.main, {}, strings("train-a3-01")),
        "port_id": (vpc_eip_info.main, {}, strings("2ddd26fd-d090-504e-a752-d11a3562d06c")),
    }


OPTIONS = ["region", "project_id", "access_key", "secret_key", "security_token", "auth_token", "user_name",
           "password", "domain_name", "auth_source", "profile", "shared_config_file", "credentials_file",
           "metadata_url", "agency_name", "agency_domain_name", "agency_domain_id", "agency_duration", "cloud",
           "endpoints", "ca_bundle", "validate_certs", "api_timeout",
           "api_retries", "server", "public_ip", "state", "allow_rebind", "exclusive", "wait", "wait_timeout",
           "info.server", "instance", "vpc_id", "nics", "imetal.wait_timeout", "ids", "info.name", "info.state",
           "concurrency", "rate_limit", "bindings.server", "bindings.public_ip", "bindings.state",
           "instances.instance", "instances.vpc_id", "instances.nics", "eip.name", "eip.id", "eip.type",
           "bandwidth_size", "bandwidth_name", "bandwidth_charge_mode", "unbind", "bandwidth_share_type", "bandwidth_id", "eipinfo.ids", "addresses",
           "eipinfo.name", "eipinfo.status", "free", "eipinfo.server", "port_id"]
SECRET_OPTIONS = ("access_key", "secret_key", "security_token", "auth_token", "password")
# Options that take a name, with its rule: a value the rule allows is a name the cloud can return (a Lite Server's
# "..train-a3-01", an iMetal instance's "gpu-node-03 🚀"), so it is looked up, but only in listings: never in a
# path, never written.
NAME_OPTIONS = {"server": "lite_server_name", "info.server": "lite_server_name", "bindings.server": "lite_server_name",
                "eipinfo.server": "lite_server_name", "instance": "imetal_instance_name",
                "info.name": "imetal_instance_name", "instances.instance": "imetal_instance_name"}
# Options of a batch's items: a batch refuses every item's problems at once, planning its valid items with reads.
BATCH_ITEMS = ("bindings", "instances")


@pytest.mark.parametrize("option", OPTIONS)
def test_every_hostile_value_is_rejected_before_any_request(sim, run_module, tally, option, monkeypatch):
    # A value that could make the client fall back to a public endpoint must not reach the network either.
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    case = _cases(sim.state())[option]
    main, args, values = case[:3]
    place = case[3] if len(case) > 3 else (lambda full, key, value: full.__setitem__(key, value))
    assert len(values) >= MINIMUM, "%s: only %d generated values" % (option, len(values))
    name = option.split(".")[-1]
    problems, names = [], 0
    rule = RULES[NAME_OPTIONS[option]] if option in NAME_OPTIONS else None
    for value in values:
        full = dict(_connection(sim, name), **args)
        place(full, name, value)
        out, reached = _run(sim, run_module, main, full)
        text = json.dumps(out)
        # Ansible turns a list or a mapping given for a string option into its text, which can be a valid name.
        text_value = value if isinstance(value, str) else str(value)
        if rule is not None and rule.allows(text_value):
            # A name no resource has: a failure ("not found"), or an info module's empty answer; never a change.
            names += 1
            if out.get("changed"):
                problems.append("the name %r changed something" % (value,))
            sent = [r for r in reached if r["method"] != "GET" or text_value in r["path"]
                    or quote(text_value, safe="") in r["path"]]
            if sent:
                problems.append("the name %r was sent: %s" % (value, [(r["method"], r["path"]) for r in sent][:2]))
        else:
            if not out.get("failed"):
                problems.append("accepted %r" % (value,))
            if option.split(".")[0] in BATCH_ITEMS:
                # The batch's other (valid) item is planned, with reads that must not carry the value.
                reached = [r for r in reached if r["method"] != "GET" or text_value in r["path"]
                           or quote(text_value, safe="") in r["path"]]
            if reached:
                problems.append("%r reached the simulator: %s" % (value, [r["path"] for r in reached][:2]))
        if "Traceback" in text or "Module failed" in text or "unexpected error" in out.get("msg", ""):
            problems.append("%r: traceback: %s" % (value, out.get("msg")))
        leaked = [s for s in SECRETS if s in text]
        if name in SECRET_OPTIONS and isinstance(value, str) and SECRET_BASE in value:
            if SECRET_BASE in text or SECRET_BASE.lower() in text:
                leaked.append("the hostile %s" % name)
        if leaked:
            problems.append("%r: secret in the output: %s" % (value, leaked))
        if len(problems) > 5:
            break
    assert not problems, "\n".join(problems)
    tally("hostile", option, [len(values), names])


# An AWX credential injects a field left blank as "": for these optional credential and TLS options an empty value
# is the same as no value (the other credential options: an empty one fails the login, refused by the method).
EMPTY_MEANS_UNSET = ("security_token", "auth_token", "ca_bundle")


@pytest.mark.parametrize("option", OPTIONS)
def test_null_and_empty_values_are_refused_or_mean_unset(sim, run_module, tally, option, monkeypatch):
    """``"{{ none }}"`` and ``""`` for every option: an empty value is refused before any request, naming the
    option; a null one means "not set", and where the option is needed it is refused the same way, never ending
    in an unexpected error or a message about ``None``."""
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    case = _cases(sim.state())[option]
    main, args = case[:2]
    place = case[3] if len(case) > 3 else (lambda full, key, value: full.__setitem__(key, value))
    name = option.split(".")[-1]
    problems = []
    for value in (None, ""):
        full = dict(_connection(sim, name), **args)
        place(full, name, value)
        out, reached = _run(sim, run_module, main, full)
        msg = out.get("msg", "")
        # A null never becomes a resource's name in a message ("bind EIP None").
        if "Traceback" in json.dumps(out) or "unexpected error" in msg or re.search(r"[A-Za-z] None\b", msg):
            problems.append("%r: %s" % (value, msg))
        if option.split(".")[0] in BATCH_ITEMS:
            # The batch's other (valid) item is planned with reads; nothing is written.
            reached = [r for r in reached if r["method"] != "GET"]
        if value == "" and name not in EMPTY_MEANS_UNSET and not (out.get("failed") and not reached):
            problems.append("'' was not refused before any request: %s" % (msg or "accepted"))
    tally("hostile_null", option, 2)
    assert not problems, "\n".join(problems)


def _nested(state):
    """Suboptions deeper than a batch item's first level, and those the main sweep leaves out: (module, args,
    path to the value)."""
    subnet = next(s["id"] for s in state["subnets"] if s["name"] == "subnet-a1")
    nics = [{"subnet_id": subnet, "ip_address": "10.0.1.66"}]
    one = {"instance": "gpu-node-03", "nics": nics}
    pair = [{"server": "train-a3-01", "public_ip": "203.0.113.15"}, {"server": "train-a3-02", "public_ip": "auto"}]
    cases = {}
    for name in ("allow_rebind", "exclusive"):
        cases["bindings.%s" % name] = (modelarts_devserver_eip_batch.main, {"bindings": pair}, ("bindings", 0, name))
    for name in ("type", "bandwidth_size", "bandwidth_charge_mode"):
        cases["auto_eip.%s" % name] = (modelarts_devserver_eip_batch.main, {"bindings": pair, "auto_eip": {}},
                                       ("auto_eip", name))
    cases["instances.purge_nics"] = (cdc_imetal_ip_batch.main, {"instances": [one]}, ("instances", 0, "purge_nics"))
    for name in ("subnet_id", "ip_address"):
        cases["instances.nics.%s" % name] = (cdc_imetal_ip_batch.main, {"instances": [one]},
                                             ("instances", 0, "nics", 0, name))
        cases["nics.%s" % name] = (cdc_imetal_ip.main, dict(one), ("nics", 0, name))
    return cases


NESTED = ("bindings.allow_rebind", "bindings.exclusive", "auto_eip.type", "auto_eip.bandwidth_size",
          "auto_eip.bandwidth_charge_mode", "instances.purge_nics", "instances.nics.subnet_id",
          "instances.nics.ip_address", "nics.subnet_id", "nics.ip_address")


@pytest.mark.parametrize("option", NESTED)
def test_null_and_empty_suboptions_are_refused_or_mean_unset(sim, run_module, tally, option, monkeypatch):
    """The same for the suboptions of batch items, NIC lists and auto_eip: null means unset (refused where it is
    needed), an empty string is refused; never an unexpected error, a message about None, or a write."""
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    main, args, path = _nested(sim.state())[option]
    problems = []
    for value in (None, ""):
        full = dict(sim.connection_options(), **copy.deepcopy(args))
        target = full
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        out, reached = _run(sim, run_module, main, full)
        msg = out.get("msg", "")
        if "Traceback" in json.dumps(out) or "unexpected error" in msg or re.search(r"[A-Za-z] None\b", msg):
            problems.append("%r: %s" % (value, msg))
        writes = [r for r in reached if r["method"] != "GET"]
        if value == "" and not (out.get("failed") and not writes):
            problems.append("'' was not refused before any write: %s" % (msg or "accepted"))
        if value is None and writes and out.get("failed"):
            problems.append("null: failed after writing: %s" % msg)
    tally("hostile_null", option, 2)
    assert not problems, "\n".join(problems)
