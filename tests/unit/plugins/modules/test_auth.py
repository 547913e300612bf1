"""hwcloud.infra.auth: one login per play. Its credentials are usable as they are in module_defaults, a 20-task
password play logs in to IAM exactly once, and nothing of them shows at -vvvv when the task has no_log."""

import json
import os
import subprocess
import sys

import pytest

from ansible_collections.hwcloud.infra.plugins.modules import auth, modelarts_devserver_info

from hwsim.seedinfo import (CROSS_ACCOUNT_AGENCY, CROSS_ACCOUNT_DOMAIN, DOMAIN, OTHER_AK, OTHER_SK, PASSWORD,
                            PROJECT_ID, REGION, SECRETS, USER)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
BIN = os.path.dirname(sys.executable)
PASSWORD_LOGIN = {"user_name": USER, "password": PASSWORD, "domain_name": DOMAIN}


def logins(sim):
    return [r for r in sim.requests() if r["path"] == "/v3/auth/tokens" and r["method"] == "POST"]


def run(sim, run_module, main, **options):
    args = dict({"region": REGION, "endpoints": sim.endpoints(), "metadata_url": sim.url}, **options)
    return run_module(main, sim, args, connection=False)


def test_a_password_login_gives_a_token_with_its_project_and_expiry(sim, run_module):
    out = run(sim, run_module, auth.main, **PASSWORD_LOGIN)
    assert not out.get("failed"), out["msg"]
    assert set(out["auth"]) == {"auth_token", "project_id", "region", "endpoints", "auth_source"}
    assert out["auth"]["project_id"] == PROJECT_ID and out["auth"]["region"] == REGION
    assert out["method"] == "IAM password login" and out["source"] == "module options"
    assert out["expires_at"].endswith("Z") and out["changed"] is False
    assert PASSWORD not in json.dumps(out) and len(logins(sim)) == 1
    sim.clear_requests()
    # The result is the whole module_defaults block: nothing else is given to the next module.
    listed = run_module(modelarts_devserver_info.main, sim, dict(out["auth"], public_ips=False), connection=False)
    assert not listed.get("failed") and len(listed["servers"]) > 1
    assert [r for r in sim.requests() if r.get("service") == "iam"] == []  # no login, no project look-up


def test_an_assumed_agency_gives_its_temporary_keys(sim, run_module):
    out = run(sim, run_module, auth.main, access_key=OTHER_AK, secret_key=OTHER_SK,
              agency_name=CROSS_ACCOUNT_AGENCY, agency_domain_name=CROSS_ACCOUNT_DOMAIN)
    assert not out.get("failed"), out["msg"]
    assert set(out["auth"]) == {"access_key", "secret_key", "security_token", "project_id", "region", "endpoints",
                                "auth_source"}
    assert out["auth"]["project_id"] == PROJECT_ID and out["method"] == "agency keys"
    assert OTHER_SK not in json.dumps(out)
    listed = run(sim, run_module, modelarts_devserver_info.main, public_ips=False, **out["auth"])
    assert not listed.get("failed") and len(listed["servers"]) > 1


def test_the_metadata_keys_are_returned_with_their_expiry(sim, run_module):
    out = run(sim, run_module, auth.main, auth_source="metadata")
    assert not out.get("failed"), out["msg"]
    assert out["auth"]["security_token"] and out["expires_at"] and out["source"].startswith("the instance metadata")


def test_static_keys_are_returned_as_they_are(sim, run_module):
    out = run(sim, run_module, auth.main, access_key=OTHER_AK, secret_key=OTHER_SK)
    assert out["auth"]["secret_key"] == OTHER_SK and out["expires_at"] is None


def test_a_failed_login_fails_naming_the_operation_and_no_value(sim, run_module):
    wrong = dict(PASSWORD_LOGIN)
    wrong["password"] = "wrong-" + PASSWORD
    out = run(sim, run_module, auth.main, **wrong)
    assert out["failed"] and "log in to IAM as %s" % USER in out["msg"], out["msg"]
    assert PASSWORD not in json.dumps(out)


PLAY = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Log in once
      hwcloud.infra.auth:
      register: login
      no_log: true

    - name: Every task after it uses the token
      module_defaults:
        group/hwcloud.infra.huaweicloud: "{{ login.auth }}"
      block:
%s
"""
TASK = """        - name: Lite Servers %d
          hwcloud.infra.modelarts_devserver_info:
            public_ips: false
          register: listed
          failed_when: listed.servers | length < 2
"""


@pytest.mark.parametrize("verbosity", ["-v", "-vvvv"])
@pytest.mark.ansible_process
def test_a_twenty_task_password_play_logs_in_once(sim, tmp_path, verbosity):
    env = sim.ansible_env()
    for name in ("HW_ACCESS_KEY", "HW_SECRET_KEY"):
        env.pop(name, None)
    env.update(HW_USER_NAME=USER, HW_USER_PASSWORD=PASSWORD, HW_DOMAIN_NAME=DOMAIN, ANSIBLE_NOCOLOR="1",
               ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".tmp", "collections"),
               ANSIBLE_HOME=str(tmp_path / "ansible-home"), ANSIBLE_LOCALHOST_WARNING="0")
    play = tmp_path / "play.yml"
    play.write_text(PLAY % "".join(TASK % n for n in range(1, 20)))
    proc = subprocess.run([os.path.join(BIN, "ansible-playbook"), "-i", "localhost,", "-c", "local", verbosity,
                           str(play)], env=env, capture_output=True, text=True, check=False, timeout=600)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-3000:]
    assert "ok=20" in output
    assert len(logins(sim)) == 1, "IAM logins: %d" % len(logins(sim))
    tokens = [t["token"] for t in sim.state()["tokens"]]
    leaked = [s for s in SECRETS + tuple(tokens) if s in output]
    assert not leaked, "secret in the output at %s" % verbosity


def test_the_result_carries_the_settings_it_was_given_and_not_the_defaults(sim, run_module):
    out = run(sim, run_module, auth.main, **dict(PASSWORD_LOGIN, api_timeout=12, api_retries=5, validate_certs=True))
    assert not out.get("failed"), out["msg"]
    assert out["auth"]["api_timeout"] == 12 and "api_retries" not in out["auth"]
    assert "validate_certs" not in out["auth"] and "cloud" not in out["auth"]
