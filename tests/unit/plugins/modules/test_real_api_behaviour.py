"""The modules against the ways the real APIs behave where our simulator used to guess (one section per behaviour).

Each test sets the simulator up to answer as the real cloud does, or as it plausibly might where the truth is
unknown, and checks that the modules neither fail on it nor do harm.
"""

import json

import pytest

from ansible_collections.hwcloud.infra.plugins.module_utils._client import Client, GLOBAL_IAM, resolve_endpoints
from ansible_collections.hwcloud.infra.plugins.module_utils._errors import HuaweiCloudError
from ansible_collections.hwcloud.infra.plugins.modules import (cdc_imetal_instance_info, cdc_imetal_ip,
                                                               modelarts_devserver_eip, modelarts_devserver_info)

from hwsim.seedinfo import DOMAIN, REGION, USER

bind_main = modelarts_devserver_eip.main
info_main = modelarts_devserver_info.main
ip_main = cdc_imetal_ip.main


def server(sim, name):
    return next(s for s in sim.state()["dev_servers"] if s["name"] == name)


def eip(sim, alias):
    return next(e for e in sim.state()["publicips"] if e["alias"] == alias)


def bound_to(sim, name):
    server_id = server(sim, name)["id"]
    return sorted(e["public_ip_address"] for e in sim.state()["publicips"] if e["sim_bound_server"] == server_id)


def calls(sim, method=None):
    return [r for r in sim.requests() if r.get("service") not in (None, "iam") and
            (method is None or r["method"] == method)]


def warnings_of(out):
    return json.dumps(out.get("warnings", []))


# ---- 1. "nothing bound" is established without guessing an error text ------------------------------------------------

@pytest.mark.parametrize("status,code,message", [
    (400, "ModelArts.7001", "EIP does not exist."),
    (404, "ModelArts.7002", "The dev server does not have an EIP."),
    (400, "ModelArts.7003", "该服务器未绑定弹性公网IP。"),
    (404, "DevServer.0404", "Resource not found"),
    (400, "Common.0001", "Bad request"),
    (409, "ModelArts.7004", "The request conflicts with the resource state."),
])
def test_first_bind_whatever_the_none_bound_answer(sim, run_module, status, code, message):
    sim.configure(list_eips_empty_error={"status": status, "code": code, "message": message})
    out = run_module(bind_main, sim, {"server": "train-a3-01", "public_ip": "203.0.113.11"}, diff=True)
    assert not out.get("failed"), out["msg"]
    assert out["changed"] and bound_to(sim, "train-a3-01") == ["203.0.113.11"]
    # A free EIP is bound without reading the others; the diff's "before" is the bind's answer without it.
    assert out["diff"]["before"] == {"public_ips": []} and not calls(sim, "DELETE")
    again = run_module(bind_main, sim, {"server": "train-a3-01", "public_ip": "203.0.113.11"})
    assert again["changed"] is False and not again.get("failed")
    # Exclusive needs every binding: they come from the VPC EIP API, filtered by the server's device.
    sim.clear_requests()
    run_module(bind_main, sim, {"server": "train-a3-01", "state": "absent"})
    sim.clear_requests()
    exclusive = run_module(bind_main, sim, {"server": "train-a3-01", "public_ip": "203.0.113.11", "exclusive": True})
    assert exclusive["changed"] and bound_to(sim, "train-a3-01") == ["203.0.113.11"]
    assert [r for r in calls(sim, "GET") if "vnic.device_id=" in r["query"]]


def test_unknown_server_code_is_not_taken_for_nothing_bound(sim, run_module):
    target = server(sim, "train-a3-01")
    sim.fault(method="GET", path="/dev-servers/%s/publicips$" % target["id"], status=400, count=None,
              error_code="ModelArts.6404", error_msg="LiteServer instance not found.")
    out = run_module(bind_main, sim, {"server": "train-a3-01", "public_ip": "203.0.113.11"})
    assert out["failed"] and "ModelArts.6404" in out["msg"] and not calls(sim, "POST")


# ---- 2. look-ups see the whole project ------------------------------------------------------------------------------

def test_servers_of_other_users_are_found_by_name(sim, run_module):
    assert server(sim, "shared-a3-06")["sim_owner"] != server(sim, "train-a3-01")["sim_owner"]
    out = run_module(bind_main, sim, {"server": "shared-a3-06", "public_ip": "203.0.113.12"})
    assert out["changed"] and bound_to(sim, "shared-a3-06") == ["203.0.113.12"]
    assert [r["path"] for r in calls(sim, "GET") if r["path"].endswith("/all")]
    listed = run_module(info_main, sim, {"public_ips": False})
    assert "shared-a3-06" in [s["name"] for s in listed["servers"]] and len(listed["servers"]) == 26


