"""A wrong region is reported as such, with the closest known names and the account's projects, whether or not
endpoints are given; ``project_id`` is advised only where setting it helps."""

import pytest

from ansible_collections.hwcloud.infra.plugins.module_utils._client import Client
from ansible_collections.hwcloud.infra.plugins.module_utils._errors import HuaweiCloudError
from ansible_collections.hwcloud.infra.plugins.modules import modelarts_devserver_info

SERVERS = "/v1/{project_id}/dev-servers"


def discovery_error(make_client, sim, region):
    client = make_client(sim, region=region)
    with pytest.raises(HuaweiCloudError) as info:
        client.get("modelarts", SERVERS)
    return info.value


def test_a_mistyped_region_with_endpoints_set_is_named_with_the_closest_and_the_account_projects(sim, make_client):
    err = discovery_error(make_client, sim, "ap-southeast-33")
    text = str(err)
    assert "region ap-southeast-33 is not a Huawei Cloud region name" in text, text
    assert "the closest: ap-southeast-3" in text
    assert "the account's projects: ap-southeast-3" in text
    assert "Correct region" in text and "project_id" not in text
    assert err.request_id
    assert not [r for r in sim.requests() if r.get("service") not in ("iam", None, "admin")], "nothing else sent"


def test_a_module_with_a_mistyped_region_fails_with_the_same_advice(sim, run_module):
    out = run_module(modelarts_devserver_info.main, sim, {"region": "ap-southeast-33"})
    assert out["failed"] and "the closest: ap-southeast-3" in out["msg"] and "project_id" not in out["msg"]


def test_the_same_typo_without_endpoints_fails_before_sending(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    with pytest.raises(HuaweiCloudError) as info:
        Client({"region": "ap-southeast-33", "access_key": "A" * 20, "secret_key": "s" * 40})
    assert "the closest: ap-southeast-3" in str(info.value)


def test_a_real_region_the_account_has_no_project_in_says_so(sim, make_client):
    err = discovery_error(make_client, sim, "eu-west-0")
    text = str(err)
    assert "the account has no IAM project in region eu-west-0" in text, text
    assert "the account's projects: " in text and "project_id" not in text and "closest" not in text


def test_several_projects_of_the_region_name_ask_for_project_id(sim, make_client):
    twins = [{"id": "%032x" % n, "name": "ap-southeast-3", "domain_id": "d"} for n in (1, 2)]
    sim.fault(method="GET", path=r"^/v3/projects$", status=200, body={"projects": twins})
    err = discovery_error(make_client, sim, "ap-southeast-3")
    assert "has 2 IAM projects named ap-southeast-3" in str(err) and "set project_id" in str(err)


def test_a_sub_project_is_offered_through_project_id(sim, make_client):
    sim.fault(method="GET", path=r"^/v3/projects$", status=200, body={"projects": []})
    sub = [{"id": "%032x" % 7, "name": "la-north-2_team", "domain_id": "d"}]
    sim.fault(method="GET", path=r"^/v3/projects$", status=200, body={"projects": sub})
    err = discovery_error(make_client, sim, "la-north-2")
    assert "Set project_id to the id of the sub-project to use (la-north-2_team)" in str(err), str(err)


def test_an_account_that_may_not_list_its_projects_is_told_when_project_id_helps(sim, make_client):
    sim.fault(method="GET", path=r"^/v3/projects$", status=200, body={"projects": []})
    sim.fault(method="GET", path=r"^/v3/projects$", status=403, error_code="IAM.0002", error_msg="Forbidden.")
    err = discovery_error(make_client, sim, "ap-southeast-33")
    text = str(err)
    assert "the account's projects could not be listed" in text and "the closest: ap-southeast-3" in text
    assert "set project_id if the region is right" in text
