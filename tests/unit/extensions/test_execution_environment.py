"""The execution environment definition: ansible-builder creates a build context that installs requests and the
collection (the image itself cannot be built here: there is no container engine)."""

import os
import shutil
import subprocess
import sys

import pytest

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
EE = os.path.join(ROOT, "extensions", "ee", "execution-environment.yml")


def builder():
    return os.path.join(os.path.dirname(sys.executable), "ansible-builder")


@pytest.mark.ansible_process
def test_ansible_builder_create_context(tmp_path):
    context = tmp_path / "context"
    proc = subprocess.run([builder(), "create", "-f", EE, "-c", str(context), "--output-filename", "Containerfile"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    containerfile = (context / "Containerfile").read_text()
    build = context / "_build"
    python_requirements = (build / "requirements.txt").read_text()
    galaxy = yaml.safe_load((build / "requirements.yml").read_text())
    assert "requests" in python_requirements
    assert [c["name"] for c in galaxy["collections"]] == ["hwcloud.infra"]
    assert "ansible-galaxy collection install" in containerfile and "requirements.yml" in containerfile
    assert "requirements.txt" in containerfile and "bindep" in containerfile
    assert "ansible-core>=2.19,<2.22" in containerfile


def test_collection_metadata_points_builder_at_the_same_files():
    with open(os.path.join(ROOT, "meta", "execution-environment.yml"), encoding="utf-8") as handle:
        meta = yaml.safe_load(handle)
    assert meta["version"] == 3
    assert meta["dependencies"] == {"python": "requirements.txt", "system": "bindep.txt"}
    with open(os.path.join(ROOT, "requirements.txt"), encoding="utf-8") as handle:
        lines = [line.strip() for line in handle if line.strip() and not line.startswith("#")]
    assert lines and all("==" not in line for line in lines) and any(line.startswith("requests>=") for line in lines)


@pytest.mark.ansible_process
def test_an_administrator_with_the_tarball_builds_an_ee_as_docs_awx_md_says(tmp_path):
    """execution-environment-tarball.yml, used as docs/awx.md says: the definition and its requirements in an empty
    directory, the tarball in collection/; the build context installs that tarball (nothing from a checkout)."""
    galaxy = os.path.join(os.path.dirname(sys.executable), "ansible-galaxy")
    dist = tmp_path / "dist"
    subprocess.run([galaxy, "collection", "build", "--force", "--output-path", str(dist), ROOT], check=True,
                   capture_output=True)
    work = tmp_path / "ee"
    (work / "collection").mkdir(parents=True)
    for name in ("execution-environment-tarball.yml", "requirements-tarball.yml"):
        shutil.copy(os.path.join(ROOT, "extensions", "ee", name), str(work / name))
    shutil.copy(str(next(dist.iterdir())), str(work / "collection" / "hwcloud-infra.tar.gz"))
    proc = subprocess.run([builder(), "create", "-f", "execution-environment-tarball.yml", "-c", "context",
                           "--output-filename", "Containerfile"], cwd=str(work), capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    context = work / "context"
    containerfile = (context / "Containerfile").read_text()
    assert (context / "_build" / "collection" / "hwcloud-infra.tar.gz").stat().st_size > 10000
    requirements = yaml.safe_load((context / "_build" / "requirements.yml").read_text())
    assert requirements["collections"] == [{"name": "/tmp/hwcloud-infra-collection/hwcloud-infra.tar.gz",
                                            "type": "file"}]
    assert containerfile.index("COPY _build/collection/") < containerfile.index("ansible-galaxy collection install")
    assert "/usr/bin/python3.12" in containerfile and "ansible-core>=2.19,<2.22" in containerfile


def test_the_ee_pins_follow_the_support_policy_and_the_matrix():
    """ansible-core from the collection's requires_ansible to the newest released series the matrix runs (not a
    release candidate), on a Python that series supports; the Galaxy requirement asks for this release or newer."""
    import re

    sys.path.insert(0, os.path.join(ROOT, "tests", "tools"))
    try:
        import matrix
    finally:
        sys.path.pop(0)
    with open(os.path.join(ROOT, "meta", "runtime.yml"), encoding="utf-8") as handle:
        requires = yaml.safe_load(handle)["requires_ansible"]
    lowest = re.match(r">=(\d+\.\d+)", requires).group(1)
    released = [v for v in matrix.VERSIONS if v[0] not in matrix.CANDIDATES]
    newest, pythons = max(released, key=lambda v: tuple(int(x) for x in v[0].split(".")))
    after = "%s.%d" % (newest.split(".")[0], int(newest.split(".")[1]) + 1)
    for name in ("execution-environment.yml", "execution-environment-tarball.yml"):
        with open(os.path.join(ROOT, "extensions", "ee", name), encoding="utf-8") as handle:
            ee = yaml.safe_load(handle)
        assert ee["dependencies"]["ansible_core"]["package_pip"] == "ansible-core>=%s,<%s" % (lowest, after), name
        python = ee["dependencies"]["python_interpreter"]["package_system"].replace("python", "")
        assert python in pythons, "%s: Python %s is not one ansible-core %s runs on in the matrix" % (
            name, python, newest)
        assert ee["images"]["base_image"]["name"].endswith("python-%s:latest" % python.replace(".", ""))
    with open(os.path.join(ROOT, "galaxy.yml"), encoding="utf-8") as handle:
        version = yaml.safe_load(handle)["version"]
    with open(os.path.join(ROOT, "extensions", "ee", "requirements.yml"), encoding="utf-8") as handle:
        assert yaml.safe_load(handle)["collections"] == [{"name": "hwcloud.infra", "version": ">=%s" % version}]
