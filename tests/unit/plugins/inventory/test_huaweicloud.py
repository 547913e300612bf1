"""The hwcloud.infra.huaweicloud inventory plugin, through ansible-inventory and ansible-playbook, against the
simulator."""

import json
import os
import subprocess
import sys

import pytest

from ansible_output import plain
from hwsim.control import SEED
from hwsim.state import load_seed

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
BIN = os.path.dirname(sys.executable)


def env_of(sim, tmp_path, **extra):
    env = sim.ansible_env()
    env.update(ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".tmp", "collections"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_HOME=str(tmp_path / "ansible-home"), ANSIBLE_INVENTORY_UNPARSED_FAILED="1")
    env.update(extra)
    return env


def inventory(sim, tmp_path, config, *args, name="test.huaweicloud.yml", env=None, check=True):
    path = tmp_path / name
    path.write_text("plugin: hwcloud.infra.huaweicloud\n" + config)
    proc = subprocess.run([os.path.join(BIN, "ansible-inventory"), "-i", str(path)] + list(args or ["--list"]),
                          env=env or env_of(sim, tmp_path), capture_output=True, text=True, check=False)
    if check:
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def listed(sim, tmp_path, config="", **kwargs):
    return plain(json.loads(inventory(sim, tmp_path, config, **kwargs).stdout))


def api_calls(sim):
    return [r for r in sim.requests() if r.get("service") not in (None, "iam")]


@pytest.mark.ansible_process
def test_every_resource_is_a_host_with_its_variables_and_groups(sim, tmp_path):
    data = listed(sim, tmp_path)
    state = sim.state()
    lite = data["hwcloud_lite_servers"]["hosts"]
    imetal = data["hwcloud_imetal"]["hosts"]
    assert len(lite) == len(state["dev_servers"]) and len(imetal) == len(state["instances"])
    hostvars = data["_meta"]["hostvars"]
    bound = hostvars["train-a3-04"]
    assert bound["hwcloud_public_ips"] == ["203.0.113.40"] and bound["ansible_host"] == "203.0.113.40"
    assert bound["hwcloud_private_ips"] == ["10.0.1.103"] and bound["hwcloud_status"] == "running"
    assert bound["hwcloud_status_raw"] == "RUNNING"
    assert bound["hwcloud_flavor"] == "ascend-snt9b2.48xlarge" and bound["hwcloud_service"] == "modelarts"
    node = hostvars["gpu-node-01"]
    assert node["ansible_host"] == "10.0.1.10" and node["hwcloud_private_ips"] == ["10.0.1.10", "10.0.2.10"]
    assert node["hwcloud_service"] == "clouddc" and node["hwcloud_vpc_id"]
    # Names several resources share fall through to the id.
    dups = [s["id"] for s in state["dev_servers"] if s["name"] == "dup-name"]
    assert set(dups) <= set(lite) and "dup-name" not in hostvars
    assert "train-a3-04" in data["hwcloud_status_running"]["hosts"]
    assert "ls-stopped" in data["hwcloud_status_stopped"]["hosts"]
    assert len(data["hwcloud_region_ap_southeast_3"]["hosts"]) == len(hostvars)
    # Bulk reads: the Lite Server listing, the EIP listing, the iMetal listing; nothing per server.
    assert sorted(r["path"].rsplit("/", 1)[-1] for r in api_calls(sim)) == ["all", "instances", "publicips"]
    # One keyed group per status across services: Lite Servers (RUNNING) and iMetal instances (running) together.
    keyed = listed(sim, tmp_path, "keyed_groups:\n  - key: hwcloud_status\n    prefix: status\n")
    assert "status_RUNNING" not in keyed
    assert {"train-a3-04", "gpu-node-01"} <= set(keyed["status_running"]["hosts"])


@pytest.mark.ansible_process
def test_graph_filters_hostnames_and_constructed_groups(sim, tmp_path):
    config = ("services: [modelarts]\nfilters:\n  status: [running]\n  name: 'train-*'\n"
              "hostnames: [public_ip, name]\nansible_host: [private_ip]\n"
              "keyed_groups:\n  - key: hwcloud_category\n    prefix: category\n"
              "groups:\n  exposed: hwcloud_public_ips | length > 0\n"
              "compose:\n  ansible_user: \"'root'\"\n")
    data = listed(sim, tmp_path, config)
    hostvars = data["_meta"]["hostvars"]
    assert sorted(hostvars) == ["203.0.113.40", "train-a3-01", "train-a3-02", "train-a3-03"]
    assert data["exposed"]["hosts"] == ["203.0.113.40"]
    assert hostvars["203.0.113.40"]["ansible_host"] == "10.0.1.103"
    assert all(v["ansible_user"] == "root" for v in hostvars.values())
    assert "category_HPS" in data and "hwcloud_imetal" not in data
    graph = inventory(sim, tmp_path, config, "--graph").stdout
    assert "@hwcloud_lite_servers:" in graph and "|--train-a3-01" in graph


@pytest.mark.ansible_process
def test_tags_and_vpc_filters_select_imetal_instances(sim, tmp_path):
    instance = next(i for i in sim.state()["instances"] if i["name"] == "gpu-node-01")
    config = "services: [clouddc]\nfilters:\n  tags: {role: compute}\n  vpc_id: [%s]\n" % instance["vpc_id"]
    hostvars = listed(sim, tmp_path, config)["_meta"]["hostvars"]
    assert "gpu-node-01" in hostvars and all(v["hwcloud_tags"].get("role") == "compute" for v in hostvars.values())


