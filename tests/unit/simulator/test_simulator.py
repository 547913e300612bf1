"""The simulator behaves like the cloud: state changes, documented errors, signature and token checks, admin API."""

import time
from datetime import datetime, timedelta, timezone

import pytest
import requests

from ansible_collections.hwcloud.infra.plugins.module_utils import _signer
from ansible_collections.hwcloud.infra.plugins.module_utils._errors import HuaweiCloudError

from hwsim.seedinfo import AK, PROJECT_ID, SK

EIPS_OF = "/v1/{project_id}/dev-servers/{id}/publicips"
UNBIND = "/v1/{project_id}/dev-servers/{id}/publicips/{eip}"
CHANGE_IP = "/v1/{project_id}/instances/{id}/ip"
STATUS = "/v1/{project_id}/instances/{id}/status"


@pytest.fixture
def client(sim, make_client):
    return make_client(sim, project_id=PROJECT_ID, api_retries=0)


def bind(client, server_id, eip_id):
    return client.request("POST", "modelarts", EIPS_OF, {"id": server_id}, body={"public_ip_id": eip_id})


def error_of(call):
    with pytest.raises(HuaweiCloudError) as info:
        call()
    return info.value


# ---- ModelArts Lite Servers -------------------------------------------------------------------------------------------

def test_bind_then_list_then_unbind_changes_eip_state(sim, client):
    server = sim.find("dev_servers", "train-a3-01")
    eip = sim.find("publicips", "free-01", "alias")
    resp = bind(client, server["id"], eip["id"])
    assert resp.status == 200 and resp.request_id
    assert resp.body == {"public_ips": [{"id": eip["id"], "address": eip["public_ip_address"]}]}
    v3 = client.get("vpc", "/v3/{project_id}/eip/publicips/{id}", {"id": eip["id"]})["publicip"]
    assert v3["status"] == "ACTIVE" and v3["associate_instance_type"] == "PORT"
    # The port's device is the HPS sub-node's ECS; vnic.instance_id is for owning services, empty for a server.
    assert v3["vnic"]["device_id"] == server["cloud_server"]["hps_ecs_id"] and v3["vnic"]["instance_id"] == ""
    v1 = client.get("vpc", "/v1/{project_id}/publicips/{id}", {"id": eip["id"]})["publicip"]
    assert v1["port_id"] and v1["private_ip_address"] == server["endpoints"][0]["uri"]
    unbound = client.request("DELETE", "modelarts", UNBIND, {"id": server["id"], "eip": eip["id"]})
    assert unbound.status == 200 and unbound.body is None
    assert error_of(lambda: client.get("modelarts", EIPS_OF, {"id": server["id"]})).code == "ModelArts.6413"
    assert client.get("vpc", "/v1/{project_id}/publicips/{id}", {"id": eip["id"]})["publicip"]["status"] == "DOWN"


def test_binding_an_eip_in_use_fails(sim, client):
    server = sim.find("dev_servers", "train-a3-01")
    for alias in ("bound-a3-04", "elb-frontend", "ecs-web", "frozen"):
        err = error_of(lambda: bind(client, server["id"], sim.find("publicips", alias, "alias")["id"]))
        assert (err.status, err.code) == (400, "ModelArts.6409")
        assert "used by another resource" in err.error_message


def test_binding_to_a_server_that_is_not_running_fails(sim, client):
    eip = sim.find("publicips", "free-02", "alias")
    for status in ("STOPPED", "CREATING", "ERROR", "REBOOTING"):
        server = next(s for s in sim.state()["dev_servers"] if s["status"] == status)
        err = error_of(lambda: bind(client, server["id"], eip["id"]))
        assert err.code == "ModelArts.6408" and status in err.error_message
    assert sim.find("publicips", "free-02", "alias")["status"] == "DOWN"


def test_non_a3_server_and_unknown_server_and_unknown_eip(sim, client):
    eip = sim.find("publicips", "free-02", "alias")
    legacy = sim.find("dev_servers", "legacy-ecs-01")
    assert error_of(lambda: bind(client, legacy["id"], eip["id"])).code == "ModelArts.6411"
    err = error_of(lambda: bind(client, "f" * 36, eip["id"]))
    assert (err.status, err.code, err.error_message) == (400, "ModelArts.6404",
                                                         "LiteServer instance '%s' not found." % ("f" * 36))
    # The underlying BMS id is not a Lite Server id.
    bms = sim.find("dev_servers", "train-a3-01")["cloud_server"]["id"]
    assert error_of(lambda: client.get("modelarts", "/v1/{project_id}/dev-servers/{id}", {"id": bms})).code == \
        "ModelArts.6404"
    server = sim.find("dev_servers", "train-a3-01")
    assert error_of(lambda: bind(client, server["id"], "no-such-eip")).code == "ModelArts.6410"
    assert error_of(lambda: client.request("POST", "modelarts", EIPS_OF, {"id": server["id"]}, body={})).code == \
        "ModelArts.6400"


