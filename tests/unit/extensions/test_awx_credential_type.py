"""The AWX credential type: its injectors name only variables the modules read, and a job run the way AWX runs
one (ansible-runner, injected environment, CA bundle as a file) provisions against the simulator."""

import json
import os

import jinja2
import jinja2.sandbox
import pytest
import yaml

from ansible_collections.hwcloud.infra.plugins.module_utils._module import common_argument_spec

from hwsim.control import SimulatorProcess
from hwsim.seedinfo import (AK, CROSS_ACCOUNT_AGENCY, CROSS_ACCOUNT_DOMAIN, DOMAIN, OTHER_AK, OTHER_SK, PASSWORD,
                            REGION, SECRETS, SK, USER)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
CREDENTIAL_TYPE = os.path.join(ROOT, "extensions", "awx", "credential_types", "hwcloud_infra.yml")


def load_type():
    with open(CREDENTIAL_TYPE, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def render_injectors(credential_type, inputs, workdir):
    """Render file and env injectors as AWX does: files first, then env with tower.filename.<name>."""
    env = jinja2.sandbox.ImmutableSandboxedEnvironment(undefined=jinja2.StrictUndefined)
    values = {f["id"]: f.get("default", "") for f in credential_type["inputs"]["fields"]}
    values.update(inputs)
    filenames = {}
    for key, template in credential_type["injectors"].get("file", {}).items():
        name = key.split(".", 1)[1]
        path = os.path.join(workdir, "credential_%s" % name)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(env.from_string(template).render(**values))
        filenames[name] = path
    context = dict(values, tower={"filename": filenames})
    return {name: env.from_string(template).render(**context)
            for name, template in credential_type["injectors"]["env"].items()}


def test_injected_variables_are_read_by_the_modules():
    readable = {name for option in common_argument_spec().values() for name in option["fallback"][1]}
    injected = set(load_type()["injectors"]["env"])
    assert injected <= readable, "injected but never read: %s" % sorted(injected - readable)
    assert {"HW_ACCESS_KEY", "HW_SECRET_KEY", "HW_REGION_NAME", "HW_AUTH_SOURCE", "HW_ASSUME_ROLE_AGENCY_NAME",
            "HW_SHARED_CONFIG_FILE", "HW_PROFILE", "HW_METADATA_URL", "HW_USER_NAME", "HW_USER_PASSWORD",
            "HW_DOMAIN_NAME", "HW_ASSUME_ROLE_DOMAIN_ID", "HW_VALIDATE_CERTS", "HW_API_TIMEOUT",
            "HW_MAX_RETRIES"} <= injected


def test_fields_are_well_formed():
    credential_type = load_type()
    fields = {f["id"]: f for f in credential_type["inputs"]["fields"]}
    # An execution node with an agency needs no secret at all: only the region is required.
    assert set(credential_type["inputs"]["required"]) == {"region"}
    assert fields["secret_key"]["secret"] and fields["security_token"]["secret"] and fields["shared_config"]["secret"]
    assert fields["password"]["secret"] and fields["validate_certs"]["type"] == "boolean"
    assert fields["validate_certs"]["default"] is True
    assert fields["ca_bundle"]["multiline"] and fields["shared_config"]["multiline"]
    from ansible_collections.hwcloud.infra.plugins.module_utils._sources import AUTH_SOURCES
    assert fields["auth_source"]["default"] == "auto" and set(fields["auth_source"]["choices"]) <= set(AUTH_SOURCES)
    for field_id in fields:
        if field_id not in credential_type["inputs"]["required"] and field_id not in ("auth_source", "validate_certs"):
            assert fields[field_id].get("default") == "", "optional fields render as empty strings"


def test_optional_fields_left_empty_inject_nothing_harmful(tmp_path):
    env = render_injectors(load_type(), {"access_key": "A", "secret_key": "S", "region": "cn-north-4"},
                           str(tmp_path))
    assert env["HW_CA_BUNDLE"] == "" and env["HW_ENDPOINTS"] == "" and env["HW_PROJECT_ID"] == ""
    assert env["HW_USER_PASSWORD"] == "" and env["HW_API_TIMEOUT"] == "" and env["HW_VALIDATE_CERTS"] == "True"


CASES = {
    "keys": lambda sim: {"access_key": AK, "secret_key": SK},
    # An IAM user's password: one login for the whole job (the playbook's hwcloud.infra.auth), not one per module.
    "password": lambda sim: {"user_name": USER, "password": PASSWORD, "domain_name": DOMAIN, "api_timeout": "20",
                             "api_retries": "3"},
    # An execution node (ECS/BMS) with an agency: no secret field at all.
    "agency node": lambda sim: {"auth_source": "metadata", "metadata_url": sim.url},
    "assume agency": lambda sim: {"access_key": OTHER_AK, "secret_key": OTHER_SK, "agency_name": CROSS_ACCOUNT_AGENCY,
                                  "agency_domain_name": CROSS_ACCOUNT_DOMAIN, "agency_duration": "900"},
    "profile": lambda sim: {"auth_source": "profile", "profile": "ops", "shared_config": json.dumps({
        "current": "other", "profiles": [{"name": "ops", "mode": "AKSK", "accessKeyId": AK, "secretAccessKey": SK},
                                         {"name": "other", "mode": "AKSK", "accessKeyId": OTHER_AK,
                                          "secretAccessKey": OTHER_SK}]})},
}


@pytest.fixture(scope="module")
def installed_tarball(tmp_path_factory):
    """The built tarball (the run's, HWCLOUD_DIST, else built here) installed as an administrator installs it: the
    jobs run the collection as it ships, not this checkout."""
    import subprocess
    import sys

    tarball = os.environ.get("HWCLOUD_DIST")
    if not tarball or not os.path.isfile(tarball):
        with open(os.path.join(ROOT, "galaxy.yml"), encoding="utf-8") as handle:
            version = yaml.safe_load(handle)["version"]
        tarball = os.path.join(ROOT, ".tmp", "dist", "hwcloud-infra-%s.tar.gz" % version)
        subprocess.run(["bash", os.path.join(ROOT, "tests", "tools", "dist.sh"), tarball], check=True,
                       capture_output=True)
    target = str(tmp_path_factory.mktemp("installed"))
    # --force: the collection is found installed elsewhere already (the checkout, on ANSIBLE_COLLECTIONS_PATH).
    subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-galaxy"), "collection", "install",
                    "--offline", "--force", "-p", target, tarball], check=True, capture_output=True)
    assert os.path.isfile(os.path.join(target, "ansible_collections", "hwcloud", "infra", "playbooks",
                                       "provision.yml"))
    return target


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.ansible_process
def test_a_job_run_by_ansible_runner_with_the_injected_environment(tmp_path, monkeypatch, case, installed_tarball):
    import ansible_runner

    for name in list(os.environ):
        if name.startswith(("HW_", "HUAWEICLOUD_SDK_")):
            monkeypatch.delenv(name)
    with SimulatorProcess(tls=True) as sim:
        inputs = dict({"region": REGION, "endpoints": json.dumps(sim.endpoints())}, **CASES[case](sim))
        with open(sim.ca_file, encoding="utf-8") as handle:
            inputs["ca_bundle"] = handle.read()
        private = tmp_path / "job"
        private.mkdir()
        envvars = render_injectors(load_type(), inputs, str(private))
        envvars["ANSIBLE_COLLECTIONS_PATH"] = installed_tarball
        extravars = {
            "provision_lite_server_bindings": [{"server": "train-a3-01", "public_ip": "203.0.113.11"}],
            "provision_imetal_instances": [{"instance": "gpu-node-02", "nics": [
                {"subnet_id": "6494193b-2eed-5d40-8363-241c4d0c663c", "ip_address": "10.0.1.44"}]}],
        }
        result = ansible_runner.run(private_data_dir=str(private), playbook="hwcloud.infra.provision",
                                    envvars=envvars, extravars=extravars, quiet=True, inventory="localhost")
        stdout = result.stdout.read()
        assert result.status == "successful", stdout[-3000:]
        assert result.rc == 0
        state = sim.state()
        server = next(s for s in state["dev_servers"] if s["name"] == "train-a3-01")
        bound = [e["public_ip_address"] for e in state["publicips"] if e["sim_bound_server"] == server["id"]]
        assert bound == ["203.0.113.11"]
        node = next(i for i in state["instances"] if i["name"] == "gpu-node-02")
        assert node["network_interfaces"][0]["ipv4_address"] == "10.0.1.44"
        if case == "keys" or case == "profile":
            assert all(r["principal"] == AK for r in sim.requests() if r.get("service") and r["auth"])
        if case == "password":
            logins = [r for r in sim.requests() if r["method"] == "POST" and r["path"] == "/v3/auth/tokens"]
            assert len(logins) == 1, "one IAM login for the job, not one per module"
            assert all(r["auth"] == "token" for r in sim.requests() if r.get("service") not in (None, "iam"))
        events = json.dumps([e.get("event_data", {}).get("res") for e in result.events])
        for secret in SECRETS:
            assert secret not in stdout and secret not in events
