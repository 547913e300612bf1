"""Least privilege, proven against the simulator's IAM: every use of tests/permission_uses.py runs green under exactly
its documented policy (role/policy-based and identity), and with any one action of it taken away fails with a message
naming that action (and the policy file that grants it), before its first write when the action is a read, leaving
the cloud as it was or as asked."""

import json
import os

import pytest

from ansible_collections.hwcloud.infra.plugins.module_utils import _permissions

from fleets import accepted_writes
from permission_uses import USES, apply_policy, documented, outcome, run, signature, succeeded

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BY_NAME = dict((use.name, use) for use in USES)


def reference(sim, use):
    """The use with full access: its outcome, the cloud before and after."""
    sim.reset()
    apply_policy(sim, use, None)
    before = signature(sim)
    result, _rows = run(sim, use)
    assert succeeded(result), result.get("msg")
    return outcome(result), before, signature(sim)


def read_only(action, rows):
    return all(r.access == "read" for r in rows if action in r.role)


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_each_use_needs_exactly_its_documented_actions(sim, name, tally):
    use = BY_NAME[name]
    rows = documented(use)
    actions = _permissions.actions_of(rows)
    assert actions, "%s documents no action" % name
    asked, before, after = reference(sim, use)
    for version, style in (("1.1", "role"), ("5.0", "identity")):
        sim.reset()
        apply_policy(sim, use, _permissions.actions_of(rows, style) or ["none:none:none"], version)
        result, _rows = run(sim, use)
        assert succeeded(result), "%s under its %s policy: %s" % (name, version, result.get("msg"))
        assert outcome(result) == asked and signature(sim) == after, "%s under its %s policy" % (name, version)
    grants = _permissions.grants()
    for action in actions:
        sim.reset()
        apply_policy(sim, use, [a for a in actions if a != action])
        result, _rows = run(sim, use)
        where = "%s without %s" % (name, action)
        granting = _permissions.policy_granting(action, grants)
        if succeeded(result):
            # Only a read-only use may go on without a read, and then it says what it could not see.
            assert not any(r.access == "write" for r in rows), "%s succeeded: the action is not needed" % where
            # (in the result: its errors per resource, or its warnings)
            told = json.dumps(result)
            assert outcome(result) != asked, "%s: the same outcome" % where
            assert action in told and granting in told, "%s: the result does not say so" % where
        else:
            assert action in result["msg"], "%s: %s" % (where, result["msg"])
            assert granting and granting in result["msg"], "%s names no policy file: %s" % (where, result["msg"])
        if read_only(action, rows):
            assert not accepted_writes(sim), "%s: a write before the failure" % where
            assert signature(sim) == before, where
        else:
            assert signature(sim) in (before, after), "%s left the cloud in between" % where
    tally("least_privilege", name, len(actions) + 2)


def test_an_explicit_deny_wins_and_wildcards_allow(sim):
    use = BY_NAME["modelarts_devserver_eip: bind"]
    sim.reset()
    sim.policies([{"Version": "1.1", "Statement": [{"Effect": "Allow", "Action": ["*:*:*"]}]},
                  {"Version": "1.1", "Statement": [{"Effect": "Deny", "Action": ["vpc:publicIps:upd*"]}]}])
    result, _rows = run(sim, use)
    assert not succeeded(result) and "vpc:publicIps:update" in result["msg"]
    assert not accepted_writes(sim)
    sim.reset()
    sim.policies([{"Version": "1.1", "Statement": [{"Effect": "Allow", "Action": [
        "iam:projects:*", "modelarts:devserver:*", "vpc:publicIps:*"]}]}])
    result, _rows = run(sim, use)
    assert succeeded(result) and result["changed"]


@pytest.mark.parametrize("refusal", [
    {"message": "Forbidden."},
    {"code": "APIG.0305", "message": "The request is forbidden."},
    {"code": None, "message": "You are not authorized to perform the requested action."},
], ids=["no action named", "gateway code", "IAM body"])
def test_a_refusal_that_names_no_action_still_names_the_missing_one(sim, refusal):
    # Huawei's services word their refusals differently: the table names the action when the answer does not.
    use = BY_NAME["modelarts_devserver_eip: bind"]
    sim.reset()
    sim.configure(iam_refusals={"vpc": dict({"status": 403, "code": "VPC.0015"}, **refusal)})
    actions = [a for a in _permissions.actions_of(documented(use)) if a != "vpc:publicIps:list"]
    apply_policy(sim, use, actions)
    result, _rows = run(sim, use)
    assert not succeeded(result)
    assert "the credentials lack vpc:publicIps:list (identity policies: eip:publicIps:list) for" in result["msg"]
    assert result["error"]["status"] == 403 and result["error"]["request_id"]
    assert "extensions/iam/policies/hwcloud-infra-read-only.json" in result["msg"]