def test_list_eips_when_nothing_is_bound_both_documented_answers(sim, client):
    server = sim.find("dev_servers", "train-a3-02")
    err = error_of(lambda: client.get("modelarts", EIPS_OF, {"id": server["id"]}))
    assert (err.status, err.code) == (400, "ModelArts.6413")
    sim.configure(list_eips_empty_error={"status": 404, "code": "X.1", "message": "EIP does not exist."})
    err = error_of(lambda: client.get("modelarts", EIPS_OF, {"id": server["id"]}))
    assert (err.status, err.code, err.error_message) == (404, "X.1", "EIP does not exist.")
    sim.configure(list_eips_when_empty="empty")
    assert client.get("modelarts", EIPS_OF, {"id": server["id"]}) == {"public_ips": []}
    bound = sim.find("dev_servers", "train-a3-04")
    assert client.get("modelarts", EIPS_OF, {"id": bound["id"]})["public_ips"][0]["address"] == "203.0.113.40"


def test_unbinding_an_eip_not_bound_to_the_server_fails(sim, client):
    server = sim.find("dev_servers", "train-a3-01")
    other = sim.find("publicips", "bound-a3-04", "alias")
    err = error_of(lambda: client.request("DELETE", "modelarts", UNBIND, {"id": server["id"], "eip": other["id"]}))
    assert err.code == "ModelArts.6412"


def test_start_and_stop(sim, client):
    stopped = sim.find("dev_servers", "ls-stopped")
    started = client.request("PUT", "modelarts", "/v1/{project_id}/dev-servers/{id}/start", {"id": stopped["id"]})
    assert started.body["status"] == "RUNNING"
    err = error_of(lambda: client.request("PUT", "modelarts", "/v1/{project_id}/dev-servers/{id}/start",
                                          {"id": stopped["id"]}))
    assert err.code == "ModelArts.6408"


def test_eip_settling_shows_transitional_status(sim, client):
    sim.configure(eip_settle_reads=2)
    server = sim.find("dev_servers", "train-a3-01")
    eip = sim.find("publicips", "free-03", "alias")
    bind(client, server["id"], eip["id"])
    path = "/v3/{project_id}/eip/publicips/{id}"
    seen = [client.get("vpc", path, {"id": eip["id"]})["publicip"]["status"] for _read in range(3)]
    assert seen == ["BINDING", "BINDING", "ACTIVE"]


def test_eip_lookup_by_address(sim, client):
    found = client.get("vpc", "/v1/{project_id}/publicips", query={"public_ip_address": "203.0.113.40"})
    assert [e["alias"] for e in found["publicips"]] == ["bound-a3-04"]
    v3 = client.get("vpc", "/v3/{project_id}/eip/publicips", query={"public_ip_address": "203.0.113.50"})
    assert v3["publicips"][0]["associate_instance_type"] == "ELB"


# ---- CloudDC iMetal -------------------------------------------------------------------------------------------------

def change_ip(client, instance_id, nics, vpc_id=None):
    body = {"nics": nics}
    if vpc_id:
        body["vpc_id"] = vpc_id
    return client.request("PUT", "clouddc", CHANGE_IP, {"id": instance_id}, body=body)


def poll(client, instance_id, times):
    return [client.get("clouddc", STATUS, {"id": instance_id})["operation_state"] for _poll in range(times)]


def test_ip_change_goes_processing_then_succeed(sim, client):
    sim.configure(imetal_ip_change_polls=3)
    inst = sim.find("instances", "gpu-node-01")
    a1, a2 = (n["subnet_id"] for n in inst["network_interfaces"])
    wanted = [{"subnet_id": a1, "ip_address": "10.0.1.50"}, {"subnet_id": a2, "ip_address": "10.0.2.50"}]
    resp = change_ip(client, inst["id"], wanted)
    assert resp.status == 202 and resp.body is None
    assert poll(client, inst["id"], 3) == ["modify-ip-processing", "modify-ip-processing", "modify-ip-succeed"]
    now = sim.find("instances", "gpu-node-01")
    assert [n["ipv4_address"] for n in now["network_interfaces"]] == ["10.0.1.50", "10.0.2.50"]


