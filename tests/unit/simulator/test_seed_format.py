"""The simulator's seed format (hwsim_seed: 1) and its command line, as users drive them."""

import json
import os
import subprocess
import sys

import pytest
import yaml

from hwsim.control import SimulatorProcess
from hwsim.fleet import SeedError
from hwsim.state import DEFAULT_CONFIG, load_seed

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
EXAMPLE = os.path.join(ROOT, "docs", "examples", "fleet.hwsim.yml")
PACKAGE_PARENT = os.path.join(ROOT, "extensions", "simulator")


def seed_file(tmp_path, doc, name="fleet.yml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, allow_unicode=True))
    return str(path)


def test_the_example_fleet_expands_with_defaults_and_stable_ids(tmp_path):
    first, again = load_seed(EXAMPLE), load_seed(EXAMPLE)
    assert first == again
    servers = dict((s["name"], s) for s in first["dev_servers"])
    assert set(servers) == {"train-01", "train-02", "infer-01"} and servers["infer-01"]["status"] == "STOPPED"
    assert servers["train-01"]["status"] == "RUNNING" and servers["train-01"]["sim_a3"] is True
    eips = dict((e["public_ip_address"], e) for e in first["publicips"])
    assert eips["198.51.100.10"]["sim_bound_server"] == servers["train-01"]["id"]
    assert eips["198.51.100.10"]["status"] == "ACTIVE" and eips["198.51.100.11"]["status"] == "DOWN"
    assert eips["198.51.100.12"]["bandwidth_share_type"] == "WHOLE"
    nodes = dict((i["name"], i) for i in first["instances"])
    assert nodes["gpu-01"]["network_interfaces"][0]["ipv4_address"] == "10.20.1.50"
    assert len(nodes["gpu-01"]["network_interfaces"]) == 2 and nodes["gpu-01"]["tags"] == [
        {"key": "role", "value": "compute"}]
    assert first["config"] == {"imetal_ip_change_polls": 1, "eip_quota": 20}


def test_names_the_cloud_allows_are_seeded(tmp_path):
    state = load_seed(seed_file(tmp_path, {"hwsim_seed": 1, "lite_servers": [{"name": "llm.train-01"}],
                                           "imetal_instances": [{"name": "推理节点-01 🚀", "nics": [
                                               {"subnet": "default-subnet"}]}]}))
    assert state["dev_servers"][0]["name"] == "llm.train-01"
    assert state["instances"][0]["name"] == "推理节点-01 🚀"


def test_the_collections_own_fleet_is_a_seed_of_this_format():
    """The default seed is written in the format users write: everything the tests rely on is expressed in it."""
    with open(os.path.join(PACKAGE_PARENT, "hwsim", "seed.yml"), encoding="utf-8") as handle:
        doc = yaml.safe_load(handle)
    assert doc["hwsim_seed"] == 1
    state = load_seed(os.path.join(PACKAGE_PARENT, "hwsim", "seed.yml"))
    servers = dict((s["name"], s) for s in state["dev_servers"])
    # Categories as ServerResponse.category has them; an HPS server has its sub-node ids.
    assert servers["train-a3-01"]["category"] == "HPS" and servers["infer-a3-05"]["category"] == "SERVER"
    assert set(servers["train-a3-01"]["cloud_server"]) == {"id", "type", "hps_id", "hps_ecs_id"}
    # created_at in the seed is the server's create_at (ms), in order.
    created = [s["create_at"] for s in state["dev_servers"]]
    assert created[0] == 1790841600000 and len(set(created)) > 20
    eips = dict((e["alias"], e) for e in state["publicips"])
    elb, ecs = eips["elb-frontend"], eips["ecs-web"]
    assert elb["associate_instance_type"] == "ELB" and elb["vnic"]["device_owner"] == "neutron:LOADBALANCERV2"
    assert elb["associate_instance_id"] == elb["vnic"]["device_id"] == elb["vnic"]["instance_id"]
    assert ecs["associate_instance_type"] == "PORT" and ecs["associate_instance_id"] == ecs["port_id"]
    assert ecs["vnic"]["instance_id"] == "" and ecs["private_ip_address"] == "10.0.1.60"
    assert elb["sim_bound_server"] is None and elb["status"] == ecs["status"] == "ACTIVE"
    assert eips["bound-a3-04"]["sim_bound_server"] == servers["train-a3-04"]["id"]
    # The simulated account: both accounts' projects survive (each account has its own ap-southeast-3).
    assert sorted((p["name"], p["domain_id"][:4]) for p in state["projects"]) == [
        ("ap-southeast-3", "d0c1"), ("ap-southeast-3", "e1d2"), ("cn-north-4", "d0c1")]
    nodes = dict((i["name"], i) for i in state["instances"] if i["name"] != "dup-node")
    power = dict((p["id"], p["power_state"]) for p in state["physical_servers"])
    assert power[nodes["failed-node"]["server_id"]] == "off" and power[nodes["gpu-node-01"]["server_id"]] == "on"


def test_held_eips_created_times_and_yaml_on_off(tmp_path):
    state = load_seed(seed_file(tmp_path, {"hwsim_seed": 1, "eips": [
        {"address": "198.51.100.7", "held_by": {"type": "ELB"}},
        {"address": "198.51.100.8", "held_by": {"type": "PORT", "private_ip": "10.0.0.99"}}],
        "lite_servers": [{"name": "a", "created_at": "2026-11-02T03:04:05Z", "category": "SPOD"}],
        "imetal_instances": [{"name": "n", "nics": [{"subnet": "default-subnet"}], "state": "stopped",
                              "created_at": "2026-09-01T00:00:00Z", "physical_server": {"power_state": True}}]}))
    elb, port = state["publicips"]
    # The next free address of the first subnet (10.0.0.10 up), then the one asked for.
    assert elb["private_ip_address"] == "10.0.0.10" and port["private_ip_address"] == "10.0.0.99"
    assert port["vnic"]["device_owner"] == "compute:nova" and elb["vnic"]["instance_type"] == "ELB"
    server = state["dev_servers"][0]
    assert server["create_at"] == 1793588645000 and server["category"] == "SPOD"
    assert server["endpoints"][0]["uri"] == "10.0.0.11"
    assert state["instances"][0]["created_at"] == "2026-09-01T00:00:00Z"
    assert state["physical_servers"][0]["power_state"] == "on"


@pytest.mark.parametrize("doc,message", [
    ({"hwsim_seed": 1, "eips": [{"address": "198.51.100.1", "held_by": {"type": "NAT"}}]},
     "eips[0].held_by: type 'NAT' is not one of PORT, ELB"),
    ({"hwsim_seed": 1, "eips": [{"address": "198.51.100.1", "status": "FREEZED", "held_by": {"type": "ELB"}}]},
     "eips[0].held_by: an EIP with status FREEZED cannot be held"),
    ({"hwsim_seed": 1, "eips": [{"address": "198.51.100.1", "held_by": {"type": "ELB", "device_id": "lb-1"}}]},
     "eips[0].held_by: device_id 'lb-1' is not a lower-case UUID"),
    ({"hwsim_seed": 1, "eips": [{"address": "198.51.100.1", "held_by": {"type": "ELB"}}],
      "lite_servers": [{"name": "a", "eips": ["198.51.100.1"]}]},
     "lite_servers[0]: EIP 198.51.100.1 is ACTIVE and cannot be bound"),
    ({"hwsim_seed": 1, "lite_servers": [{"name": "a", "created_at": "yesterday"}]},
     "lite_servers[0]: created_at 'yesterday' is not a UTC time such as 2026-10-01T00:00:00Z"),
    ({"hwsim_seed": 1, "lite_servers": [{"name": "a", "category": "BMS"}]},
     "lite_servers[0]: category 'BMS' is not one of HPS, SPOD, SERVER"),

    ({"lite_servers": []}, "hwsim_seed: must be 1"),
    ({"hwsim_seed": 2}, "hwsim_seed: must be 1 (the seed format's version), got 2"),
    ({"hwsim_seed": 1, "servers": []}, "unknown key(s) servers"),
    ({"hwsim_seed": 1, "lite_servers": [{"name": "a b"}]}, "lite_servers[0]: name 'a b' does not match"),
    ({"hwsim_seed": 1, "lite_servers": [{"name": "a", "status": "RUNING"}]},
     "lite_servers[0]: status 'RUNING' is not one of CREATE_FAILED"),
    ({"hwsim_seed": 1, "lite_servers": [{"name": "a", "colour": "red"}]}, "lite_servers[0]: unknown field(s) colour"),
    ({"hwsim_seed": 1, "lite_servers": [{"name": "a", "subnet": "nowhere"}]},
     "lite_servers[0]: subnet 'nowhere' is no subnet of the seed (known: default-subnet)"),
    ({"hwsim_seed": 1, "lite_servers": [{"name": "a", "eips": ["198.51.100.1"]},
                                        {"name": "b", "eips": ["198.51.100.1"]}]},
     "lite_servers[1]: EIP 198.51.100.1 is also bound to lite_servers[0]"),
    ({"hwsim_seed": 1, "eips": [{"address": "198.51.100.300"}]}, "eips[0]: address '198.51.100.300' is not an IPv4"),
    ({"hwsim_seed": 1, "eips": [{"address": "198.51.100.1", "bandwidth": "none-such"}]},
     "eips[0]: bandwidth 'none-such' is none of the seed's bandwidths"),
    ({"hwsim_seed": 1, "vpcs": [{"name": "v", "subnets": [{"name": "s", "cidr": "10.0.0.0/30"}]}]},
     "vpcs[0].subnets[0]: cidr 10.0.0.0/30 is smaller than a /28"),
    ({"hwsim_seed": 1, "imetal_instances": [{"name": "n", "nics": [{"subnet": "default-subnet", "ip": "10.0.1.5"}]}]},
     "imetal_instances[0].nics[0]: ip 10.0.1.5 is not a host address of subnet default-subnet"),
    ({"hwsim_seed": 1, "imetal_instances": [{"name": "n", "nics": []}]}, "nics must list 1 or 2"),
    ({"hwsim_seed": 1, "imetal_instances": [{"name": "n", "nics": [{"subnet": "default-subnet", "ip": "10.0.0.20"}]},
                                            {"name": "m", "nics": [{"subnet": "default-subnet", "ip": "10.0.0.20"}]}]},
     "imetal_instances[1].nics[0]: ip 10.0.0.20 is already used in subnet default-subnet"),
    ({"hwsim_seed": 1, "config": {"warp_speed": 9}}, "config: unknown knob(s) warp_speed"),
    ({"hwsim_seed": 1, "quotas": {"eips": -1}}, "quotas: eips must be a whole number from 0 to 100000"),
])
def test_a_bad_seed_is_refused_naming_the_entry_the_field_and_why(tmp_path, doc, message):
    path = seed_file(tmp_path, doc)
    with pytest.raises(SeedError) as raised:
        load_seed(path)
    assert str(raised.value).startswith(path + ": ") and message in str(raised.value)


def test_unreadable_seed_files_are_named(tmp_path):
    bad = tmp_path / "broken.yml"
    bad.write_text("hwsim_seed: [1\n")
    with pytest.raises(SeedError, match="broken.yml: not valid YAML"):
        load_seed(str(bad))


def test_a_simulator_seeded_with_a_fleet_serves_it_and_refuses_a_bad_seed(tmp_path, run_module):
    from ansible_collections.hwcloud.infra.plugins.modules.modelarts_devserver_info import main as info_main
    with SimulatorProcess(seed=EXAMPLE) as sim:
        out = run_module(info_main, sim, {"server": "train-01"})
        assert out["servers"][0]["public_ips"] == [{"id": out["servers"][0]["public_ips"][0]["id"],
                                                    "address": "198.51.100.10"}]
        # reset takes a seed document too, and refuses a bad one with the reason.
        sim.admin("POST", "reset", {"hwsim_seed": 1, "lite_servers": [{"name": "solo"}]})
        assert [s["name"] for s in sim.state()["dev_servers"]] == ["solo"]
        with pytest.raises(Exception) as raised:
            sim.admin("POST", "reset", {"hwsim_seed": 1, "lite_servers": [{"name": "x", "status": "NOPE"}]})
        assert "400" in str(raised.value)
        assert sim.admin("GET", "version") == {"admin_api": 1, "seed_format": 1}
    bad = seed_file(tmp_path, {"hwsim_seed": 1, "lite_servers": [{"name": "x y"}]})
    with pytest.raises(RuntimeError, match="x y"):
        SimulatorProcess(seed=bad).start()


def daemon(*args, env=None):
    return subprocess.run([sys.executable, "-m", "hwsim.daemon"] + list(args), capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=PACKAGE_PARENT, **(env or {})), timeout=60, check=False)


