"""Every key every module returns is in its RETURN documentation (and each documented type matches the value)."""

import importlib

import pytest
import yaml

from hwsim.seedinfo import PROJECT_ID

PACKAGE = "ansible_collections.hwcloud.infra.plugins.modules."
# Keys Ansible itself adds or documents for every module.
COMMON = {"changed", "failed", "msg", "invocation", "warnings", "deprecations", "diff", "exception"}
TYPES = {"str": str, "int": int, "float": (int, float), "bool": bool, "list": list, "dict": dict}


def undocumented(value, spec, path):
    """Paths in ``value`` its RETURN ``spec`` (the mapping of documented keys) does not cover, and type mismatches."""
    problems = []
    for key, item in value.items():
        where = "%s.%s" % (path, key) if path else key
        doc = spec.get(key)
        if doc is None:
            problems.append("%s: not documented" % where)
            continue
        expected = TYPES.get(doc.get("type"))
        if item is not None and expected is not None and not isinstance(item, expected):
            problems.append("%s: documented as %s, returned %s" % (where, doc["type"], type(item).__name__))
        contains = doc.get("contains")
        if not contains:
            continue
        if isinstance(item, dict) and doc.get("type") == "dict":
            # A dict documented by its entries, or a map (keys are resource names) whose values are described.
            is_map = item and not set(item) & set(contains) and all(isinstance(e, dict) for e in item.values())
            if not is_map:
                problems += undocumented(item, contains, where)
            else:
                for name, entry in item.items():
                    problems += undocumented(entry, contains, "%s[%s]" % (where, name))
        elif isinstance(item, list):
            for index, entry in enumerate(item):
                if isinstance(entry, dict):
                    problems += undocumented(entry, contains, "%s[%d]" % (where, index))
    return problems


def names(sim):
    state = sim.state()
    return {"b1": next(s["id"] for s in state["subnets"] if s["name"] == "subnet-b1"),
            "a1": next(s["id"] for s in state["subnets"] if s["name"] == "subnet-a1")}


def runs(sim):
    """(module, args, check_mode) covering each module's results: success, change, wait, refusal, failure."""
    ids = names(sim)
    return [
        ("modelarts_devserver_info", {}, False),
        ("modelarts_devserver_info", {"server": "train-a3-04", "project_id": PROJECT_ID}, False),
        ("modelarts_devserver_eip", {"server": "train-a3-01", "public_ip": "203.0.113.11"}, False),
        ("modelarts_devserver_eip", {"server": "train-a3-01", "public_ip": "203.0.113.12", "exclusive": True}, True),
        ("modelarts_devserver_eip", {"server": "train-a3-02", "public_ip": "203.0.113.40"}, False),
        ("modelarts_devserver_eip_batch", {"bindings": [{"server": "train-a3-02", "public_ip": "203.0.113.13"},
                                                        {"server": "train-a3-03", "public_ip": "203.0.113.40"}]},
         False),
        ("modelarts_devserver_eip_batch", {"bindings": [{"server": "train-a3-02", "public_ip": "203.0.113.13"}]},
         False),
        ("cdc_imetal_instance_info", {}, False),
        ("cdc_imetal_instance_info", {"name": "gpu-node-01", "physical_server": True}, False),
        ("cdc_imetal_ip", {"instance": "batch-node-01", "nics": [{"subnet_id": ids["b1"],
                                                                  "ip_address": "172.16.0.111"}]}, False),
        ("cdc_imetal_ip", {"instance": "batch-node-02", "nics": [{"subnet_id": ids["a1"]}]}, False),
        ("cdc_imetal_ip_batch", {"instances": [{"instance": "batch-node-03", "nics": [
            {"subnet_id": ids["b1"], "ip_address": "172.16.0.113"}]}, {"instance": "nobody", "nics": [
                {"subnet_id": ids["b1"]}]}]}, False),
        ("cdc_imetal_ip_batch", {"instances": [{"instance": "batch-node-04", "nics": [
            {"subnet_id": ids["b1"], "ip_address": "172.16.0.114"}]}]}, True),
        ("modelarts_devserver_eip_batch", {"bindings": [{"server": "train-a3-01", "public_ip": "auto"}]}, False),
        ("vpc_eip_info", {}, False),
        ("vpc_eip", {"name": "return-docs"}, True),
        ("vpc_eip", {"name": "return-docs"}, False),
        ("vpc_eip", {"name": "bound-a3-04"}, False),
        ("vpc_eip", {"name": "return-docs", "state": "absent"}, False),
        ("simulator_admin", {"action": "requests", "match": {"service": "vpc"}, "url": sim.url}, False),
        ("simulator_admin", {"action": "fault", "fault": {"path": "/nothing$", "count": 1}, "url": sim.url}, False),
        ("simulator_admin", {"action": "configure", "config": {"eip_quota": 100}, "url": sim.url}, False),
        ("simulator_admin", {"action": "state", "url": sim.url}, False),
        ("simulator_admin", {"action": "advance_clock", "seconds": 30, "url": sim.url}, False),
        ("simulator_admin", {"action": "reset", "url": sim.url}, False),
    ]