def test_ip_change_auto_allocates_a_free_address(sim, client):
    sim.configure(imetal_ip_change_polls=1)
    inst = sim.find("instances", "gpu-node-02")
    change_ip(client, inst["id"], [{"subnet_id": inst["network_interfaces"][0]["subnet_id"]}])
    assert poll(client, inst["id"], 1) == ["modify-ip-succeed"]
    address = sim.find("instances", "gpu-node-02")["network_interfaces"][0]["ipv4_address"]
    used = {n["ipv4_address"] for i in sim.state()["instances"] if i["id"] != inst["id"]
            for n in i["network_interfaces"]}
    assert address.startswith("10.0.1.") and address not in used and address not in ("10.0.1.0", "10.0.1.1")


@pytest.mark.parametrize("address,code", [("10.9.9.9", "CLOUDDC.2001"), ("10.0.1.11", "CLOUDDC.2002")])
def test_ip_change_fails_asynchronously_for_bad_addresses(sim, client, address, code):
    sim.configure(imetal_ip_change_polls=2)
    inst = sim.find("instances", "gpu-node-03")
    change_ip(client, inst["id"], [{"subnet_id": inst["network_interfaces"][0]["subnet_id"], "ip_address": address}])
    assert poll(client, inst["id"], 2) == ["modify-ip-processing", "modify-ip-failed"]
    status = client.get("clouddc", STATUS, {"id": inst["id"]})
    assert status["error"]["error_code"] == code and address in status["error"]["error_msg"]
    now = sim.find("instances", "gpu-node-03")
    assert now["network_interfaces"][0]["ipv4_address"] == "10.0.1.12", "a failed change leaves the address"
    assert sim.find("physical_servers", now["server_id"], "id")["power_state"] == "off"


def test_ip_change_preconditions(sim, client):
    busy = sim.find("instances", "busy-node")
    nic = [{"subnet_id": busy["network_interfaces"][0]["subnet_id"]}]
    err = error_of(lambda: change_ip(client, busy["id"], nic))
    assert (err.status, err.code) == (400, "CLOUDDC.1010") and "reinstall-processing" in err.error_message
    stopped = sim.find("instances", "stopped-node")
    assert error_of(lambda: change_ip(client, stopped["id"], nic)).code == "CLOUDDC.1010"
    failed = sim.find("instances", "failed-node")
    assert change_ip(client, failed["id"], nic).status == 202, "a retry after modify-ip-failed with power off"
    assert error_of(lambda: change_ip(client, failed["id"], nic)).code == "CLOUDDC.1010", "now processing"


def test_ip_change_validates_subnets_and_vpc_synchronously(sim, client):
    inst = sim.find("instances", "gpu-node-02")
    b1 = sim.find("subnets", "subnet-b1")
    assert error_of(lambda: change_ip(client, inst["id"], [{"subnet_id": "nope"}])).code == "CLOUDDC.1002"
    assert error_of(lambda: change_ip(client, inst["id"], [{"subnet_id": b1["id"]}])).code == "CLOUDDC.1003"
    assert error_of(lambda: change_ip(client, inst["id"], [])).code == "CLOUDDC.1001"
    sim.configure(imetal_ip_change_polls=1)
    assert change_ip(client, inst["id"], [{"subnet_id": b1["id"]}], vpc_id=b1["vpc_id"]).status == 202
    poll(client, inst["id"], 1)
    assert sim.find("instances", "gpu-node-02")["vpc_id"] == b1["vpc_id"]
    err = error_of(lambda: client.get("clouddc", STATUS, {"id": "missing"}))
    assert err.code == "CLOUDDC.1004" and err.request_id


def test_instance_list_filters(sim, client):
    ids = [sim.find("instances", n)["id"] for n in ("gpu-node-01", "gpu-node-02")]
    listed = client.get("clouddc", "/v1/{project_id}/instances", query={"instance_id": ",".join(ids)})
    assert sorted(i["id"] for i in listed["instances"]) == sorted(ids) and listed["count"] == 2
    stopped = client.get("clouddc", "/v1/{project_id}/instances", query={"instance_state": "stopped"})
    assert {i["name"] for i in stopped["instances"]} == {"failed-node", "stopped-node"}
    phys = client.get("clouddc", "/v1/{project_id}/physicalservers/{id}", {"id": listed["instances"][0]["server_id"]})
    assert phys["power_state"] == "on" and phys["manage_state"] == "in-use"