def test_the_command_line_starts_seeds_writes_an_env_file_and_stops_cleanly(tmp_path):
    state = str(tmp_path / "state")
    env_file = str(tmp_path / "env.sh")
    started = daemon("start", "--state-dir", state, "--seed", EXAMPLE, "--env-file", env_file)
    assert started.returncode == 0, started.stderr
    with open(os.path.join(state, "hwsim.json"), encoding="utf-8") as handle:
        info = json.load(handle)
    try:
        script = subprocess.run(["bash", "-c", "source %s && echo \"$HW_REGION_NAME $HWSIM_URL\" && hwsim_leave "
                                 "&& echo \"[${HW_ACCESS_KEY:-}]\"" % env_file], capture_output=True, text=True,
                                check=True).stdout.split("\n")
        assert script[0] == "ap-southeast-3 %s" % info["url"] and script[-2] == "[]"
        printed = daemon("env", "--state-dir", state)
        assert printed.returncode == 0 and "export HW_ENDPOINTS=" in printed.stdout
        assert "sim-secret" not in started.stdout + started.stderr
        again = daemon("start", "--state-dir", state)
        assert "replaced the one at %s" % info["url"] in again.stdout
        with open(os.path.join(state, "hwsim.json"), encoding="utf-8") as handle:
            info = json.load(handle)
    finally:
        stopped = daemon("stop", "--state-dir", state)
    assert stopped.stdout.strip() == "simulator: stopped"
    assert not os.path.exists(os.path.join(state, "hwsim.json"))
    with pytest.raises(ProcessLookupError):
        os.kill(info["pid"], 0)
    assert daemon("stop", "--state-dir", state).stdout.strip() == "simulator: none was running"
    assert daemon("env", "--state-dir", state).returncode == 1
    assert set(DEFAULT_CONFIG) >= {"imetal_ip_change_polls", "modelarts_page_cap"}


