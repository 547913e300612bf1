"""A failure says what happened and what to do: the code-to-hint table, code by code, against the simulator's
answers; regions and names that do not exist, with the closest known ones; a failed iMetal change's read-back."""

from datetime import datetime, timedelta, timezone

import pytest

from ansible_collections.hwcloud.infra.plugins.module_utils import _signer
from ansible_collections.hwcloud.infra.plugins.module_utils._client import DEFAULT_STS, resolve_endpoints
from ansible_collections.hwcloud.infra.plugins.module_utils._errors import HuaweiCloudError
from ansible_collections.hwcloud.infra.plugins.module_utils._hints import HINTS, Context, hint_for
from ansible_collections.hwcloud.infra.plugins.module_utils._modelarts import list_servers
from ansible_collections.hwcloud.infra.plugins.module_utils._rules import KNOWN_REGIONS, REGION_SOURCES, REGIONS, STS_REGIONS
from ansible_collections.hwcloud.infra.plugins.modules import cdc_imetal_ip, cdc_imetal_ip_batch, modelarts_devserver_eip

from hwsim.seedinfo import AK, REGION


def failure(call):
    with pytest.raises(HuaweiCloudError) as raised:
        call()
    return raised.value


def test_every_service_region_table_is_the_sdks():
    import importlib
    for service, source in REGION_SOURCES.items():
        try:
            module = importlib.import_module(source)
        except ImportError:
            pytest.skip("%s is not installed" % source.partition(".")[0])
        table = next(getattr(module, name) for name in dir(module) if name.endswith("Region")
                     and hasattr(getattr(module, name), "static_fields"))
        assert REGIONS[service] == frozenset(table.static_fields), service


def test_the_sts_region_table_is_the_sdks():
    from huaweicloudsdkcore.auth import endpoint
    table = vars(endpoint)["__STS_ENDPOINT_DICT"]
    assert STS_REGIONS == frozenset(table)
    for region in table:
        assert resolve_endpoints(region)["sts"] == table[region] == endpoint.get_sts_endpoint_by_id(region)
    assert resolve_endpoints("me-east-1")["sts"] == endpoint.get_sts_endpoint_by_id("me-east-1", DEFAULT_STS)


def test_a_region_unknown_to_the_region_tables_is_refused_with_the_closest_known():
    err = failure(lambda: resolve_endpoints("ap-southeat-3"))
    assert "region ap-southeat-3 is not a region of Huawei Cloud's region tables" in str(err)
    assert "the closest: ap-southeast-3" in str(err) and "nothing was sent" in str(err)
    # With every endpoint set, or another cloud, the region is the operator's to name.
    every = dict((s, "https://%s.example.test" % s) for s in ("iam", "modelarts", "clouddc", "vpc"))
    assert resolve_endpoints("eu-private-7", overrides=every)["vpc"] == "https://vpc.example.test"
    assert resolve_endpoints("eu-private-7", cloud="cloud.example.test")["iam"].endswith("cloud.example.test")
    assert REGION in KNOWN_REGIONS


def test_the_signing_time_refusal_shows_the_controller_clock_against_the_gateways(sim, make_client, monkeypatch):
    skewed = datetime.now(timezone.utc) + timedelta(minutes=40)
    monkeypatch.setattr(_signer, "sdk_date_now", lambda: skewed.strftime(_signer.DATE_FORMAT))
    err = failure(lambda: list_servers(make_client(sim)))
    assert err.code == "APIG.0301" and err.status == 401
    assert "this controller is 2400 s ahead of it" in err.hint or "this controller is 2399 s ahead of it" in err.hint
    assert skewed.strftime("%Y-%m-%d %H:%M") in err.hint and "NTP" in err.hint
    assert err.hint in str(err) and err.to_dict()["hint"] == err.hint


@pytest.mark.parametrize("code,status,message,service,expected", [
    ("APIG.0101", 404, "The API does not exist or has not been published in the environment", "clouddc",
     "the clouddc API is not published in region ap-southeast-1 (the SDK's region table of clouddc does not list "
     "ap-southeast-1; it lists ap-southeast-3, cn-east-3, cn-south-1, cn-southwest-2)"),
    ("APIG.0301", 401, "Incorrect IAM authentication information: ak HWSIMXX not found", "vpc",
     "the access key is unknown to IAM"),
    ("APIG.0301", 401, "Incorrect IAM authentication information: temporary AK expired", "vpc",
     "obtain new temporary credentials"),
    ("APIG.0301", 401, "Incorrect IAM authentication information: verify aksk signature fail", "vpc",
     "access_key and secret_key are a pair"),
    ("APIG.0307", 401, "The token must be updated.", "modelarts", "the token is invalid or has expired"),
    ("APIG.0308", 429, "The throttling threshold has been reached", "modelarts", "rate_limit"),
    ("ModelArts.6404", 400, "LiteServer instance 'x' not found.", "modelarts", "not the id of its BMS/ECS"),
    ("CLOUDDC.1004", 400, "The instance x does not exist.", "clouddc", "cdc_imetal_instance_info lists them"),
    ("401", 401, "The username or password is wrong.", "iam", "check user_name, password and domain_name"),
    ("401", 401, "The project in the scope does not exist or is not accessible.", "iam",
     "the account has no project for region ap-southeast-1"),
])
def test_each_code_of_the_table_has_its_hint(code, status, message, service, expected):
    hint = hint_for(Context(status, code, message, "ap-southeast-1", service, "https://%s.example" % service))
    assert hint and expected in hint, hint