def test_rebind_from_a_server_of_another_user(sim, run_module):
    run_module(bind_main, sim, {"server": "shared-a3-06", "public_ip": "203.0.113.13"})
    out = run_module(bind_main, sim, {"server": "train-a3-01", "public_ip": "203.0.113.13", "allow_rebind": True})
    assert out["changed"] and bound_to(sim, "train-a3-01") == ["203.0.113.13"] and bound_to(sim, "shared-a3-06") == []


def test_refused_tenant_listing_falls_back_to_the_user_listing_with_a_warning(sim, run_module):
    sim.configure(denied_actions=["modelarts:devserver:list"])
    listed = run_module(info_main, sim, {"public_ips": False})
    assert not listed.get("failed") and len(listed["servers"]) == 25
    assert "shared-a3-06" not in [s["name"] for s in listed["servers"]]
    assert "modelarts:devserver:list" in warnings_of(listed)
    out = run_module(bind_main, sim, {"server": "shared-a3-06", "public_ip": "203.0.113.12"})
    assert out["failed"] and "shared-a3-06" in out["msg"] and "modelarts:devserver:list" in warnings_of(out)
    out = run_module(bind_main, sim, {"server": "train-a3-02", "public_ip": "203.0.113.12"})
    assert out["changed"] and bound_to(sim, "train-a3-02") == ["203.0.113.12"]


# ---- 3. the info module survives servers that cannot list EIPs ------------------------------------------------------

def test_info_survives_non_a3_and_deleted_servers(sim, run_module):
    run_module(bind_main, sim, {"server": "train-a3-01", "public_ip": "203.0.113.11"})
    out = run_module(info_main, sim, {})
    assert not out.get("failed"), out.get("msg")
    by_name = {s["name"]: s for s in out["servers"]}
    deleted = by_name["ls-deleted"]
    assert deleted["public_ips"] is None and "DELETED" in deleted["public_ips_error"]
    legacy = by_name["legacy-ecs-01"]
    assert legacy["public_ips"] == [] and legacy["public_ips_error"] is None
    assert [e["address"] for e in by_name["train-a3-01"]["public_ips"]] == ["203.0.113.11"]
    assert not [r for r in calls(sim) if r["path"].endswith("%s/publicips" % deleted["id"])]


def test_info_records_a_server_whose_eips_cannot_be_read_at_all(sim, run_module):
    legacy = server(sim, "legacy-ecs-01")
    sim.fault(method="GET", path="/eip/publicips$", status=403, count=None, error_code="VPC.0003",
              error_msg="Policy doesn't allow vpc:publicIps:list to be performed.")
    out = run_module(info_main, sim, {"server": "legacy-ecs-01"})
    assert not out.get("failed") and out["servers"][0]["id"] == legacy["id"]
    assert out["servers"][0]["public_ips"] is None and "VPC.0003" in out["servers"][0]["public_ips_error"]
    assert "legacy-ecs-01" in warnings_of(out)


# ---- 4. releasing an EIP is asynchronous ----------------------------------------------------------------------------

def test_bind_right_after_an_unbind_waits_for_the_release(sim, run_module):
    sim.configure(eip_release_reads=3)
    out = run_module(bind_main, sim, {"server": "train-a3-04", "public_ip": "203.0.113.40", "state": "absent",
                                      "wait": False})
    assert out["changed"] and bound_to(sim, "train-a3-04") == []
    assert eip(sim, "bound-a3-04")["sim_releasing"], "still being released when the next task starts"
    out = run_module(bind_main, sim, {"server": "train-a3-01", "public_ip": "203.0.113.40"})
    assert not out.get("failed"), out["msg"]
    assert out["changed"] and bound_to(sim, "train-a3-01") == ["203.0.113.40"]
    posts = calls(sim, "POST")
    assert [r["status"] for r in posts] == [200], "the bind was sent once, after the release"


def test_rebind_waits_for_the_release_between_its_legs(sim, run_module):
    sim.configure(eip_release_seconds=0.5)
    out = run_module(bind_main, sim, {"server": "train-a3-01", "public_ip": "203.0.113.40", "allow_rebind": True})
    assert out["changed"] and bound_to(sim, "train-a3-01") == ["203.0.113.40"] and bound_to(sim, "train-a3-04") == []
    assert [r["status"] for r in calls(sim, "POST")] == [200]


