"""The execution environment definition: ansible-builder creates a build context that installs requests and the
collection (the image itself cannot be built here: there is no container engine)."""

import os
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
    assert "ansible-core>=2.16,<2.20" in containerfile


def test_collection_metadata_points_builder_at_the_same_files():
    with open(os.path.join(ROOT, "meta", "execution-environment.yml"), encoding="utf-8") as handle:
        meta = yaml.safe_load(handle)
    assert meta["version"] == 3
    assert meta["dependencies"] == {"python": "requirements.txt", "system": "bindep.txt"}
    with open(os.path.join(ROOT, "requirements.txt"), encoding="utf-8") as handle:
        lines = [line.strip() for line in handle if line.strip() and not line.startswith("#")]
    assert lines and all("==" not in line for line in lines) and any(line.startswith("requests>=") for line in lines)


@pytest.mark.ansible_process
def test_local_checkout_variant_installs_the_tarball_built_here(tmp_path):
    """execution-environment-local.yml: the collection tarball `make ee-context` builds from this checkout is in the
    build context and installed from there; the image's Python is named."""
    collection = os.path.join(ROOT, ".tmp", "ee", "collection")
    os.makedirs(collection, exist_ok=True)
    galaxy = os.path.join(os.path.dirname(sys.executable), "ansible-galaxy")
    dist = tmp_path / "dist"
    subprocess.run([galaxy, "collection", "build", "--force", "--output-path", str(dist), ROOT], check=True,
                   capture_output=True)
    built = next(dist.iterdir())
    os.replace(str(built), os.path.join(collection, "hwcloud-infra.tar.gz"))
    context = tmp_path / "context"
    local = os.path.join(ROOT, "extensions", "ee", "execution-environment-local.yml")
    proc = subprocess.run([builder(), "create", "-f", local, "-c", str(context), "--output-filename", "Containerfile"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    containerfile = (context / "Containerfile").read_text()
    assert (context / "_build" / "collection" / "hwcloud-infra.tar.gz").stat().st_size > 10000
    requirements = yaml.safe_load((context / "_build" / "requirements.yml").read_text())
    assert requirements["collections"] == [{"name": "/tmp/hwcloud-infra-collection/hwcloud-infra.tar.gz",
                                            "type": "file"}]
    assert containerfile.index("COPY _build/collection/") < containerfile.index("ansible-galaxy collection install")
    for definition in (EE, local):
        with open(definition, encoding="utf-8") as handle:
            interpreter = yaml.safe_load(handle)["dependencies"]["python_interpreter"]
        assert interpreter == {"package_system": "python3.11", "python_path": "/usr/bin/python3.11"}
    assert "/usr/bin/python3.11" in containerfile