@pytest.mark.ansible_process
def test_cache_makes_the_second_run_free(sim, tmp_path):
    config = ("cache: true\ncache_plugin: ansible.builtin.jsonfile\ncache_connection: %s\ncache_timeout: 600\n"
              % (tmp_path / "cache"))
    first = listed(sim, tmp_path, config)
    assert api_calls(sim)
    sim.clear_requests()
    second = listed(sim, tmp_path, config)
    assert second == first and not sim.requests()


@pytest.mark.ansible_process
def test_credentials_only_from_the_environment_and_clear_errors(sim, tmp_path):
    # The file names no credential at all; the HW_* variables give them, as for the modules.
    assert listed(sim, tmp_path, "services: [clouddc]\n")["hwcloud_imetal"]["hosts"]
    env = env_of(sim, tmp_path)
    del env["HW_REGION_NAME"]
    proc = inventory(sim, tmp_path, "", env=env, check=False)
    assert proc.returncode != 0 and "region is required" in proc.stderr
    proc = inventory(sim, tmp_path, "filters: {colour: [red]}\n", check=False)
    assert proc.returncode != 0 and "unknown filters colour" in proc.stderr
    env = env_of(sim, tmp_path, HW_SECRET_KEY="wrong-secret-key-0000000000")
    proc = inventory(sim, tmp_path, "", env=env, check=False)
    assert proc.returncode != 0 and "wrong-secret-key" not in proc.stdout + proc.stderr


@pytest.mark.ansible_process
def test_several_regions(sim, tmp_path):
    seed = load_seed(SEED)
    data = listed(sim, tmp_path, "regions: [ap-southeast-3]\nservices: [clouddc]\n")
    assert data["hwcloud_region_ap_southeast_3"]["hosts"]
    proc = inventory(sim, tmp_path, "regions: [ap-southeast-3, cn-north-4]\nproject_id: %s\n"
                     % seed["projects"][0]["id"], check=False)
    assert proc.returncode != 0 and "project_id applies to one region" in proc.stderr


def debug_play(sim, tmp_path, source, group, msg):
    """ansible-playbook over the plugin's inventory ``source``: one debug task printing ``msg`` on ``group``."""
    (tmp_path / "fleet.huaweicloud.yml").write_text("plugin: hwcloud.infra.huaweicloud\n" + source)
    (tmp_path / "play.yml").write_text(
        "- hosts: %s\n  connection: local\n  gather_facts: false\n  tasks:\n"
        "    - ansible.builtin.debug:\n        msg: \"%s\"\n" % (group, msg))
    proc = subprocess.run([os.path.join(BIN, "ansible-playbook"), "-i", str(tmp_path / "fleet.huaweicloud.yml"),
                           str(tmp_path / "play.yml")], env=env_of(sim, tmp_path), capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


@pytest.mark.ansible_process
def test_a_playbook_runs_a_task_on_each_host_of_a_plugin_group(sim, tmp_path):
    proc = debug_play(sim, tmp_path, "services: [modelarts]\nfilters: {status: [RUNNING], name: 'train-*'}\n",
                      "hwcloud_lite_servers", "{{ inventory_hostname }} {{ hwcloud_id }}")
    for name in ("train-a3-01", "train-a3-02", "train-a3-03", "train-a3-04"):
        assert "ok: [%s]" % name in proc.stdout
    assert proc.stdout.count("ok: [") == 4


@pytest.mark.parametrize("name,used", [("x.huaweicloud.yml", True), ("x.hwcloud.yaml", True), ("x.yml", False)])
@pytest.mark.ansible_process
def test_file_names_the_plugin_reads(sim, tmp_path, name, used):
    proc = inventory(sim, tmp_path, "", "--list", name=name, check=False)
    assert (proc.returncode == 0 and "hwcloud_lite_servers" in proc.stdout) is used


NAME_HOSTS = """
import json, sys
from ansible_collections.hwcloud.infra.plugins.inventory.huaweicloud import name_hosts
nameless = {"id": "i-1", "name": None, "public_ips": [], "private_ips": ["10.0.0.5"]}
named = {"id": "i-2", "name": "web", "public_ips": ["203.0.113.9"], "private_ips": ["10.0.0.6"]}
print(json.dumps(sorted(name_hosts([nameless, named], json.loads(sys.argv[1])))))
"""


@pytest.mark.parametrize("preference,names", [
    (["name"], ["i-1", "web"]),
    (["name", "private_ip"], ["10.0.0.5", "web"]),
    (["public_ip", "name"], ["203.0.113.9", "i-1"]),
])
def test_a_nameless_resource_is_not_named_by_an_address_under_the_name_preference(preference, names):
    # In a process of its own: importing controller plugins changes how this process's modules report warnings.
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, ".tmp", "collections"))
    out = subprocess.run([sys.executable, "-c", NAME_HOSTS, json.dumps(preference)], env=env, capture_output=True,
                         text=True, check=True).stdout
    assert json.loads(out) == names


@pytest.mark.ansible_process
def test_the_clouds_values_are_never_templated(sim, tmp_path):
    """A tag value that reads like a template reaches a play as text (ansible-core's data tagging: untrusted)."""
    seed = load_seed(SEED)
    node = next(i for i in seed["instances"] if i["name"] == "gpu-node-01")
    node["tags"] = [{"key": "role", "value": "{{ 6 * 7 }}{{ lookup('ansible.builtin.env', 'HOME') }}"}]
    sim.reset(seed)
    proc = debug_play(sim, tmp_path, "services: [clouddc]\nfilters: {name: gpu-node-01}\n", "hwcloud_imetal",
                      "role={{ hwcloud_tags.role }}")
    assert "role={{ 6 * 7 }}{{ lookup('ansible.builtin.env', 'HOME') }}" in proc.stdout
    assert "role=42" not in proc.stdout