def test_rollback_rebinds_only_after_the_release(sim, run_module):
    sim.configure(eip_release_reads=3)
    target = server(sim, "train-a3-01")
    sim.fault(method="POST", path="/dev-servers/%s/publicips$" % target["id"], status=400, count=None,
              error_code="ModelArts.6411", error_msg="Refused.")
    out = run_module(bind_main, sim, {"server": "train-a3-01", "public_ip": "203.0.113.40", "allow_rebind": True})
    assert out["failed"] and "rolled back" in out["msg"] and out["changed"] is False
    assert bound_to(sim, "train-a3-04") == ["203.0.113.40"]


def test_lost_answer_of_an_unbind_during_the_release_is_not_resent(sim, run_module):
    sim.configure(eip_release_reads=5)
    sim.fault(method="DELETE", path="/publicips/", drop="after", count=1)
    out = run_module(bind_main, sim, {"server": "train-a3-04", "public_ip": "203.0.113.40", "state": "absent",
                                      "api_timeout": 2})
    assert not out.get("failed"), out["msg"]
    assert out["changed"] and bound_to(sim, "train-a3-04") == [] and len(calls(sim, "DELETE")) == 1
    assert eip(sim, "bound-a3-04")["status"] == "DOWN", "the task waited until the release ended"


# ---- 5. the holder of an EIP is its port's device -------------------------------------------------------------------

def test_holder_is_found_by_the_hps_sub_node_device(sim, run_module):
    held = eip(sim, "bound-a3-04")
    holder = server(sim, "train-a3-04")
    assert held["vnic"]["device_id"] == holder["cloud_server"]["hps_ecs_id"] != holder["cloud_server"]["id"]
    refused = run_module(bind_main, sim, {"server": "train-a3-01", "public_ip": "203.0.113.40"})
    assert refused["failed"] and "train-a3-04" in refused["msg"] and "allow_rebind" in refused["msg"]
    out = run_module(bind_main, sim, {"server": "train-a3-01", "public_ip": "203.0.113.40", "allow_rebind": True})
    assert out["changed"] and bound_to(sim, "train-a3-01") == ["203.0.113.40"]


def test_an_owning_service_instance_id_is_not_taken_for_a_server(sim, run_module):
    """An EIP on an RDS port whose vnic.instance_id happens to equal a Lite Server's id must not be moved."""
    seed = sim.state()
    victim = next(s for s in seed["dev_servers"] if s["name"] == "train-a3-02")
    rds = next(e for e in seed["publicips"] if e["alias"] == "ecs-web")
    rds["vnic"].update(device_owner="network:rds", device_id="7e1d0c2b-3a4f-4b5c-8d6e-9f0a1b2c3d4e",
                       instance_id=victim["cloud_server"]["id"], instance_type="RDS")
    sim.reset(seed)
    out = run_module(bind_main, sim, {"server": "train-a3-01", "public_ip": "203.0.113.60", "allow_rebind": True})
    assert out["failed"] and "train-a3-02" not in out["msg"] and "RDS" in out["msg"]
    assert not calls(sim, "DELETE") and not calls(sim, "POST")


# ---- 6. small ones: times, paging, IAM request id, sorting -----------------------------------------------------------

def test_times_are_epoch_milliseconds(sim, run_module):
    out = run_module(info_main, sim, {"server": "train-a3-01", "public_ips": False})
    created = out["servers"][0]["create_at"]
    assert isinstance(created, int) and created == server(sim, "train-a3-01")["create_at"] > 10 ** 12


def test_offset_paging_continues_until_total(sim, run_module):
    sim.configure(denied_actions=["modelarts:devserver:list"], modelarts_page_cap=4)
    out = run_module(info_main, sim, {"public_ips": False})
    assert len(out["servers"]) == 25
    pages = [r for r in calls(sim, "GET") if r["path"].endswith("/dev-servers")]
    assert len(pages) == 7 and "limit=1024" in pages[0]["query"]


def test_iam_request_id_is_reported(sim, run_module):
    args = {"region": REGION, "endpoints": sim.endpoints(), "user_name": USER, "password": "wrong-password",
            "domain_name": DOMAIN, "server": "train-a3-01", "public_ips": False}
    out = run_module(info_main, sim, args, connection=False)
    login = [r for r in sim.requests() if r.get("service") == "iam"][0]
    assert out["failed"] and out["error"]["request_id"] == login["request_id"]
    assert login["request_id"] in out["msg"]


