"""Secret scan: real ``ansible -vvvv`` runs for every authentication method, succeeding and failing, and with
credentials that carry a trailing newline; no secret (secret key, security token, password, token, signature)
may appear anywhere in what ansible prints."""

import json
import os
import subprocess

import pytest

from hwsim.seedinfo import (CROSS_ACCOUNT_AGENCY, CROSS_ACCOUNT_DOMAIN, DOMAIN, ID_TOKEN, IDP_ID, OIDC_AGENCY_URN,
                            OIDC_PROVIDER_URN, OTHER_AK, OTHER_SK, PASSWORD, POD_IDENTITY_TOKEN, PROJECT_ID, SK, TEMP_AK,
                            TEMP_SK, TEMP_TOKEN, USER)

COLLECTIONS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))),
                           ".tmp", "collections")


def _env(sim, **credentials):
    env = sim.ansible_env()
    for name in ("HW_ACCESS_KEY", "HW_SECRET_KEY"):
        env.pop(name, None)
    env.update(credentials)
    env.update(ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0",
               ANSIBLE_HOST_KEY_CHECKING="0", ANSIBLE_LOCALHOST_WARNING="0", ANSIBLE_INVENTORY_UNPARSED_WARNING="0")
    return env


def _adhoc(env, module, args):
    proc = subprocess.run(["ansible", "-vvvv", "localhost", "-c", "local", "-m", "hwcloud.infra.%s" % module,
                           "-a", json.dumps(args)], env=env, capture_output=True, text=True, timeout=120,
                          check=False)
    return proc.returncode, proc.stdout + proc.stderr