def test_every_returned_key_is_documented(sim, run_module):
    problems = []
    covered = set()
    for name, args, check_mode in runs(sim):
        module = importlib.import_module(PACKAGE + name)
        spec = yaml.safe_load(module.RETURN) or {}
        out = run_module(module.main, sim, args, check_mode=check_mode, diff=True,
                         connection=not name.startswith("simulator_"))
        result = dict((k, v) for k, v in out.items() if k not in COMMON)
        problems += ["%s %s: %s" % (name, sorted(args), p) for p in undocumented(result, spec, "")]
        covered.add(name)
    assert covered == set(m for m, _a, _c in runs(sim))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", ["modelarts_devserver_info", "modelarts_devserver_eip", "modelarts_devserver_eip_batch",
                                  "cdc_imetal_instance_info", "cdc_imetal_ip", "cdc_imetal_ip_batch", "vpc_eip",
                                  "vpc_eip_info", "simulator_admin"])
def test_the_checker_finds_an_undocumented_key(name):
    module = importlib.import_module(PACKAGE + name)
    spec = yaml.safe_load(module.RETURN) or {}
    assert undocumented({"surely_not_documented": 1}, spec, "") == ["surely_not_documented: not documented"]
    nested = next(k for k, v in spec.items() if v.get("contains"))
    record = dict((k, None) for k in spec[nested]["contains"])
    record["surely_not_documented"] = 1
    value = [record] if spec[nested]["type"] == "list" else record
    assert undocumented({nested: value}, spec, "") == ["%s%s.surely_not_documented: not documented" % (
        nested, "[0]" if spec[nested]["type"] == "list" else "")]


# Names a Jinja2 expression cannot reach with dot notation: its keywords and literals, and the methods of the
# dicts and lists results are (``result.items`` is the dict method, not the key).
NOT_DOTTABLE = {"and", "or", "not", "in", "is", "if", "else", "for", "import", "with", "true", "false", "none",
                "True", "False", "None"} | set(n for n in dir(dict) + dir(list) if not n.startswith("_"))


def dot_notation_problems(spec, path=""):
    problems = []
    for key, doc in (spec or {}).items():
        where = "%s.%s" % (path, key) if path else key
        if not key.isidentifier() or key in NOT_DOTTABLE:
            problems.append(where)
        problems += dot_notation_problems((doc or {}).get("contains"), where)
    return problems


@pytest.mark.parametrize("name", ["modelarts_devserver_info", "modelarts_devserver_eip", "modelarts_devserver_eip_batch",
                                  "cdc_imetal_instance_info", "cdc_imetal_ip", "cdc_imetal_ip_batch", "vpc_eip",
                                  "vpc_eip_info", "simulator_admin"])
def test_every_return_key_works_with_dot_notation(name):
    module = importlib.import_module(PACKAGE + name)
    assert dot_notation_problems(yaml.safe_load(module.RETURN)) == []


def test_the_dot_notation_check_finds_a_keyword_and_a_method():
    spec = {"waits": {"contains": {"for": {}}}, "items": {}, "ok_name": {}}
    assert dot_notation_problems(spec) == ["waits.for", "items"]