def test_user_listing_sort_keys_follow_the_sdk(sim, make_client):
    client = make_client(sim)
    path = "/v1/{project_id}/dev-servers"
    ascending = client.get("modelarts", path, query={"limit": 100})["data"]
    assert [s["create_at"] for s in ascending] == sorted(s["create_at"] for s in ascending)
    newest = client.get("modelarts", path, query={"limit": 1, "sort_key": "updateTime", "sort_dir": "DESC"})["data"]
    assert newest[0]["update_at"] == max(s["update_at"] for s in ascending)
    with pytest.raises(HuaweiCloudError) as info:
        client.get("modelarts", path, query={"sort_key": "create_at"})
    assert info.value.status == 400


# ---- 7. a stale status read is not the outcome ----------------------------------------------------------------------

def subnet_id(sim, name):
    return next(s["id"] for s in sim.state()["subnets"] if s["name"] == name)


def instance(sim, name):
    return next(i for i in sim.state()["instances"] if i["name"] == name)


def test_retry_after_a_failure_is_not_judged_on_a_stale_status(sim, run_module):
    sim.configure(imetal_stale_status_reads=3)
    before = instance(sim, "failed-node")
    assert before["operation_state"] == "modify-ip-failed"
    out = run_module(ip_main, sim, {"instance": "failed-node",
                                    "nics": [{"subnet_id": subnet_id(sim, "subnet-a1"), "ip_address": "10.0.1.71"}]})
    assert not out.get("failed"), out["msg"]
    assert out["changed"] and out["instance"]["operation_state"] == "modify-ip-succeed"
    assert [n["ipv4_address"] for n in instance(sim, "failed-node")["network_interfaces"]] == ["10.0.1.71"]


def test_a_new_failure_after_stale_reads_is_reported(sim, run_module):
    seed = sim.state()
    next(s for s in seed["subnets"] if s["name"] == "subnet-a1")["reserved"] = ["10.0.1.98"]
    sim.reset(seed)
    sim.configure(imetal_stale_status_reads=2)
    out = run_module(ip_main, sim, {"instance": "failed-node",
                                    "nics": [{"subnet_id": subnet_id(sim, "subnet-a1"), "ip_address": "10.0.1.98"}]})
    assert out["failed"] and out["error"]["code"] == "CLOUDDC.2002" and "10.0.1.98" in out["msg"]


# ---- 8. check mode tells the truth; harm is refused before sending ---------------------------------------------------

@pytest.mark.parametrize("nic,fragment", [
    ({"subnet": "subnet-a1", "ip_address": "10.9.9.9"}, "outside subnet"),
    ({"subnet": "subnet-a1", "ip_address": "10.0.1.0"}, "network address"),
    ({"subnet": "subnet-a1", "ip_address": "10.0.1.255"}, "broadcast address"),
    ({"subnet": "subnet-a1", "ip_address": "10.0.1.1"}, "gateway"),
    ({"subnet": "subnet-a1", "ip_address": "10.0.1.10"}, "gpu-node-01"),
    ({"subnet": "subnet-b1", "ip_address": "172.16.0.99"}, "belongs to VPC"),
    ({"subnet": None, "ip_address": "10.0.1.77"}, "no such subnet"),
])
def test_refused_before_sending_in_check_mode_and_for_real(sim, run_module, nic, fragment):
    wanted = {"subnet_id": subnet_id(sim, nic["subnet"]) if nic["subnet"] else "5b8e0a3c-1d2f-4e6a-9b7c-0d1e2f3a4b5c",
              "ip_address": nic["ip_address"]}
    args = {"instance": "gpu-node-03", "nics": [wanted]}
    checked = run_module(ip_main, sim, args, check_mode=True)
    assert checked["failed"] and fragment in checked["msg"] and "nothing was sent" in checked["msg"]
    out = run_module(ip_main, sim, args)
    assert out["failed"] and fragment in out["msg"] and out["changed"] is False
    assert not calls(sim, "PUT")
    node = instance(sim, "gpu-node-03")
    assert node["state"] == "running"
    physical = next(p for p in sim.state()["physical_servers"] if p["id"] == node["server_id"])
    assert physical["power_state"] == "on"


def test_check_mode_succeeds_exactly_when_the_run_does(sim, run_module):
    args = {"instance": "gpu-node-03", "nics": [{"subnet_id": subnet_id(sim, "subnet-a1"), "ip_address": "10.0.1.78"}]}
    checked = run_module(ip_main, sim, args, check_mode=True)
    assert checked["changed"] and not checked.get("failed") and not calls(sim, "PUT")
    out = run_module(ip_main, sim, args)
    assert out["changed"] and not out.get("failed")
    assert [r["path"] for r in calls(sim, "GET") if "/subnets/" in r["path"]]


