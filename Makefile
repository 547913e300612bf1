# hwcloud.infra: `make test` is the one command that installs and runs every check (see README.md).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
# The newest Python 3.12+ on the machine (PATH or pyenv), for the newest ansible-core; 3.11 (ansible-core 2.19)
# only where there is none, said so. `make PYTHON=/path/to/python3.x ...` picks another.
ifeq ($(origin PYTHON), undefined)
PYTHON := $(shell bash $(CURDIR)/tests/tools/pick-python.sh)
endif
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
TMP := $(CURDIR)/.tmp
COLLECTIONS := $(TMP)/collections
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export ANSIBLE_LOCAL_TEMP := $(TMP)/ansible-local
# Ansible's own files (collections a tool installs, async job results) stay in the checkout, never in $HOME.
export ANSIBLE_HOME := $(TMP)/ansible-home
export PATH := $(BIN):$(PATH)

.PHONY: test demo sim sim-stop ee-context matrix readme-check docsite perf venv runtime collection-tree collection units integration molecule sanity lint docs docs-check changelog-lint build-check galaxy-importer testing-guide clean

test:
	@start=$$(date +%s); \
	$(MAKE) --no-print-directory venv collection units integration molecule sanity lint docs-check docsite changelog-lint build-check galaxy-importer testing-guide matrix readme-check; \
	echo "make test: all checks passed in $$(( $$(date +%s) - start )) s"

venv: $(VENV)/.installed

# What the demo and the simulator need (tests/requirements-demo.txt); the test toolchain comes on top of it.
runtime: $(VENV)/.runtime

$(VENV)/.runtime: requirements.txt tests/requirements-demo.txt
	@test -n "$(PYTHON)" || { echo "no usable Python: install Python 3.12 or later" >&2; exit 1; }
	@if test -x $(BIN)/python && [ "$$($(BIN)/python -c 'import sys; print(sys.version)')" != \
	    "$$($(PYTHON) -c 'import sys; print(sys.version)')" ]; then \
	  echo "$(VENV) was made with another Python: making it anew with $(PYTHON)"; rm -rf $(VENV); fi
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r tests/requirements-demo.txt
	touch $@

$(VENV)/.installed: $(VENV)/.runtime tests/requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r tests/requirements.txt
	touch $@

collection-tree: runtime
	@bash tests/tools/collection-tree.sh link $(COLLECTIONS) >/dev/null

collection: venv collection-tree

# pytest exits 5 when it collects nothing: that is a broken suite layout, and make fails on it like on any error.
units: collection
	$(BIN)/python -m pytest tests/unit -p no:cacheprovider -q -ra

# Integration targets (tests/integration/targets) against a simulator the runner starts and stops itself.
integration: collection
	$(BIN)/python tests/integration/run.py

# The demo: simulator up, playbooks/demo.yml twice (the second run reports changed=0), simulator down.
demo: collection-tree
	$(BIN)/python tests/tools/demo.py

# The simulator in the background for trying the collection by hand: `make sim`, then `source .tmp/sim/env.sh`.
sim: collection-tree
	@$(BIN)/python tests/tools/sim.py start

sim-stop:
	@test ! -x $(BIN)/python || $(BIN)/python tests/tools/sim.py stop

# Molecule scenarios (extensions/molecule): default driver on localhost; create/destroy start/stop the simulator.
molecule: collection
	$(BIN)/molecule test --all

# Benchmarks with their speed and memory targets (tests/perf/README.md); not part of `make test`.
perf: collection
	$(BIN)/python tests/perf/bench.py

sanity: venv
	@bash tests/tools/ansible-test-offline.sh $(BIN)/python
	@tree=$$(bash tests/tools/collection-tree.sh copy $(TMP)/sanity) && cd "$$tree" && \
	  $(BIN)/ansible-test sanity --venv --python $$($(BIN)/python -c 'import sys; print("%d.%d" % sys.version_info[:2])') --color no

# Strict (a warning fails): the production profile (.ansible-lint), then the default rule set.
lint: collection
	$(BIN)/ansible-lint --offline --strict
	$(BIN)/ansible-lint --offline --strict -c tests/ansible-lint-default.yml

# docs/reference is generated from the plugins' own documentation: `make docs` rebuilds it, docs-check verifies it.
docs: collection
	bash tests/tools/docs.sh build

docs-check: collection
	bash tests/tools/docs.sh check

# The rendered documentation site (antsibull-docs + Sphinx, warnings are errors) in .tmp/docsite/build/html.
docsite: collection
	bash tests/tools/docsite.sh $(TMP)/docsite

# Every supported ansible-core (2.16-2.19 on Python 3.11, 2.20 on 3.12), each in a fresh venv with the built tarball.
matrix: collection
	$(BIN)/python tests/tools/matrix.py

# The README's commands, in order, on a fresh clone of this checkout (HEAD).
readme-check: venv
	$(BIN)/python tests/tools/readme_test.py

# The fragments lint, and CHANGELOG.rst is what antsibull-changelog generates from changelogs/changelog.yaml.
changelog-lint: venv
	$(BIN)/antsibull-changelog lint
	@cp CHANGELOG.rst $(TMP)/CHANGELOG.rst.committed && $(BIN)/antsibull-changelog generate && \
	  if ! diff -u $(TMP)/CHANGELOG.rst.committed CHANGELOG.rst; then \
	    cp $(TMP)/CHANGELOG.rst.committed CHANGELOG.rst; \
	    echo "CHANGELOG.rst is not what antsibull-changelog generates: run 'antsibull-changelog generate'" >&2; exit 1; fi

build-check: venv
	bash tests/tools/build-check.sh

# docs/testing-your-playbooks.md as written: the plain playbook test and the molecule scenario of
# docs/examples/testing, with the built tarball installed into a fresh venv.
testing-guide: venv
	$(BIN)/python tests/tools/testing_guide.py

# Galaxy's importer on the built tarball with ansible-doc, ansible-lint and flake8: any warning fails.
galaxy-importer: venv
	bash tests/tools/galaxy-importer.sh

# The execution environment's build context with the collection built from this checkout (no container engine
# needed): extensions/ee/execution-environment-local.yml; build the image from .tmp/ee/context with podman/docker.
ee-context: venv
	rm -rf $(TMP)/ee && mkdir -p $(TMP)/ee/collection
	$(BIN)/ansible-galaxy collection build --force --output-path $(TMP)/ee/dist .
	cp $(TMP)/ee/dist/hwcloud-infra-*.tar.gz $(TMP)/ee/collection/hwcloud-infra.tar.gz
	$(BIN)/ansible-builder create -f extensions/ee/execution-environment-local.yml -c $(TMP)/ee/context \
	  --output-filename Containerfile

clean:
	rm -rf $(VENV) $(TMP) tests/output
