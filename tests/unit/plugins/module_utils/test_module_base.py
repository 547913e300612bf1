"""The common argument spec, its doc fragment, environment fallbacks and the module base's fail/exit helpers."""

import json
import os
import re

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible.module_utils import basic

from ansible_collections.hwcloud.infra.plugins.doc_fragments.common import ModuleDocFragment
from ansible_collections.hwcloud.infra.plugins.module_utils import _client
from ansible_collections.hwcloud.infra.plugins.module_utils._errors import HuaweiCloudError, step
from ansible_collections.hwcloud.infra.plugins.module_utils._module import (
    HuaweiCloudModule, common_argument_spec, embedded_secrets)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))

# The table of design.md: option -> environment variables, first found wins.
EXPECTED_ENV = {
    "region": ["HW_REGION_NAME", "HUAWEICLOUD_SDK_REGION"],
    "project_id": ["HW_PROJECT_ID", "HUAWEICLOUD_SDK_PROJECT_ID"],
    "access_key": ["HW_ACCESS_KEY", "HUAWEICLOUD_SDK_AK"],
    "secret_key": ["HW_SECRET_KEY", "HUAWEICLOUD_SDK_SK"],
    "security_token": ["HW_SECURITY_TOKEN", "HUAWEICLOUD_SDK_SECURITY_TOKEN"],
    "auth_token": ["HW_AUTH_TOKEN"],
    "user_name": ["HW_USER_NAME"],
    "password": ["HW_USER_PASSWORD"],
    "domain_name": ["HW_DOMAIN_NAME"],
    "auth_source": ["HW_AUTH_SOURCE"],
    "profile": ["HW_PROFILE"],
    "shared_config_file": ["HW_SHARED_CONFIG_FILE"],
    "credentials_file": ["HUAWEICLOUD_SDK_CREDENTIALS_FILE"],
    "metadata_url": ["HW_METADATA_URL"],
    "agency_name": ["HW_ASSUME_ROLE_AGENCY_NAME"],
    "agency_domain_name": ["HW_ASSUME_ROLE_DOMAIN_NAME"],
    "agency_domain_id": ["HW_ASSUME_ROLE_DOMAIN_ID"],
    "agency_duration": ["HW_ASSUME_ROLE_DURATION"],
    "cloud": ["HW_CLOUD"],
    "endpoints": ["HW_ENDPOINTS"],
    "validate_certs": ["HW_VALIDATE_CERTS"],
    "ca_bundle": ["HW_CA_BUNDLE"],
    "api_timeout": ["HW_API_TIMEOUT"],
    "api_retries": ["HW_MAX_RETRIES"],
}
SECRET_OPTIONS = {"access_key", "secret_key", "security_token", "auth_token", "password"}
ALL_ENV = sorted({name for names in EXPECTED_ENV.values() for name in names})


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ALL_ENV:
        monkeypatch.delenv(name, raising=False)


def run_module(args, argument_spec=None, body=None):
    """Build a HuaweiCloudModule with ``args``; run ``body(module)``; return the JSON the module printed."""
    payload = json.dumps({"ANSIBLE_MODULE_ARGS": args})
    try:
        from ansible.module_utils.testing import patch_module_args
        context = patch_module_args(args)
    except ImportError:  # ansible-core < 2.19
        import contextlib
        basic._ANSIBLE_ARGS = payload.encode()
        context = contextlib.nullcontext()
    with context:
        module = HuaweiCloudModule(argument_spec or {})
        if body is None:
            return module
        with pytest.raises(SystemExit):
            body(module)
    return None


def test_doc_fragment_mirrors_the_argument_spec():
    documented = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]
    spec = common_argument_spec()
    assert list(documented) == list(spec)
    for name, option in spec.items():
        doc = documented[name]
        assert doc["type"] == option["type"], name
        assert doc.get("default") == option.get("default"), name
        assert bool(doc.get("required")) == bool(option.get("required")), name
        text = " ".join(doc["description"])
        mentioned = [env for env in ALL_ENV if "E(%s)" % env in text]
        assert sorted(mentioned) == sorted(EXPECTED_ENV[name]), name


def test_env_fallbacks_are_exactly_the_documented_ones_and_secrets_are_no_log():
    spec = common_argument_spec()
    assert set(spec) == set(EXPECTED_ENV)
    for name, option in spec.items():
        assert option["fallback"][1] == EXPECTED_ENV[name], name
        assert bool(option.get("no_log")) == (name in SECRET_OPTIONS), name


