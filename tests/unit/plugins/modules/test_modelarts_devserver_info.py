"""modelarts_devserver_info against the simulator."""

from ansible_collections.hwcloud.infra.plugins.modules.modelarts_devserver_info import main


def test_lists_every_server_with_eips(sim, run_module):
    out = run_module(main, sim, {}, check_mode=True)
    assert out["changed"] is False and len(out["servers"]) == 26
    bound = next(s for s in out["servers"] if s["name"] == "train-a3-04")
    assert [e["address"] for e in bound["public_ips"]] == ["203.0.113.40"] and bound["public_ips_error"] is None
    assert bound["cloud_server_id"] == bound["cloud_server"]["id"] and bound["status"] == "RUNNING"
    # One list-EIPs call per server but the DELETED one, which answers none.
    calls = [r for r in sim.requests() if r["path"].endswith("/publicips")]
    assert len([r for r in calls if "/dev-servers/" in r["path"]]) == 25
    # Every server with nothing bound answers an error; its EIPs are then read from the VPC EIP API by device.
    assert len([r for r in calls if "/eip/" in r["path"] and "vnic.device_id=" in r["query"]]) == 24


def test_by_name_by_id_and_without_eips(sim, run_module):
    out = run_module(main, sim, {"server": "dup-name", "public_ips": False})
    assert [s["name"] for s in out["servers"]] == ["dup-name", "dup-name"]
    assert all("public_ips" not in s for s in out["servers"])
    assert not [r for r in sim.requests() if r["path"].endswith("/publicips")]
    one = out["servers"][0]["id"]
    out = run_module(main, sim, {"server": one})
    assert [s["id"] for s in out["servers"]] == [one] and out["servers"][0]["public_ips"] == []
    out = run_module(main, sim, {"server": "nobody"})
    assert out["servers"] == [] and not out.get("failed")


def test_api_error(sim, run_module):
    sim.fault(method="GET", path="/dev-servers/all$", status=400, count=1, error_code="ModelArts.0203",
              error_msg="bad request")
    out = run_module(main, sim, {})
    assert out["failed"] and out["error"]["code"] == "ModelArts.0203" and "Failed to list Lite Servers" in out["msg"]


def test_region_is_resolved_at_run_time_and_its_absence_fails_before_any_request(sim, run_module, monkeypatch):
    """region is not a required option (tasks taking it from the environment pass ansible-lint); the option or
    either environment variable gives it when the module runs, and without any the module fails naming them."""
    for name in ("HW_REGION_NAME", "HUAWEICLOUD_SDK_REGION"):
        monkeypatch.delenv(name, raising=False)
    options = dict(sim.connection_options())
    region = options.pop("region")
    out = run_module(main, sim, options, connection=False)
    assert out["failed"] and "region is required" in out["msg"] and "HW_REGION_NAME" in out["msg"]
    assert not [r for r in sim.requests() if r.get("service")]
    monkeypatch.setenv("HUAWEICLOUD_SDK_REGION", region)
    out = run_module(main, sim, dict(options, server="train-a3-01"), connection=False)
    assert not out.get("failed"), out.get("msg")
    assert [s["name"] for s in out["servers"]] == ["train-a3-01"]