def test_a_user_without_policies_keeps_full_access_and_an_empty_list_has_none(sim):
    use = BY_NAME["modelarts_devserver_info"]
    sim.reset()
    assert succeeded(run(sim, use)[0])
    sim.policies([])
    result, _rows = run(sim, use)
    assert not succeeded(result) and "iam:projects:list" in result["msg"]


def test_the_shipped_policy_files_hold_the_actions_of_their_uses_and_no_other():
    for version, style, suffix in (("1.1", "role", ""), ("5.0", "identity", ".identity")):
        grants = _permissions.grants(style)
        for name, stem, _what in _permissions.POLICIES:
            path = os.path.join(ROOT, _permissions.POLICY_DIR, stem + suffix + ".json")
            with open(path, encoding="utf-8") as handle:
                policy = json.load(handle)
            assert policy["Version"] == version
            assert [s["Effect"] for s in policy["Statement"]] == ["Allow"]
            assert sorted(policy["Statement"][0]["Action"]) == sorted(grants[name]), path
    known = set(a for call in _permissions.CALLS for a in call.role + call.identity)
    assert set(_permissions.grants()["everything"]) <= known


def test_every_row_cites_its_source_and_says_when_huawei_does_not_document_it():
    for call in _permissions.CALLS:
        if call.access == "login":
            assert not call.role and not call.identity
            continue
        assert call.source and call.source.startswith("https://support.huaweicloud.com/"), call.key
        assert call.role, call.key
    assert len(set(c.key for c in _permissions.CALLS)) == len(_permissions.CALLS)


def test_the_inventory_without_the_project_listing_says_what_it_could_not_see(sim):
    from ansible.module_utils import _internal

    was = _internal.is_controller
    try:
        from ansible_collections.hwcloud.infra.plugins.inventory.huaweicloud import read_region
    finally:
        _internal.is_controller = was
    sim.reset()
    read_only = _permissions.grants()["read-only"] - {"modelarts:devserver:list"}
    sim.policies([{"Version": "1.1", "Statement": [{"Effect": "Allow", "Action": sorted(
        read_only | {"modelarts:devserver:listByUser"})}]}])
    warned = []
    hosts = read_region(dict(sim.connection_options()), ("modelarts", "clouddc"), warn=warned.append)
    owned = [s["name"] for s in sim.state()["dev_servers"] if s.get("sim_owner") == "7b794086bf2a5915950fd7bee3cc9386"]
    lite = [h["name"] for h in hosts if h["service"] == "modelarts"]
    assert sorted(lite) == sorted(owned) and len(lite) < len(sim.state()["dev_servers"])
    assert len([h for h in hosts if h["service"] == "clouddc"]) == len(sim.state()["instances"])
    assert any("only the servers created by this user are seen" in w and "modelarts:devserver:list" in w
               for w in warned), warned


def test_an_agency_of_the_instance_metadata_is_held_to_its_own_policies(sim, run_module):
    # The keys an ECS/BMS agency hands out through the metadata service are the agency's: its policies decide.
    from ansible_collections.hwcloud.infra.plugins.modules import modelarts_devserver_eip
    from hwsim.seedinfo import REGION

    sim.reset()
    sim.policies([{"Version": "1.1", "Statement": [{"Effect": "Allow", "Action": sorted(
        _permissions.grants()["read-only"])}]}], agency="ecs-ops-agency")
    args = {"region": REGION, "endpoints": sim.endpoints(), "metadata_url": sim.url, "auth_source": "metadata",
            "server": "train-a3-01", "public_ip": "203.0.113.11"}
    checked = run_module(modelarts_devserver_eip.main, sim, args, check_mode=True, connection=False)
    assert not checked.get("failed") and checked["changed"], checked.get("msg")
    out = run_module(modelarts_devserver_eip.main, sim, args, connection=False)
    assert out["failed"] and "the credentials lack vpc:publicIps" in out["msg"], out["msg"]
    assert "hwcloud-infra-eip-operator.json" in out["msg"] and not accepted_writes(sim)


def test_a_refused_project_look_up_is_not_taken_for_a_refused_server_listing(sim):
    from ansible_collections.hwcloud.infra.plugins.module_utils._client import Client
    from ansible_collections.hwcloud.infra.plugins.module_utils._errors import HuaweiCloudError
    from ansible_collections.hwcloud.infra.plugins.module_utils._modelarts import list_servers

    sim.reset()
    sim.policies([{"Version": "1.1", "Statement": [{"Effect": "Allow", "Action": sorted(
        _permissions.grants()["read-only"] - {"iam:projects:list"})}]}])
    client = Client(dict(sim.connection_options()))
    with pytest.raises(HuaweiCloudError) as info:
        list_servers(client)
    assert "the credentials lack iam:projects:list" in str(info.value)
    assert client.warnings == [] and "user_listing_only" not in client.facts