def test_version_in_user_agent_matches_galaxy_yml():
    with open(os.path.join(ROOT, "galaxy.yml")) as handle:
        assert yaml.safe_load(handle)["version"] == _client.COLLECTION_VERSION
    assert _client.USER_AGENT == "hwcloud.infra/" + _client.COLLECTION_VERSION


def test_action_group_lists_every_module_that_talks_to_the_cloud():
    with open(os.path.join(ROOT, "meta", "runtime.yml")) as handle:
        group = yaml.safe_load(handle)["action_groups"]["huaweicloud"] or []
    # simulator_* modules drive the bundled simulator and take none of the cloud's connection options.
    modules = sorted(f[:-3] for f in os.listdir(os.path.join(ROOT, "plugins", "modules"))
                     if f.endswith(".py") and not f.startswith(("_", "simulator_")))
    assert sorted(group) == modules and "simulator_admin" not in group


def test_environment_feeds_the_options_first_found_wins(monkeypatch):
    monkeypatch.setenv("HW_REGION_NAME", "ap-southeast-3")
    monkeypatch.setenv("HUAWEICLOUD_SDK_REGION", "cn-north-4")
    monkeypatch.setenv("HUAWEICLOUD_SDK_AK", "AKFROMSDKVAR")
    monkeypatch.setenv("HW_SECRET_KEY", "secret-from-env")
    monkeypatch.setenv("HW_ENDPOINTS", '{"vpc": "http://127.0.0.1:9", "clouddc": "http://127.0.0.1:10"}')
    monkeypatch.setenv("HW_VALIDATE_CERTS", "false")
    monkeypatch.setenv("HW_MAX_RETRIES", "2")
    monkeypatch.setenv("HW_API_TIMEOUT", "7")
    monkeypatch.setenv("HW_PROJECT_ID", "0a1b2c3d4e5f40718293a4b5c6d7e8f9")
    module = run_module({})
    assert module.params["region"] == "ap-southeast-3"
    assert module.params["access_key"] == "AKFROMSDKVAR"
    client = module.client
    assert client.endpoints["vpc"] == "http://127.0.0.1:9"
    assert client.endpoints["modelarts"] == "https://modelarts.ap-southeast-3.myhuaweicloud.com"
    assert client.verify is False and client.retry.retries == 2 and client.timeout == 7
    assert client.project_id == "0a1b2c3d4e5f40718293a4b5c6d7e8f9"
    assert client.calls == 0


def test_empty_environment_variables_count_as_unset(monkeypatch):
    monkeypatch.setenv("HW_REGION_NAME", "")
    monkeypatch.setenv("HUAWEICLOUD_SDK_REGION", "cn-north-4")
    monkeypatch.setenv("HW_ENDPOINTS", "")
    monkeypatch.setenv("HW_PROJECT_ID", "")
    monkeypatch.setenv("HW_SECURITY_TOKEN", "")
    monkeypatch.setenv("HW_API_TIMEOUT", "")
    monkeypatch.setenv("HW_ACCESS_KEY", "AK")
    monkeypatch.setenv("HW_SECRET_KEY", "SK")
    module = run_module({})
    assert module.params["region"] == "cn-north-4"
    assert module.params["endpoints"] is None and module.params["project_id"] is None
    assert module.params["api_timeout"] == 30
    assert module.client.auth.security_token is None


def test_ca_bundle_is_used_for_verification(monkeypatch, tmp_path):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("x")
    module = run_module({"region": "ap-southeast-3", "auth_token": "tok", "ca_bundle": str(bundle)})
    assert module.client.verify == str(bundle)


def test_bad_connection_options_fail_before_any_request(capsys):
    run_module({"region": "ap-southeast-3", "access_key": "AKONLY", "auth_token": "the-token-value"},
               body=lambda m: m.run(lambda: m.client, "connect"))
    out = json.loads(capsys.readouterr().out)
    assert out["failed"] is True
    assert out["msg"].startswith("invalid connection options: exactly one authentication method")
    assert "the-token-value" not in json.dumps(out)


def _api_error():
    return HuaweiCloudError("POST https://x failed: HTTP 400 ModelArts.6409: in use (request id r-1)", status=400,
                            code="ModelArts.6409", error_message="in use", request_id="r-1", method="POST",
                            url="https://x")


def test_one_catch_names_operation_resource_and_carries_error(capsys):
    err = _api_error()

    def task():
        with step("bind EIP 203.0.113.11 to Lite Server train-a3-01"):
            with step("an inner step does not frame twice"):
                raise err

    run_module({"region": "ap-southeast-3", "auth_token": "tok"}, body=lambda m: m.run(task, "bind"))
    out = json.loads(capsys.readouterr().out)
    assert "an inner step" in out["msg"] and "Failed to bind" not in out["msg"]


