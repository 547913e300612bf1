"""Complete views or none: every listing is read to its end, and a listing that cannot be completed fails naming
its counts instead of being used in part."""

import pytest

from ansible_collections.hwcloud.infra.plugins.module_utils._errors import IncompleteListingError
from ansible_collections.hwcloud.infra.plugins.module_utils._clouddc import list_instances
from ansible_collections.hwcloud.infra.plugins.module_utils._modelarts import list_servers
from ansible_collections.hwcloud.infra.plugins.module_utils._vpc import list_eips
from ansible_collections.hwcloud.infra.plugins.modules import (cdc_imetal_instance_info, modelarts_devserver_eip,
                                                               modelarts_devserver_info, vpc_eip_info)

from hwsim.seedinfo import OTHER_USER


def tenant(sim, servers=30, eips=0, instances=0, owner=None, **config):
    """A tenant of ``servers`` Lite Servers (the last ``owner``'s when given), EIPs and iMetal instances."""
    lite = [{"name": "node-%03d" % n} for n in range(servers)]
    if owner and lite:
        lite[-1]["owner"] = owner
    vpc = {"name": "big", "subnets": [{"name": "big", "cidr": "10.8.0.0/16"}]}
    sim.reset({"hwsim_seed": 1, "vpcs": [vpc], "lite_servers": lite,
               "eips": [{"address": "198.51.%d.%d" % (100 + n // 250, 1 + n % 250)} for n in range(eips)],
               "imetal_instances": [{"name": "bm-%03d" % n, "nics": [{"subnet": "big"}]} for n in range(instances)],
               "config": dict({"eip_quota": 100000}, **config)})
    return sim


def calls(sim, path_part):
    return [r for r in sim.requests() if path_part in r["path"]]


@pytest.mark.parametrize("paging", ["offset", "ignore", "refuse"])
def test_a_project_listing_that_answers_part_is_completed_or_refused(sim, make_client, paging):
    tenant(sim, 30, owner=OTHER_USER, modelarts_all_page_cap=7, modelarts_all_paging=paging)
    client = make_client(sim)
    if paging == "offset":
        servers = list_servers(client)
        assert sorted(s["name"] for s in servers) == ["node-%03d" % n for n in range(30)]
        assert len(calls(sim, "/dev-servers/all")) == 1 + 5  # the first answer, then 5 pages of 7
        return
    with pytest.raises(IncompleteListingError) as raised:
        list_servers(client)
    message = str(raised.value)
    assert "list the Lite Servers of the project" in message and "7 of 30 item(s) read" in message, message
    assert "the user listing holds 29 of them" in message, message
    assert "Address Lite Servers by id" in message, message


def test_the_user_listing_completes_a_partial_project_listing_when_it_holds_every_server(sim, make_client):
    tenant(sim, 30, modelarts_all_page_cap=7, modelarts_all_paging="refuse", modelarts_page_cap=4)
    servers = list_servers(make_client(sim))
    assert len(servers) == 30 and len({s["id"] for s in servers}) == 30
    assert len([r for r in sim.requests() if r["path"].endswith("/dev-servers")]) == 8  # pages of at most 4


def test_a_server_beyond_the_first_page_is_bound_by_name(sim, run_module):
    tenant(sim, 30, eips=1, modelarts_all_page_cap=7, modelarts_all_paging="offset")
    out = run_module(modelarts_devserver_eip.main, sim, {"server": "node-029", "public_ip": "198.51.100.1"})
    assert out["changed"] is True and not out.get("failed"), out
    server = [s for s in sim.state()["dev_servers"] if s["name"] == "node-029"][0]
    assert sim.state()["publicips"][0]["sim_bound_server"] == server["id"]


def test_a_name_on_a_page_that_cannot_be_read_fails_without_a_write(sim, run_module):
    tenant(sim, 30, eips=1, owner=OTHER_USER, modelarts_all_page_cap=7, modelarts_all_paging="ignore")
    out = run_module(modelarts_devserver_eip.main, sim, {"server": "node-029", "public_ip": "198.51.100.1"})
    assert out.get("failed") and "7 of 30 item(s) read" in out["msg"], out
    assert "not found" not in out["msg"] and "no Lite Server" not in out["msg"], out["msg"]
    assert not [r for r in sim.requests() if r["method"] != "GET"]


def test_the_info_module_lists_every_server_or_fails(sim, run_module):
    tenant(sim, 30, modelarts_all_page_cap=7, modelarts_all_paging="offset")
    out = run_module(modelarts_devserver_info.main, sim, {"public_ips": False})
    assert len(out["servers"]) == 30, out
    tenant(sim, 30, owner=OTHER_USER, modelarts_all_page_cap=7, modelarts_all_paging="refuse")
    out = run_module(modelarts_devserver_info.main, sim, {"public_ips": False})
    assert out.get("failed") and "servers" not in out and "7 of 30" in out["msg"], out


def test_eip_and_imetal_listings_follow_their_markers_to_the_end(sim, make_client, run_module):
    tenant(sim, 0, eips=23, instances=17, eip_page_cap=5, imetal_page_cap=10)
    client = make_client(sim)
    assert len({e["id"] for e in list_eips(client)}) == 23
    assert len(calls(sim, "/v3/%s/eip/publicips" % client.project_id)) == 5
    assert len({i["id"] for i in list_instances(client)}) == 17
    assert len(run_module(vpc_eip_info.main, sim, {})["eips"]) == 23
    assert len(run_module(cdc_imetal_instance_info.main, sim, {})["instances"]) == 17


@pytest.mark.parametrize("raw,why", [
    # The listing's total says 3 EIPs, its only page holds one and names no next page.
    ('{"publicips": [%s], "page_info": {"next_marker": null}, "total_count": 3}', "without a next marker"),
    # The next marker is the marker just asked with: the listing would go round in circles.
    ('{"publicips": [%s], "page_info": {"next_marker": "M"}, "total_count": 3}', "came back again"),
])
def test_a_marker_listing_that_stops_short_fails_naming_the_counts(sim, make_client, raw, why):
    tenant(sim, 0, eips=3)
    client = make_client(sim)
    eip = list_eips(client)[0]
    import json
    body = raw % json.dumps({k: eip[k] for k in ("id", "public_ip_address", "status")})
    sim.fault(path="/eip/publicips", method="GET", raw=body.replace('"M"', json.dumps(eip["id"])), count=2)
    with pytest.raises(IncompleteListingError) as raised:
        list_eips(client)
    assert why in str(raised.value) and "of 3 item(s) read" in str(raised.value), str(raised.value)
