"""The credential chain's files: KooCLI / Terraform shared-config profiles and the SDK credentials file, their
precedence pair by pair, pinning one source, and errors that name the source and never a value."""

import json
import os

import pytest

from ansible_collections.hwcloud.infra.plugins.module_utils import _sources as _auth
from ansible_collections.hwcloud.infra.plugins.modules import modelarts_devserver_info

from hwsim.seedinfo import AK, OTHER_AK, OTHER_SK, PROJECT_ID, REGION, SK, TEMP_AK, TEMP_SK, TEMP_TOKEN


def shared_config(path, profiles, current=None, encrypted=False, mode=0o600):
    doc = {"current": current or profiles[0]["name"], "profiles": profiles}
    if encrypted:
        doc["authEncrypt"] = "true"
    path.write_text(json.dumps(doc))
    os.chmod(str(path), mode)
    return str(path)


def credentials_file(path, ak=AK, sk=SK, extra="", mode=0o600):
    path.write_text("[basic]\nak = %s\nsk = %s\n%s" % (ak, sk, extra))
    os.chmod(str(path), mode)
    return str(path)


def aksk(name, ak, sk, **extra):
    return dict({"name": name, "mode": "AKSK", "accessKeyId": ak, "secretAccessKey": sk}, **extra)


def run_info(sim, run_module, **options):
    """modelarts_devserver_info against the simulator with only the options given (no keys of the fixture's)."""
    args = dict({"region": REGION, "endpoints": sim.endpoints(), "public_ips": False}, **options)
    return run_module(modelarts_devserver_info.main, sim, args, connection=False)


def test_a_profile_of_the_shared_config_file_is_used(sim, run_module, tmp_path):
    path = shared_config(tmp_path / "config.json", [aksk("lab", OTHER_AK, OTHER_SK), aksk("prod", AK, SK)],
                         current="lab")
    out = run_info(sim, run_module, shared_config_file=path, profile="prod")
    assert not out.get("failed"), out["msg"]
    assert len(out["servers"]) > 1
    out = run_info(sim, run_module, shared_config_file=path)  # the current profile: another account's keys
    assert not out.get("failed") and out["servers"] == [], out


def test_a_profile_names_the_region_and_project_when_the_options_do_not(sim, run_module, tmp_path):
    path = shared_config(tmp_path / "config.json", [aksk("p", AK, SK, region=REGION, projectId=PROJECT_ID)])
    args = {"endpoints": sim.endpoints(), "public_ips": False, "shared_config_file": path}
    out = run_module(modelarts_devserver_info.main, sim, args, connection=False)
    assert not out.get("failed"), out["msg"]
    assert not [r for r in sim.requests() if r.get("service") == "iam"]  # the project came from the profile


def test_temporary_keys_of_a_profile_carry_their_security_token(sim, run_module, tmp_path):
    path = shared_config(tmp_path / "config.json", [aksk("t", TEMP_AK, TEMP_SK, securityToken=TEMP_TOKEN)])
    assert not run_info(sim, run_module, shared_config_file=path).get("failed")


def test_the_sdk_credentials_file_is_read_as_the_sdk_reads_it(sim, run_module, tmp_path):
    path = credentials_file(tmp_path / "credentials", extra="project_id = %s\n" % PROJECT_ID)
    out = run_info(sim, run_module, credentials_file=path)
    assert not out.get("failed"), out["msg"]
    assert not [r for r in sim.requests() if r.get("service") == "iam"]


@pytest.mark.parametrize("higher,lower", [("options", "environment"), ("environment", "profile"),
                                          ("profile", "credentials_file"), ("options", "profile"),
                                          ("options", "credentials_file"), ("environment", "credentials_file")])
def test_the_chain_takes_the_higher_source_of_each_pair(sim, run_module, tmp_path, monkeypatch, higher, lower):
    """The higher source has the keys that see the project's servers; the lower one another account's."""
    good, other = (AK, SK), (OTHER_AK, OTHER_SK)
    options = {}
    for source, (ak, sk) in ((higher, good), (lower, other)):
        if source == "options":
            options.update(access_key=ak, secret_key=sk)
        elif source == "environment":
            monkeypatch.setenv("HW_ACCESS_KEY", ak)
            monkeypatch.setenv("HW_SECRET_KEY", sk)
        elif source == "profile":
            monkeypatch.setattr(_auth, "SHARED_CONFIG_FILE", shared_config(tmp_path / "config.json",
                                                                           [aksk("p", ak, sk)]))
        else:
            monkeypatch.setattr(_auth, "CREDENTIALS_FILE", credentials_file(tmp_path / "credentials", ak, sk))
    out = run_info(sim, run_module, **options)
    assert not out.get("failed"), out["msg"]
    assert len(out["servers"]) > 1, "the %s keys were not the ones used" % higher


def test_a_pinned_source_is_the_only_one_read(sim, run_module, tmp_path, monkeypatch):
    monkeypatch.setattr(_auth, "SHARED_CONFIG_FILE", shared_config(tmp_path / "config.json", [aksk("p", AK, SK)]))
    out = run_info(sim, run_module, auth_source="credentials_file")
    assert out["failed"] and "the SDK credentials file" in out["msg"] and "cannot be read" in out["msg"]
    assert sim.requests() == []
    out = run_info(sim, run_module, auth_source="options")
    assert out["failed"] and "no credentials found" in out["msg"]
    out = run_info(sim, run_module, auth_source="profile", access_key=AK, secret_key=SK)
    assert out["failed"] and "auth_source is profile, but credential options are set too" in out["msg"]


@pytest.mark.parametrize("case,expected", [
    ("encrypted", "run 'hcloud configure set --cli-auth-encrypt=false'"),
    ("missing profile", "profile 'nope' of "),
    ("sso mode", "has mode SSO"),
    ("not json", "is not JSON"),
])
def test_unusable_profiles_are_refused_naming_the_source_and_no_value(sim, run_module, tmp_path, case, expected):
    path = tmp_path / "config.json"
    profile = "p"
    if case == "encrypted":
        shared_config(path, [aksk("p", AK, SK)], encrypted=True)
    elif case == "missing profile":
        shared_config(path, [aksk("p", AK, SK)])
        profile = "nope"
    elif case == "sso mode":
        shared_config(path, [dict(aksk("p", AK, SK), mode="SSO")])
    else:
        path.write_text("{not json " + SK)
    out = run_info(sim, run_module, shared_config_file=str(path), profile=profile)
    assert out["failed"] and expected in out["msg"], out["msg"]
    assert SK not in json.dumps(out) and AK not in out["msg"]
    assert sim.requests() == []


def test_a_credentials_file_others_can_read_gets_a_warning(sim, run_module, tmp_path):
    path = credentials_file(tmp_path / "credentials", mode=0o644)
    out = run_info(sim, run_module, credentials_file=path)
    assert not out.get("failed"), out["msg"]
    assert "can be read or written by other users (mode 644): restrict it with chmod 600" in str(out["warnings"])


def test_a_credentials_file_without_keys_is_refused(sim, run_module, tmp_path):
    path = tmp_path / "credentials"
    path.write_text("[global]\nak = x\nsk = y\n")
    out = run_info(sim, run_module, credentials_file=str(path))
    assert out["failed"] and "has no [basic] section" in out["msg"] and sim.requests() == []