def test_the_table_covers_the_codes_it_is_tested_with():
    tested = {"APIG.0101", "APIG.0301", "APIG.0307", "APIG.0308", "ModelArts.6404", "CLOUDDC.1004"}
    assert set(HINTS) == tested


def test_apig_0101_from_the_gateway_names_region_and_endpoint(sim, run_module):
    sim.fault(path="/dev-servers", status=404, error_code="APIG.0101",
              error_msg="The API does not exist or has not been published in the environment", count=5)
    out = run_module(modelarts_devserver_eip.main, sim, {"server": "train-a3-01", "public_ip": "203.0.113.10"})
    assert out["failed"] and out["error"]["code"] == "APIG.0101"
    assert "not published in region %s" % REGION in out["msg"] and sim.url in out["msg"], out["msg"]
    assert out["error"]["hint"] in out["msg"]


def test_an_unknown_name_lists_the_closest_candidates_under_a_find_label(sim, run_module):
    out = run_module(modelarts_devserver_eip.main, sim, {"server": "train-a3-1", "public_ip": "203.0.113.10"})
    assert out["msg"].startswith("Failed to find Lite Server train-a3-1: "), out["msg"]
    assert "the closest names: train-a3-01" in out["msg"]
    out = run_module(cdc_imetal_ip.main, sim, {"instance": "gpu-node-3", "nics": [
        {"subnet_id": "6494193b-2eed-5d40-8363-241c4d0c663c", "ip_address": "10.0.1.60"}]})
    assert out["msg"].startswith("Failed to find iMetal instance gpu-node-3: ") and "gpu-node-03" in out["msg"]


def test_an_unknown_server_id_is_labelled_as_finding_it(sim, run_module):
    out = run_module(modelarts_devserver_eip.main, sim, {"server": "0000aaaa-0000-4000-8000-000000000001",
                                                         "public_ip": "203.0.113.10"})
    assert out["msg"].startswith("Failed to find Lite Server 0000aaaa-"), out["msg"]
    assert "read the EIP bindings" not in out["msg"]


def reserve(sim, address):
    seed = sim.state()
    next(s for s in seed["subnets"] if s["name"] == "subnet-a1").setdefault("reserved", []).append(address)
    sim.reset(seed)
    return next(s for s in seed["subnets"] if s["name"] == "subnet-a1")["id"]


def test_a_failed_imetal_change_returns_the_instance_read_back_and_how_to_recover(sim, run_module):
    a1 = reserve(sim, "10.0.1.99")
    out = run_module(cdc_imetal_ip.main, sim, {"instance": "gpu-node-03",
                                               "nics": [{"subnet_id": a1, "ip_address": "10.0.1.99"}]})
    assert out["failed"] and out["changed"] is True
    instance = out["instance"]
    assert instance["state"] == "stopped" and instance["operation_state"] == "modify-ip-failed"
    assert instance["physical_server"] == {"id": "09aed3ae-d014-582a-ad82-ad6c01e35502", "power_state": "off"}
    assert "now reads state stopped (operation_state modify-ip-failed)" in out["msg"]
    assert "physical server 09aed3ae-d014-582a-ad82-ad6c01e35502 power off" in out["msg"]
    assert "To recover:" in out["msg"] and "re-run sends the change again" in out["msg"]
    # What the message promises: a re-run with a good address recovers the instance.
    out = run_module(cdc_imetal_ip.main, sim, {"instance": "gpu-node-03",
                                               "nics": [{"subnet_id": a1, "ip_address": "10.0.1.98"}]})
    assert out["changed"] is True and not out.get("failed") and out["instance"]["state"] == "running", out


def test_a_failed_change_in_a_batch_reports_the_item_read_back(sim, run_module):
    a1 = reserve(sim, "10.0.1.99")
    out = run_module(cdc_imetal_ip_batch.main, sim, {"instances": [
        {"instance": "gpu-node-03", "nics": [{"subnet_id": a1, "ip_address": "10.0.1.99"}]}]})
    item = out["results"][0]
    assert out["failed"] and "To recover:" in item["error"]
    assert item["read_back"]["state"] == "stopped" and item["read_back"]["physical_server"]["power_state"] == "off"


def test_no_hint_carries_a_credential(sim, make_client):
    err = failure(lambda: list_servers(make_client(sim, access_key="HWSIMNOSUCHKEY0009", secret_key="s3cr3t-XYZ")))
    assert err.hint and "s3cr3t-XYZ" not in str(err) and AK not in (err.hint or "")