# ---- 9. nics semantics -----------------------------------------------------------------------------------------------

def test_dropping_a_nic_needs_purge_nics(sim, run_module):
    a1 = subnet_id(sim, "subnet-a1")
    args = {"instance": "gpu-node-01", "nics": [{"subnet_id": a1, "ip_address": "10.0.1.10"}]}
    out = run_module(ip_main, sim, args)
    assert out["failed"] and "10.0.2.10" in out["msg"] and "purge_nics" in out["msg"] and not calls(sim, "PUT")
    out = run_module(ip_main, sim, dict(args, purge_nics=True))
    assert out["changed"] and [n["ipv4_address"] for n in instance(sim, "gpu-node-01")["network_interfaces"]] == [
        "10.0.1.10"]


def test_a_nic_without_address_in_its_subnet_keeps_it(sim, run_module):
    a1, a2 = subnet_id(sim, "subnet-a1"), subnet_id(sim, "subnet-a2")
    out = run_module(ip_main, sim, {"instance": "gpu-node-01", "nics": [
        {"subnet_id": a1, "ip_address": "10.0.1.79"}, {"subnet_id": a2}]})
    assert out["changed"]
    put = calls(sim, "PUT")[0]
    assert put["body"]["nics"][1] == {"subnet_id": a2, "ip_address": "10.0.2.10"}
    assert [n["ipv4_address"] for n in instance(sim, "gpu-node-01")["network_interfaces"]] == ["10.0.1.79",
                                                                                               "10.0.2.10"]


def test_diff_after_is_what_was_read_back(sim, run_module):
    b1 = next(s for s in sim.state()["subnets"] if s["name"] == "subnet-b1")
    out = run_module(ip_main, sim, {"instance": "gpu-node-02", "vpc_id": b1["vpc_id"],
                                    "nics": [{"subnet_id": b1["id"]}]}, diff=True)
    allocated = instance(sim, "gpu-node-02")["network_interfaces"][0]["ipv4_address"]
    assert out["diff"]["after"]["network_interfaces"] == [{"subnet_id": b1["id"], "ipv4_address": allocated}]


# ---- 10. id filter size and the failed state ------------------------------------------------------------------------

def test_instance_ids_are_read_100_per_call(sim, run_module):
    ids = ["00000000-0000-4000-8000-%012d" % n for n in range(150)]
    out = run_module(cdc_imetal_instance_info.main, sim, {"ids": ids})
    assert not out.get("failed") and out["instances"] == []
    reads = [r for r in calls(sim, "GET") if r["path"].endswith("/instances")]
    assert len(reads) == 2 and reads[0]["query"].count("%2C") == 99


def test_failed_is_a_state_filter(sim, run_module):
    out = run_module(cdc_imetal_instance_info.main, sim, {"state": "failed"})
    assert not out.get("failed"), out.get("msg")
    assert [r["query"] for r in calls(sim, "GET") if "instance_state=failed" in r["query"]]


# ---- 11. endpoints as the SDK resolves them --------------------------------------------------------------------------

@pytest.mark.parametrize("region,service,url", [
    ("ap-southeast-3", "iam", "https://iam.ap-southeast-3.myhuaweicloud.com"),
    ("af-north-1", "iam", GLOBAL_IAM),
    ("cn-north-11", "iam", GLOBAL_IAM),
    ("ru-northwest-2", "iam", GLOBAL_IAM),
    ("eu-west-101", "iam", "https://iam.eu-west-101.myhuaweicloud.eu"),
    ("eu-west-101", "vpc", "https://vpc.eu-west-101.myhuaweicloud.com"),
    ("ap-southeast-1", "modelarts", "https://modelarts.ap-southeast-1.myhuaweicloud.cn"),
    ("cn-south-1", "clouddc", "https://clouddc.cn-south-1.myhuaweicloud.com"),
])
def test_endpoints_follow_the_sdk_region_tables(region, service, url):
    assert resolve_endpoints(region)[service] == url


def test_a_custom_cloud_applies_the_pattern_and_overrides_win():
    assert resolve_endpoints("af-north-1", cloud="example.test")["iam"] == "https://iam.af-north-1.example.test"
    assert resolve_endpoints("eu-west-101", overrides={"iam": "https://iam.internal.test"})["iam"] == \
        "https://iam.internal.test"


def test_client_uses_the_global_iam_for_a_region_without_one():
    client = Client({"region": "af-north-1", "user_name": "u", "password": "p", "domain_name": "d"})
    assert client.endpoints["iam"] == GLOBAL_IAM