def test_the_innermost_step_frames_the_error(capsys):
    err = _api_error()

    def task():
        with step("bind EIP 203.0.113.11 to Lite Server train-a3-01"):
            raise err

    run_module({"region": "ap-southeast-3", "auth_token": "tok"}, body=lambda m: m.run(task, "bind"))
    out = json.loads(capsys.readouterr().out)
    assert out["msg"].startswith("Failed to bind EIP 203.0.113.11 to Lite Server train-a3-01: POST https://x failed")
    assert out["error"] == {"status": 400, "code": "ModelArts.6409", "message": "in use", "request_id": "r-1",
                            "method": "POST", "url": "https://x", "hint": None}
    assert out["changed"] is False


def test_an_unexpected_exception_fails_naming_the_operation_and_keeps_changed(capsys):
    def task(module):
        module.result["changed"] = True
        return {}["missing"]

    run_module({"region": "ap-southeast-3", "auth_token": "tok"},
               body=lambda m: m.run(lambda: task(m), "bind EIP 203.0.113.11 to Lite Server train-a3-01"))
    out = json.loads(capsys.readouterr().out)
    assert out["failed"] and out["changed"] is True
    assert out["msg"].startswith("Failed to bind EIP 203.0.113.11 to Lite Server train-a3-01: unexpected error "
                                 "(KeyError")
    assert "a change was already applied" in out["msg"]
    assert "Module failed" not in out["msg"]


def test_validate_certs_false_warns(capsys):
    run_module({"region": "ap-southeast-3", "auth_token": "tok", "validate_certs": False},
               body=lambda m: m.run(lambda: {"verify": m.client.verify}, "connect"))
    out = json.loads(capsys.readouterr().out)
    assert out["verify"] is False
    assert "TLS certificate verification is off" in json.dumps(out["warnings"])


def test_exit_and_diff(capsys):
    def body(module):
        module.module._diff = True
        module.set_diff("Thing x", {"a": 1}, {"a": 2})
        module.result["changed"] = True
        module.exit(thing={"id": "x"})

    run_module({"region": "ap-southeast-3", "auth_token": "tok"}, body=body)
    out = json.loads(capsys.readouterr().out)
    assert out["changed"] is True and out["thing"] == {"id": "x"}
    assert out["diff"] == {"before_header": "Thing x", "after_header": "Thing x", "before": {"a": 1}, "after": {"a": 2}}


# The plain statement of what embedded_secrets finds: a URL's user-info (and its password), and the value of a query
# key that names a secret. embedded_secrets finds exactly these in one pass over a value.
_PLAIN_USERINFO = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://([^/?#@\s]+)@")
_PLAIN_QUERY_SECRET = re.compile(r"[?&][A-Za-z0-9_.-]*(?:%s)[A-Za-z0-9_.-]*=([^&#\s]+)" % _client.SENSITIVE_KEY_WORDS,
                                 re.IGNORECASE)


def _plain_embedded_secrets(value):
    found = []
    for match in _PLAIN_USERINFO.finditer(value):
        found += [match.group(1)] + match.group(1).split(":", 1)[1:]
    return [s for s in found + [m.group(1) for m in _PLAIN_QUERY_SECRET.finditer(value)] if s]


# Values made of the pieces the rules turn on: scheme characters, separators, the secret words, spaces.
PIECES = ["a", "Z", "9", "+", ".", "-", "_", "://", ":", "/", "@", "?", "&", "=", "#", " ", "\t", "token", "KEY",
          "Passwd", "u:p"]


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), max_size=24).map("".join))
def test_embedded_secrets_finds_what_the_plain_rules_find(value):
    assert embedded_secrets(value) == _plain_embedded_secrets(value)


@pytest.mark.parametrize("value, secrets", [
    ("https://ops:Endp0int-Passw0rd@127.0.0.1:9/?access_token=MIIq&x=1",
     ["ops:Endp0int-Passw0rd", "Endp0int-Passw0rd", "MIIq"]),
    ("a://b://u:p@", ["u:p", "p"]),
    ("?a=x?token=s", ["s"]),
    ("?token=a?key=b", ["a?key=b"]),
    ("10.5://u@h", []),
    ("1a.5://u@h", ["u"]),
    ("x" * 100000 + "?password=long", ["long"]),
])
def test_embedded_secrets_examples(value, secrets):
    assert embedded_secrets(value) == secrets
