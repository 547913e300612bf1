"""What a person reads in results: diffs that name their resource, addresses in numeric order."""

import copy

import pytest

from hwsim.control import SEED
from hwsim.state import load_seed

from ansible_collections.hwcloud.infra.plugins.module_utils._vpc import address_key
from ansible_collections.hwcloud.infra.plugins.modules.cdc_imetal_ip import main as imetal_main
from ansible_collections.hwcloud.infra.plugins.modules.modelarts_devserver_eip import main as eip_main
from ansible_collections.hwcloud.infra.plugins.modules.vpc_eip import main as vpc_eip_main
from ansible_collections.hwcloud.infra.plugins.modules.vpc_eip_info import main as info_main


def subnet(sim, name):
    return next(s["id"] for s in sim.state()["subnets"] if s["name"] == name)


@pytest.mark.parametrize("check_mode", [True, False])
def test_a_single_module_diff_names_its_resource(sim, run_module, check_mode):
    server = next(s for s in sim.state()["dev_servers"] if s["name"] == "train-a3-01")
    out = run_module(eip_main, sim, {"server": "train-a3-01", "public_ip": "203.0.113.11"}, check_mode, diff=True)
    assert out["diff"]["before_header"] == out["diff"]["after_header"] == "Lite Server train-a3-01 (%s)" % server["id"]
    instance = next(i for i in sim.state()["instances"] if i["name"] == "gpu-node-02")
    out = run_module(imetal_main, sim, {"instance": "gpu-node-02", "nics": [
        {"subnet_id": subnet(sim, "subnet-a1"), "ip_address": "10.0.1.77"}]}, check_mode, diff=True)
    assert out["diff"]["before_header"] == "iMetal instance gpu-node-02 (%s)" % instance["id"]
    out = run_module(vpc_eip_main, sim, {"name": "named-diff"}, check_mode, diff=True)
    assert out["diff"]["after_header"].startswith("EIP named-diff")


def test_addresses_sort_in_numeric_order(sim, run_module):
    seed = load_seed(SEED)
    template = next(e for e in seed["publicips"] if e["public_ip_address"] == "203.0.113.14")
    for last, uid in ((130, "77108f54-f248-56c1-a8ad-d3f79c9d3130"), (9, "77108f54-f248-56c1-a8ad-d3f79c9d3009")):
        extra = copy.deepcopy(template)
        extra.update(id=uid, public_ip_address="203.0.113.%d" % last, alias="free-%d" % last,
                     bandwidth_id=uid.replace("77108f54", "f58ae401"))
        seed["publicips"].append(extra)
    sim.reset(seed)
    addresses = [e["address"] for e in run_module(info_main, sim, {"free": True})["eips"]]
    assert addresses.index("203.0.113.9") < addresses.index("203.0.113.14") < addresses.index("203.0.113.130")
    assert addresses == sorted(addresses, key=address_key)
    assert sorted(["203.0.113.130", None, "203.0.113.14", "x"], key=address_key) == [
        "203.0.113.14", "203.0.113.130", "x", None]


def test_short_descriptions_tell_every_plugin_apart_at_80_columns():
    # ansible-doc -l prints the names in a column as wide as the longest, then the short description cut to the
    # terminal's width (80) less that column and 5 (ansible/cli/doc.py, display_plugin_list): what is left differs.
    import glob
    import os
    import re

    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "plugins")
    described = {}
    for path in glob.glob(os.path.join(root, "modules", "*.py")) + glob.glob(os.path.join(root, "inventory", "*.py")):
        with open(path, encoding="utf-8") as handle:
            found = re.search(r"^short_description: (.+)$", handle.read(), re.M)
        if found:
            described["hwcloud.infra." + os.path.basename(path)[:-3]] = found.group(1)
    width = 80 - max(len(name) for name in described) - 5
    shown = {}
    for name, text in described.items():
        shown.setdefault(text[:width], []).append(name)
    assert len(described) >= 10
    assert [names for names in shown.values() if len(names) > 1] == []
