"""The name rules of module_utils/_rules.py against the installed SDK's models, and names the cloud returns used
by name in the modules."""

import importlib
import re

import pytest

from ansible_collections.hwcloud.infra.plugins.module_utils._errors import HuaweiCloudError
from ansible_collections.hwcloud.infra.plugins.module_utils._validate import validate_ref
from ansible_collections.hwcloud.infra.plugins.module_utils._rules import BOUNDS, CHOICES, RULES
from ansible_collections.hwcloud.infra.plugins.modules import cdc_imetal_ip, modelarts_devserver_eip


def field_doc(source):
    """The SDK's words for a model field: the ``:param field:`` line of the model's constructor."""
    package, version, model, field = source.split(".")
    module = importlib.import_module("%s.%s.model" % (package, version))
    cls = getattr(module, model)
    assert field in cls.openapi_types, "%s has no field %s" % (model, field)
    match = re.search(r":param %s: (.*)" % field, cls.__init__.__doc__)
    assert match, "%s.%s is undocumented" % (model, field)
    return match.group(1)


def test_every_rule_names_a_field_the_sdk_has():
    for key, rule in RULES.items():
        assert field_doc(rule.source), key


def test_the_lite_server_name_rule_is_the_models_pattern():
    words = field_doc(RULES["lite_server_name"].source)
    pattern = re.search(r"\^(.*?)\$", words).group(1)
    assert RULES["lite_server_name"].pattern.pattern == pattern


def test_imetal_names_have_no_pattern_because_the_model_gives_none():
    words = field_doc(RULES["imetal_instance_name"].source)
    assert "^" not in words and "取值范围" not in words
    assert RULES["imetal_instance_name"].pattern is None
    # Whatever a new instance may be called (CreateInstanceOpitons.name) is a name the modules accept.
    create = field_doc("huaweicloudsdkclouddc.v1.CreateInstanceOpitons.name")
    assert "[1-63]" in create and "中文字符" in create
    for name in ("节点-01", "gpu_node.01", "a" * 63):
        assert RULES["imetal_instance_name"].allows(name)


@pytest.mark.parametrize("key", ["eip_name", "bandwidth_name"])
def test_eip_and_bandwidth_names_follow_the_create_models(key):
    words = field_doc(RULES[key].source)
    assert "1-64个字符" in words and all(w in words for w in ("数字", "字母", "中文", "_(下划线)", "-（中划线）", ".（点）"))
    rule = RULES[key]
    for name in ("web-01", "web_01.prod", "弹性-01", "9" * 64):
        assert rule.allows(name), name
    for name in ("", "a" * 65, "web 01", "web/01", "web🚀", "web\n01"):
        assert not rule.allows(name), name


@pytest.mark.parametrize("rule,value", [
    ("lite_server_name", "llm.train-01"), ("lite_server_name", "5dfb59db-8abc-56cf-8b1d-2229616fed71"),
    ("imetal_instance_name", "推理节点-01 🚀"), ("imetal_instance_name", "node (old)"),
])
def test_names_the_cloud_returns_are_references(rule, value):
    assert validate_ref(value, "server", rule) == value


@pytest.mark.parametrize("rule,value,message", [
    ("lite_server_name", "llm train", "neither an id nor a valid name (1-64 ASCII letters, digits, '-', '_' and '.')"),
    ("lite_server_name", "x" * 65, "at most 64 characters, got 65"),
    ("imetal_instance_name", "node\x00", "neither an id nor a valid name (1-64 characters, no control characters)"),
    ("imetal_instance_name", "", "must be a non-empty string"),
])
def test_other_references_are_refused_naming_the_rule(rule, value, message):
    with pytest.raises(HuaweiCloudError) as raised:
        validate_ref(value, "server", rule)
    assert message in str(raised.value)


def seeded(sim, doc):
    sim.reset(dict({"hwsim_seed": 1}, **doc))
    return sim


def test_a_lite_server_named_with_dots_gets_an_eip_by_name(sim, run_module):
    seeded(sim, {"lite_servers": [{"name": "llm.train-01"}], "eips": [{"address": "198.51.100.20"}]})
    args = {"server": "llm.train-01", "public_ip": "198.51.100.20"}
    out = run_module(modelarts_devserver_eip.main, sim, args)
    assert out["changed"] is True and not out.get("failed"), out
    eip = [e for e in sim.state()["publicips"] if e["public_ip_address"] == "198.51.100.20"][0]
    assert eip["status"] == "ACTIVE" and eip["sim_bound_server"] == sim.state()["dev_servers"][0]["id"]
    assert run_module(modelarts_devserver_eip.main, sim, args)["changed"] is False


def test_an_imetal_instance_named_in_cjk_and_emoji_changes_ip_by_name(sim, run_module):
    name = "推理节点-01 🚀"
    nic = {"subnet": "default-subnet", "ip": "10.0.0.50"}
    seeded(sim, {"imetal_instances": [{"name": name, "nics": [nic]}], "config": {"imetal_ip_change_polls": 1}})
    subnet_id = sim.state()["subnets"][0]["id"]
    args = {"instance": name, "nics": [{"subnet_id": subnet_id, "ip_address": "10.0.0.60"}], "wait_timeout": 60}
    out = run_module(cdc_imetal_ip.main, sim, args)
    assert out["changed"] is True and not out.get("failed"), out
    assert sim.state()["instances"][0]["network_interfaces"][0]["ipv4_address"] == "10.0.0.60"


@pytest.mark.parametrize("key", sorted(BOUNDS))
def test_every_range_is_the_models(key):
    bounds = BOUNDS[key]
    words = field_doc(bounds.source)
    assert str(bounds.high) in words, (key, words)
    assert bounds.low <= bounds.high


@pytest.mark.parametrize("key", sorted(CHOICES))
def test_every_choice_is_the_models(key):
    words = field_doc(CHOICES[key].source)
    allowed = re.search(r"取值范围：([A-Za-z0-9_，, ]+)", words).group(1)
    assert set(v.strip() for v in re.split(r"[，,]", allowed) if v.strip()) == set(CHOICES[key].values), words


def test_the_modules_take_their_ranges_and_choices_from_the_table():
    from ansible_collections.hwcloud.infra.plugins.module_utils import _clouddc, _modelarts, _vpc
    from ansible_collections.hwcloud.infra.plugins.modules import vpc_eip
    assert vpc_eip.SIZE_RANGE == BOUNDS["bandwidth_size"].bounds
    assert (_vpc.EIP_PAGE, _modelarts.PAGE_SIZE, _clouddc.PAGE_SIZE, _clouddc.IDS_PER_QUERY) == (
        BOUNDS["eip_page"].high, BOUNDS["lite_server_page"].high, BOUNDS["imetal_page"].high,
        BOUNDS["imetal_ids_per_query"].high)