def _file(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    os.chmod(str(path), 0o600)
    return str(path)


def _methods(sim, tmp_path):
    token = sim.token(PROJECT_ID)
    profile = json.dumps({"current": "p", "profiles": [{
        "name": "p", "mode": "AKSK", "accessKeyId": OTHER_AK, "secretAccessKey": OTHER_SK,
        "agencyName": CROSS_ACCOUNT_AGENCY, "agencyDomainName": CROSS_ACCOUNT_DOMAIN}]})
    return {
        "metadata": (_env(sim, HW_AUTH_SOURCE="metadata"), []),
        "pod identity": (_env(sim, HC_CONTAINER_CREDENTIALS_FULL_URI=sim.url + "/v1/pod-identity/credentials",
                              HC_CONTAINER_AUTHORIZATION_TOKEN_FILE=_file(tmp_path, "pod", POD_IDENTITY_TOKEN),
                              HW_AUTH_SOURCE="pod_identity"), [POD_IDENTITY_TOKEN]),
        "OIDC": (_env(sim, HUAWEICLOUD_OIDC_PROVIDER_URN=OIDC_PROVIDER_URN, HUAWEICLOUD_OIDC_AGENCY_URN=OIDC_AGENCY_URN,
                      HUAWEICLOUD_OIDC_ID_TOKEN=ID_TOKEN), [ID_TOKEN]),
        "id token": (_env(sim, HUAWEICLOUD_SDK_IDP_ID=IDP_ID,
                          HUAWEICLOUD_SDK_ID_TOKEN_FILE=_file(tmp_path, "id", ID_TOKEN)), [ID_TOKEN]),
        "agency": (_env(sim, HW_ACCESS_KEY=OTHER_AK, HW_SECRET_KEY=OTHER_SK,
                        HW_ASSUME_ROLE_AGENCY_NAME=CROSS_ACCOUNT_AGENCY,
                        HW_ASSUME_ROLE_DOMAIN_NAME=CROSS_ACCOUNT_DOMAIN), [OTHER_SK]),
        "profile with an agency": (_env(sim, HW_SHARED_CONFIG_FILE=_file(tmp_path, "config.json", profile)),
                                   [OTHER_SK]),
        "AK/SK": (_env(sim, HW_ACCESS_KEY=sim.connection_options()["access_key"], HW_SECRET_KEY=SK), [SK]),
        "temporary AK/SK": (_env(sim, HW_ACCESS_KEY=TEMP_AK, HW_SECRET_KEY=TEMP_SK, HW_SECURITY_TOKEN=TEMP_TOKEN),
                            [TEMP_SK, TEMP_TOKEN]),
        "token": (_env(sim, HW_AUTH_TOKEN=token), [token]),
        "password": (_env(sim, HW_USER_NAME=USER, HW_USER_PASSWORD=PASSWORD, HW_DOMAIN_NAME=DOMAIN), [PASSWORD]),
    }


def _count(output, secrets):
    found = dict((s, output.count(s)) for s in secrets if s)
    found["Signature="] = output.count("Signature=")
    found["X-Subject-Token"] = output.count("X-Subject-Token")
    return found


@pytest.mark.parametrize("method", ["AK/SK", "temporary AK/SK", "token", "password", "metadata", "pod identity",
                                    "OIDC", "id token", "agency", "profile with an agency"])
@pytest.mark.ansible_process
def test_no_secret_at_vvvv(sim, tally, method, tmp_path):
    env, secrets = _methods(sim, tmp_path)[method]
    rc_ok, out_ok = _adhoc(env, "modelarts_devserver_eip", {"server": "train-a3-01", "public_ip": "203.0.113.15"})
    rc_fail, out_fail = _adhoc(env, "modelarts_devserver_eip", {"server": "ls-stopped", "public_ip": "203.0.113.17"})
    rc_bad, out_bad = _adhoc(env, "cdc_imetal_ip", {"instance": "gpu-node-01", "nics": "not-a-list"})
    assert rc_ok == 0 and "CHANGED" in out_ok, out_ok[-2000:]
    assert rc_fail != 0 and "its status is STOPPED" in out_fail
    assert rc_bad != 0
    state = sim.state()
    issued = [t["token"] for t in state["tokens"]] + [value for c in state["credentials"] if c.get("issued")
                                                      for value in (c["secret_key"], c["security_token"])]
    counts = _count(out_ok + out_fail + out_bad, secrets + issued)
    tally("secret_scan", method, [3, sum(counts.values())])
    assert not any(counts.values()), counts


@pytest.mark.parametrize("method", ["password", "metadata", "agency"])
@pytest.mark.ansible_process
def test_no_renewed_credential_at_vvvv_or_in_a_diff(sim, tally, method, tmp_path):
    """The gateway refuses the first ModelArts call as expired: the credentials are renewed and the bind goes on;
    neither the first nor the renewed credentials appear, also with --diff."""
    env, secrets = _methods(sim, tmp_path)[method]
    sim.fault(path="/dev-servers", status=401, error_code="APIG.0307", error_msg="The token must be updated.",
              count=1)
    proc = subprocess.run(["ansible", "-vvvv", "--diff", "localhost", "-c", "local", "-m",
                           "hwcloud.infra.modelarts_devserver_eip", "-a",
                           json.dumps({"server": "train-a3-01", "public_ip": "203.0.113.15"})],
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0 and "CHANGED" in output, output[-2000:]
    assert [r for r in sim.requests() if r["status"] == 401], "the refusal was not seen"
    state = sim.state()
    issued = [t["token"] for t in state["tokens"]] + [value for c in state["credentials"] if c.get("issued")
                                                      for value in (c["secret_key"], c["security_token"])]
    assert len(issued) >= 2, "nothing was renewed"
    counts = _count(output, secrets + issued)
    tally("secret_scan", "%s renewed, --diff" % method, [1, sum(counts.values())])
    assert not any(counts.values()), counts


@pytest.mark.parametrize("variable,value", [
    ("HW_AUTH_TOKEN", "MIIsecret-token-value\n"),
    ("HW_AUTH_TOKEN", "MIIsecret-token-value\r\n"),
    ("HW_SECURITY_TOKEN", "secret-security-token\n"),
    ("HW_USER_PASSWORD", "Secret-Passw0rd\n"),
])
@pytest.mark.ansible_process
def test_credentials_with_a_trailing_newline_are_refused_unseen(sim, tally, variable, value):
    credentials = {variable: value}
    if variable == "HW_SECURITY_TOKEN":
        credentials.update(HW_ACCESS_KEY=TEMP_AK, HW_SECRET_KEY=TEMP_SK)
    if variable == "HW_USER_PASSWORD":
        credentials.update(HW_USER_NAME=USER, HW_DOMAIN_NAME=DOMAIN)
    sim.clear_requests()
    rc, output = _adhoc(_env(sim, **credentials), "modelarts_devserver_info", {"server": "train-a3-01"})
    assert rc != 0
    option = {"HW_AUTH_TOKEN": "auth_token", "HW_SECURITY_TOKEN": "security_token",
              "HW_USER_PASSWORD": "password"}[variable]
    assert "%s contains" % option in output and "the value is not shown" in output
    assert sim.requests() == [], "refused before any request"
    counts = _count(output, [value.strip(), TEMP_SK])
    tally("secret_scan", "%s with a newline" % variable, [1, sum(counts.values())])
    assert not any(counts.values()), counts


@pytest.mark.parametrize("where,endpoint,secret", [
    ("user-info", "https://ops:Endp0int-Passw0rd@127.0.0.1:9", "Endp0int-Passw0rd"),
    ("a token user-info", "https://MIIendpoint-token-value@127.0.0.1:9", "MIIendpoint-token-value"),
    ("a query token", "https://127.0.0.1:9/?access_token=MIIquery-token-value", "MIIquery-token-value"),
])
@pytest.mark.ansible_process
def test_a_credential_inside_an_endpoint_is_never_shown(sim, tally, where, endpoint, secret):
    env = _env(sim, HW_ACCESS_KEY=sim.connection_options()["access_key"], HW_SECRET_KEY=SK)
    # Refused before any request; were it not, the proxy is a closed local port.
    env.update(HTTPS_PROXY="http://127.0.0.1:9", HTTP_PROXY="http://127.0.0.1:9", NO_PROXY="127.0.0.1")
    # The result carries the module's arguments (what ansible-core 2.19 always did).
    env.update(ANSIBLE_INJECT_INVOCATION="1")
    endpoints = dict(sim.endpoints(), modelarts=endpoint)
    sim.clear_requests()
    rc, output = _adhoc(env, "modelarts_devserver_info", {"server": "train-a3-01", "endpoints": endpoints})
    assert rc != 0 and "endpoints.modelarts is not an http(s) base URL" in output, output[-2000:]
    assert sim.requests() == []
    assert '"invocation"' in output and "********" in output
    counts = _count(output, [secret, SK])
    tally("secret_scan", "endpoint with %s" % where, [1, sum(counts.values())])
    assert not any(counts.values()), counts


@pytest.mark.parametrize("endpoint,secret", [
    ("https://ops:Endp0int-Passw0rd@127.0.0.1:9", "Endp0int-Passw0rd"),
    ("https://127.0.0.1:9/v1?X-Auth-Token=MIIquery-token-value&a=1", "MIIquery-token-value"),
])
def test_a_credential_inside_an_endpoint_is_masked_in_the_invocation(sim, run_module, endpoint, secret):
    from ansible_collections.hwcloud.infra.plugins.modules import modelarts_devserver_info
    args = {"server": "train-a3-01", "_ansible_inject_invocation": True,
            "endpoints": dict(sim.endpoints(), modelarts=endpoint)}
    out = run_module(modelarts_devserver_info.main, sim, args)
    assert out["failed"] and "endpoints.modelarts" in out["msg"]
    shown = out["invocation"]["module_args"]["endpoints"]["modelarts"]
    assert "********" in shown and shown.startswith("https://") and secret not in json.dumps(out)