@pytest.mark.ansible_process
def test_the_role_shows_no_key_of_the_simulated_account_at_high_verbosity(tmp_path):
    from hwsim.seedinfo import SK
    play = tmp_path / "play.yml"
    play.write_text(
        "- hosts: localhost\n  connection: local\n  gather_facts: false\n"
        "  vars: {ansible_python_interpreter: '{{ ansible_playbook_python }}'}\n  tasks:\n"
        "    - {ansible.builtin.include_role: {name: hwcloud.infra.simulator}, vars: {simulator_state_dir: %s}}\n"
        "    - {ansible.builtin.assert: {that: simulator_connection.secret_key | length > 0}}\n"
        "    - {ansible.builtin.include_role: {name: hwcloud.infra.simulator},\n"
        "       vars: {simulator_state_dir: %s, simulator_state: stopped}}\n" % (tmp_path / "s", tmp_path / "s"))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".tmp", "collections"),
               ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
               ANSIBLE_HOME=str(tmp_path / "ansible-home"))
    proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-vvvv", str(play)],
                          env=env, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    import base64
    import re
    shown = proc.stdout + proc.stderr
    decoded = []
    for token in re.findall(r"[A-Za-z0-9+/]{40,}={0,2}", shown):
        token = token.rstrip("=")
        token = token[:len(token) - len(token) % 4]
        decoded.append(base64.b64decode(token).decode("utf-8", "replace"))
    assert SK not in shown and not [d for d in decoded if SK in d]
    assert not os.path.exists(str(tmp_path / "s" / "hwsim.json"))


def test_hwsim_leave_puts_path_back_as_it_was_even_when_the_venv_was_already_on_it(tmp_path):
    from hwsim.daemon import env_script
    venv_bin = str(tmp_path / "venv" / "bin")
    script = tmp_path / "env.sh"
    script.write_text(env_script({"url": "http://127.0.0.1:1"}, {"HW_REGION_NAME": "ap-southeast-3"}, venv_bin))
    before = "%s:/usr/bin:/bin" % venv_bin  # an activated venv that is also the script's
    out = subprocess.run(["bash", "-c", 'PATH="%s"; source %s; source %s; echo "$PATH"; hwsim_leave; echo "$PATH"; '
                          'echo "[${HW_REGION_NAME:-}][${HWSIM_PATH_BEFORE:-}]"' % (before, script, script)],
                         capture_output=True, text=True, check=True, env={"HOME": str(tmp_path)}).stdout.split("\n")
    assert out[0].startswith(venv_bin + ":")
    assert "PATH as it was before" in out[1]
    assert out[2] == before and out[3] == "[][]"