# ---- gateway: signatures, tokens, rate limit, request ids -------------------------------------------------------------

def signed_get(sim, path, query, tamper=None, date=None):
    host = sim.url.split("://", 1)[1]
    headers = {"Content-Type": "application/json", "X-Project-Id": PROJECT_ID}
    if date:
        headers["X-Sdk-Date"] = date
    signed = _signer.sign("GET", host, path, query, headers, b"", AK, SK)
    if tamper:
        path, query, signed = tamper(path, query, signed)
    qs = _signer.canonical_query(query)
    return requests.get(sim.url + path + ("?" + qs if qs else ""), headers=signed, timeout=10)


def test_signature_is_checked_on_every_part(sim):
    path = "/v1/%s/dev-servers" % PROJECT_ID
    assert signed_get(sim, path, [("limit", "2")]).status_code == 200
    tampered = [
        lambda p, q, h: (p, [("limit", "3")], h),
        lambda p, q, h: (p + "/x", q, h),
        lambda p, q, h: (p, q, dict(h, **{"X-Project-Id": "0" * 32})),
        lambda p, q, h: (p, q, dict(h, Authorization=h["Authorization"].replace(AK, "HWSIMAKOTHERACCT0003"))),
    ]
    for tamper in tampered:
        resp = signed_get(sim, path, [("limit", "2")], tamper=tamper)
        assert resp.status_code == 401 and resp.json()["error_code"] == "APIG.0301"
        assert resp.headers["X-Request-Id"]


def test_stale_sdk_date_is_rejected(sim):
    old = (datetime.now(timezone.utc) - timedelta(minutes=20)).strftime("%Y%m%dT%H%M%SZ")
    resp = signed_get(sim, "/v1/%s/dev-servers" % PROJECT_ID, [], date=old)
    assert resp.status_code == 401 and "expired" in resp.json()["error_msg"]


def test_unauthenticated_and_unknown_routes(sim):
    resp = requests.get(sim.url + "/v1/%s/dev-servers" % PROJECT_ID, timeout=10)
    assert resp.status_code == 401
    resp = requests.get(sim.url + "/v2/nothing", timeout=10)
    assert resp.status_code == 404 and resp.json()["error_code"] == "APIG.0101"


def test_per_credential_rate_limit(sim, make_client):
    sim.configure(rate_limit_per_second=3)
    client = make_client(sim, project_id=PROJECT_ID, api_retries=0)
    statuses = []
    for _call in range(6):
        try:
            client.get("modelarts", "/v1/{project_id}/dev-servers")
            statuses.append(200)
        except HuaweiCloudError as err:
            statuses.append((err.status, err.code))
            assert "The throttling threshold has been reached" in err.error_message
    assert statuses[:3] == [200, 200, 200] and (429, "APIG.0308") in statuses
    token_client = make_client(sim, project_id=PROJECT_ID, auth_token=sim.token(PROJECT_ID), api_retries=0)
    assert token_client.get("modelarts", "/v1/{project_id}/dev-servers")["total"] == 25, "limits are per credential"


# ---- admin API ---------------------------------------------------------------------------------------------------------

def test_reset_restores_the_seed_and_can_take_a_new_one(sim, client):
    server = sim.find("dev_servers", "train-a3-01")
    bind(client, server["id"], sim.find("publicips", "free-01", "alias")["id"])
    sim.reset()
    assert sim.find("publicips", "free-01", "alias")["status"] == "DOWN"
    seed = sim.state()
    seed["dev_servers"] = [s for s in seed["dev_servers"] if s["name"] == "train-a3-01"]
    sim.reset(seed)
    assert client.get("modelarts", "/v1/{project_id}/dev-servers")["total"] == 1
    sim.reset()
    assert client.get("modelarts", "/v1/{project_id}/dev-servers")["total"] == 25


def test_faults_count_down_and_are_logged(sim, client):
    sim.fault(method="GET", path="/dev-servers$", status=500, count=2, error_code="X.1", error_msg="boom")
    for _call in range(2):
        err = error_of(lambda: client.get("modelarts", "/v1/{project_id}/dev-servers"))
        assert (err.status, err.code, err.error_message) == (500, "X.1", "boom")
    assert client.get("modelarts", "/v1/{project_id}/dev-servers")["total"] == 25
    log = [r for r in sim.requests() if r["path"].endswith("/dev-servers")]
    assert [(r["status"], r["fault"]) for r in log] == [(500, "status"), (500, "status"), (200, None)]
    faults = sim.admin("GET", "faults")["faults"]
    assert faults[0]["hits"] == 2 and faults[0]["count"] == 0


