"""A batch that stops, whatever stops it (a first bulk read refused or throttled past its budget, the project id not
found, bad connection options, a wait that cannot read), still reports ``totals`` and ``report``, and every item
says what became of it, with the reason."""

import pytest

from ansible_collections.hwcloud.infra.plugins.modules import cdc_imetal_ip_batch, modelarts_devserver_eip_batch

EIP_FLEET = [{"server": "train-a3-01", "public_ip": "203.0.113.11"},
             {"server": "train-a3-02", "public_ip": "203.0.113.12"},
             {"server": "train-a3-03", "public_ip": "203.0.113.13"}]


def imetal_fleet(sim):
    b1 = next(s["id"] for s in sim.state()["subnets"] if s["name"] == "subnet-b1")
    return [{"instance": "batch-node-%02d" % n, "nics": [{"subnet_id": b1, "ip_address": "172.16.0.%d" % (100 + n)}]}
            for n in range(1, 4)]


BATCHES = {
    "EIP batch": (modelarts_devserver_eip_batch.main, "bindings", lambda sim: EIP_FLEET, r"/dev-servers/all$"),
    "iMetal batch": (cdc_imetal_ip_batch.main, "instances", imetal_fleet, r"/instances$"),
}


def writes(sim):
    return [r for r in sim.requests() if r["method"] in ("POST", "PUT", "DELETE") and r.get("service") != "iam"]


def assert_all_not_attempted(out, option, reason):
    size = len(out["results"])
    assert out["failed"] and not out["changed"]
    assert out["totals"] == {"items": size, "changed": 0, "unchanged": 0, "failed": 0, "not_attempted": size}
    assert len(out["report"]) == size
    for index, result in enumerate(out["results"]):
        assert result["error"].startswith("not attempted: the batch stopped before any change (")
        assert reason in result["error"], result["error"]
        assert out["report"][index].startswith("%s[%d] " % (option, index))
    assert reason in out["msg"] and "%d item(s): 0 changed, 0 unchanged, 0 failed, %d not attempted" % (
        size, size) in out["msg"]


@pytest.mark.parametrize("batch", sorted(BATCHES))
def test_the_first_bulk_read_failing(sim, run_module, batch):
    main, option, items, listing = BATCHES[batch]
    sim.fault(method="GET", path=listing, status=503, error_code="SIM.0503", error_msg="Unavailable.", count=None)
    out = run_module(main, sim, {option: items(sim)})
    assert_all_not_attempted(out, option, "SIM.0503")
    assert out["error"]["code"] == "SIM.0503" and out["error"]["request_id"]
    assert not writes(sim)


@pytest.mark.parametrize("batch", sorted(BATCHES))
def test_project_id_discovery_throttled_past_its_budget(sim, run_module, batch):
    main, option, items, _listing = BATCHES[batch]
    sim.fault(method="GET", path=r"^/v3/projects$", status=429, error_code="APIG.0308", retry_after=30, count=None)
    out = run_module(main, sim, {option: items(sim)})
    assert_all_not_attempted(out, option, "APIG.0308")


@pytest.mark.parametrize("batch", sorted(BATCHES))
def test_bad_connection_options(sim, run_module, batch):
    main, option, items, _listing = BATCHES[batch]
    out = run_module(main, sim, {option: items(sim), "region": "ap-southeast-33", "endpoints": None})
    assert_all_not_attempted(out, option, "ap-southeast-33")
    assert not sim.requests()


def test_a_wait_that_cannot_read_leaves_the_changes_made_and_unconfirmed(sim, run_module):
    # Planning and the re-read before each change use the instance listing (4 reads); the wait's reads are refused.
    sim.fault(method="GET", path=r"/instances$", status=403, error_code="SIM.0403", error_msg="Refused here.",
              skip=4, count=None)
    out = run_module(cdc_imetal_ip_batch.main, sim, {"instances": imetal_fleet(sim), "concurrency": 1})
    assert out["failed"] and out["changed"]
    assert len([w for w in writes(sim) if w.get("status") == 202]) == 3
    assert out["totals"] == {"items": 3, "changed": 0, "unchanged": 0, "failed": 3, "not_attempted": 0}
    for result in out["results"]:
        assert result["changed"] and result["request_id"]
        assert result["error"].startswith("not confirmed: the batch stopped while confirming the changes (")
    assert all("failed after a change was made: not confirmed" in line for line in out["report"])
    assert "3 failed" in out["msg"] and "SIM.0403" in out["msg"]
