"""cdc_imetal_instance_info against the simulator."""

from ansible_collections.hwcloud.infra.plugins.modules.cdc_imetal_instance_info import main


def test_lists_all_with_paging(sim, run_module):
    out = run_module(main, sim, {}, check_mode=True)
    assert out["changed"] is False and len(out["instances"]) == 16
    names = [i["name"] for i in out["instances"]]
    assert names == sorted(names)
    assert all("physical_server" not in i for i in out["instances"])


def test_filters(sim, run_module):
    everything = {i["name"]: i for i in sim.state()["instances"]}
    ids = [everything["gpu-node-01"]["id"], everything["busy-node"]["id"]]
    out = run_module(main, sim, {"ids": ids})
    assert sorted(i["id"] for i in out["instances"]) == sorted(ids)
    out = run_module(main, sim, {"name": "dup-node"})
    assert len(out["instances"]) == 3
    out = run_module(main, sim, {"state": "stopped"})
    assert sorted(i["name"] for i in out["instances"]) == ["failed-node", "stopped-node"]
    assert next(i for i in out["instances"] if i["name"] == "failed-node")["operation_state"] == "modify-ip-failed"


def test_physical_server_state(sim, run_module):
    out = run_module(main, sim, {"name": "failed-node", "physical_server": True})
    physical = out["instances"][0]["physical_server"]
    assert physical["power_state"] == "off" and physical["manage_state"] == "in-use"


def test_bad_id_is_rejected_before_any_request(sim, run_module):
    out = run_module(main, sim, {"ids": ["ok", "bad/id"]})
    assert out["failed"] and "not a valid id" in out["msg"] and sim.requests() == []