def test_every_response_has_a_request_id_and_log_matches(sim, client):
    resp = client.request("GET", "modelarts", "/v1/{project_id}/dev-servers")
    assert resp.request_id == sim.requests()[-1]["request_id"]


def test_simulator_stops_on_sigterm():
    from hwsim.control import SimulatorProcess
    sim = SimulatorProcess().start()
    proc = sim.proc
    started = time.monotonic()
    sim.stop()
    assert proc.returncode == 0 and time.monotonic() - started < 5


# ---- request checks: what the real gateway and services refuse ---------------------------------------------------------

def test_x_project_id_must_match_the_path(sim, client):
    other = "1b2c3d4e5f60718293a4b5c6d7e8f90a"
    err = error_of(lambda: client.request("GET", "modelarts", "/v1/%s/dev-servers/all" % other))
    assert err.status == 400 and "X-Project-Id" in err.error_message and other in err.error_message


def test_a_body_needs_content_type_json(sim, client):
    server = sim.find("dev_servers", "train-a3-01")
    eip = sim.find("publicips", "free-01", "alias")
    req = client.prepare("POST", "modelarts", EIPS_OF, {"id": server["id"]}, body={"public_ip_id": eip["id"]})
    req.headers["Content-Type"] = "text/plain"
    resp = client.send_once(req)
    assert resp.status_code == 400 and "Content-Type" in resp.json()["error_msg"]
    assert sim.find("publicips", "free-01", "alias")["sim_bound_server"] is None


@pytest.mark.parametrize("body,fragment", [
    ({"public_ip_id": "x", "port_id": "y"}, "port_id is not a known field"),
    ({"public_ip_id": 7}, "public_ip_id must be of type str"),
    ({}, None),
    ([], "body must be an object"),
])
def test_unknown_body_fields_and_wrong_types_are_refused(sim, client, body, fragment):
    server = sim.find("dev_servers", "train-a3-01")
    err = error_of(lambda: client.request("POST", "modelarts", EIPS_OF, {"id": server["id"]}, body=body))
    assert err.status == 400 and (fragment is None or fragment in err.error_message)


@pytest.mark.parametrize("nics,fragment", [
    ([{"subnet_id": "s", "ip": "10.0.1.5"}], "nics[0].ip is not a known field"),
    ([{"subnet_id": 5}], "nics[0].subnet_id must be of type str"),
    ("s", "nics must be an array"),
])
def test_change_ip_body_follows_the_sdk_model(sim, client, nics, fragment):
    inst = sim.find("instances", "gpu-node-02")
    err = error_of(lambda: client.request("PUT", "clouddc", CHANGE_IP, {"id": inst["id"]}, body={"nics": nics}))
    assert err.status == 400 and fragment in err.error_message
    assert sim.find("instances", "gpu-node-02")["operation_state"] == "install-succeed"


@pytest.mark.parametrize("service,path,query,fragment", [
    ("modelarts", "/v1/{project_id}/dev-servers/all", {"limit": 10}, "Unknown query parameter limit"),
    ("modelarts", "/v1/{project_id}/dev-servers", {"page": 1}, "Unknown query parameter page"),
    ("modelarts", "/v1/{project_id}/dev-servers", {"limit": 1025}, "limit"),
    ("modelarts", "/v1/{project_id}/dev-servers", {"sort_dir": "desc"}, "sort_dir"),
    ("vpc", "/v3/{project_id}/eip/publicips", {"limit": 2001}, "limit"),
    ("vpc", "/v3/{project_id}/eip/publicips", {"device_id": "x"}, "Unknown query parameter device_id"),
    ("clouddc", "/v1/{project_id}/instances", {"instance_state": "sleeping"}, "instance_state"),
    ("clouddc", "/v1/{project_id}/instances", {"instance_id": ",".join("i%d" % n for n in range(101))},
     "at most 100"),
    ("clouddc", "/v1/{project_id}/instances", {"instance_id": ["a", "b"]}, "one comma-separated value"),
    ("iam", "/v3/projects", {"region": "x"}, "Unknown query parameter region"),
])
def test_unknown_query_parameters_and_out_of_range_values_are_refused(sim, client, service, path, query, fragment):
    err = error_of(lambda: client.request("GET", service, path, query=query, project_scoped=service != "iam"))
    assert err.status == 400 and fragment in err.error_message


def test_documented_query_values_are_accepted(sim, client):
    assert client.get("clouddc", "/v1/{project_id}/instances", query={"instance_state": "failed"})["instances"] == []
    ids = [i["id"] for i in sim.state()["instances"]][:100]
    assert client.get("clouddc", "/v1/{project_id}/instances", query={"instance_id": ",".join(ids), "limit": 1000})
    assert client.get("vpc", "/v3/{project_id}/eip/publicips", query={"vnic.device_id": ["a", "b"], "limit": 2000})


def test_tenant_listing_and_owner_listing(sim, client):
    everyone = client.get("modelarts", "/v1/{project_id}/dev-servers/all")
    mine = client.get("modelarts", "/v1/{project_id}/dev-servers", query={"limit": 1024})
    assert everyone["total"] == len(everyone["data"]) == mine["total"] + 1
    other = sim.find("dev_servers", "shared-a3-06")
    assert other["id"] not in [s["id"] for s in mine["data"]]
    theirs = client.get("modelarts", "/v1/{project_id}/dev-servers", query={"owner": other["sim_owner"]})
    assert [s["id"] for s in theirs["data"]] == [other["id"]]
    assert all(isinstance(s["create_at"], int) for s in everyone["data"])
    sim.configure(denied_actions=["modelarts:devserver:list"])
    err = error_of(lambda: client.get("modelarts", "/v1/{project_id}/dev-servers/all"))
    assert err.status == 403 and "modelarts:devserver:list" in err.error_message


def test_eip_calls_are_only_for_a3_and_live_servers(sim, client):
    for name, code in (("legacy-ecs-01", "ModelArts.6411"), ("ls-deleted", "ModelArts.6408")):
        server = sim.find("dev_servers", name)
        assert error_of(lambda: client.get("modelarts", EIPS_OF, {"id": server["id"]})).code == code


def test_release_is_asynchronous(sim, client):
    sim.configure(eip_release_reads=2)
    holder = sim.find("dev_servers", "train-a3-04")
    other = sim.find("dev_servers", "train-a3-01")
    held = sim.find("publicips", "bound-a3-04", "alias")
    client.request("DELETE", "modelarts", UNBIND, {"id": holder["id"], "eip": held["id"]})
    assert error_of(lambda: bind(client, other["id"], held["id"])).code == "ModelArts.6409"
    reads = [client.get("vpc", "/v3/{project_id}/eip/publicips/{id}", {"id": held["id"]})["publicip"]
             for _read in range(3)]
    assert [r["status"] for r in reads] == ["ACTIVE", "ACTIVE", "DOWN"]
    assert reads[0]["vnic"]["device_id"] == holder["cloud_server"]["hps_ecs_id"] and reads[2]["vnic"] is None
    assert bind(client, other["id"], held["id"]).status == 200


def test_stale_status_reads_answer_the_state_from_before_the_change(sim, client):
    sim.configure(imetal_stale_status_reads=2)
    inst = sim.find("instances", "failed-node")
    subnet = sim.find("subnets", "subnet-a1")
    client.request("PUT", "clouddc", CHANGE_IP, {"id": inst["id"]}, body={"nics": [{"subnet_id": subnet["id"]}]})
    states = [client.get("clouddc", STATUS, {"id": inst["id"]})["operation_state"] for _read in range(4)]
    assert states == ["modify-ip-failed", "modify-ip-failed", "modify-ip-processing", "modify-ip-succeed"]


def test_subnets_are_served_by_the_vpc_api(sim, client):
    subnet = sim.find("subnets", "subnet-a1")
    shown = client.get("vpc", "/v1/{project_id}/subnets/{id}", {"id": subnet["id"]})["subnet"]
    assert [shown[k] for k in ("cidr", "gateway_ip", "vpc_id")] == [subnet[k] for k in ("cidr", "gateway_ip", "vpc_id")]
    listed = client.get("vpc", "/v1/{project_id}/subnets", query={"vpc_id": subnet["vpc_id"]})["subnets"]
    assert subnet["id"] in [s["id"] for s in listed] and all(s["vpc_id"] == subnet["vpc_id"] for s in listed)
    assert error_of(lambda: client.get("vpc", "/v1/{project_id}/subnets/{id}", {"id": "nope"})).status == 404


def test_iam_answers_carry_x_iam_trace_id(sim):
    resp = requests.post(sim.url + "/v3/auth/tokens", json={"auth": {}}, timeout=5)
    assert resp.status_code == 400 and resp.headers.get("X-IAM-Trace-Id")
