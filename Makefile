# hwcloud.infra: `make test` is the one command that installs and runs every check (see README.md and
# CONTRIBUTING.md); `make check` is the fast tier; `make help` lists every target with what it runs.
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
# Ansible's own files (collections a tool installs, ansible-lint's mocks, async job results) stay in the checkout,
# never in $HOME; `make test` gives each of the steps it runs side by side a place of its own.
export ANSIBLE_LOCAL_TEMP ?= $(TMP)/ansible-local
export ANSIBLE_HOME ?= $(TMP)/ansible-home
# pip's wheel cache of every venv the checks make (the project's, the matrix cells', the guides' and the README's).
export PIP_CACHE_DIR := $(TMP)/pip-cache
export PATH := $(BIN):$(PATH)
# The one collection tarball of a run, built from the checkout's files (tests/tools/dist.sh).
VERSION := $(shell sed -n 's/^version: *//p' galaxy.yml)
DIST := $(TMP)/dist/hwcloud-infra-$(VERSION).tar.gz
export HWCLOUD_DIST := $(DIST)
# pytest workers: one per core for the whole suite (its ansible processes keep the cores busy), twice that for the
# fast tier (its tests mostly wait on the simulator).
CORES := $(shell nproc 2>/dev/null || echo 2)

.PHONY: help check test demo sim sim-stop ee-context matrix readme-check docsite perf venv runtime collection-tree \
  collection dist units units-fast lint-changed integration molecule sanity lint docs docs-check changelog-lint permissions \
  build-check galaxy-importer testing-guide clean

help: ## What each target runs, and how long it takes on a 2-core machine.
	@echo "hwcloud.infra: make TARGET (times measured on a 2-core machine; CONTRIBUTING.md says more)"
	@awk 'BEGIN {FS = ":[^#]*## "} /^[a-z][a-z-]*:[^=]*## / {printf "  %-16s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

check: venv collection ## The fast tier, about 2 minutes: lint of what changed, changelog fragments, unit tests without ansible processes.
	@start=$$(date +%s); \
	$(MAKE) --no-print-directory lint-changed changelog-lint units-fast; \
	echo "make check: passed in $$(( $$(date +%s) - start )) s"

test: ## Everything, about 13 minutes: every step below side by side, a table of their times and the counts they prove.
	@$(or $(wildcard $(BIN)/python),$(PYTHON)) tests/tools/steps.py

venv: $(VENV)/.installed ## The venv with the runtime and the test toolchain (first time: about 1 minute).

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

collection: venv collection-tree ## The checkout as ansible_collections/hwcloud/infra under .tmp/collections.

dist: venv ## The run's one collection tarball (.tmp/dist), built with test caches planted that must stay out.
	@bash tests/tools/dist.sh $(DIST)

# pytest exits 5 when it collects nothing: that is a broken suite layout, and make fails on it like on any error.
units: collection ## The pytest suite in parallel, its 30 slowest tests listed (about 5 minutes); some: TESTS="FILE[::NAME] -k WORDS".
	HWCLOUD_COUNTS_FILE=$${HWCLOUD_COUNTS_DIR:+$$HWCLOUD_COUNTS_DIR/units.json} \
	  $(BIN)/python -m pytest $(or $(TESTS),tests/unit) -p no:cacheprovider -q -ra -n $(CORES) --durations=30

units-fast: collection ## The unit tests that start no ansible process (about 90 s): validation, idempotence, check mode, signing, faults, secrets.
	HWCLOUD_TEST_TIER=check $(BIN)/python -m pytest tests/unit -p no:cacheprovider -q -ra -n $$(( $(CORES) * 2 )) \
	  -m "not ansible_process" --durations=10

lint-changed: venv ## flake8 on the Python files changed since the last commit (or in it, when nothing is), ansible-lint on such YAML.
	@bash tests/tools/lint-changed.sh

# Integration targets (tests/integration/targets) against simulators the runner starts and stops itself.
integration: collection ## The integration targets, two at a time, simulators of their own (about 2 minutes); some: TARGETS="NAME ...".
	$(BIN)/python tests/integration/run.py $(TARGETS)

# The demo: simulator up, playbooks/demo.yml twice (the second run reports changed=0), simulator down.
demo: collection-tree ## The first hour's demo against the simulator.
	$(BIN)/python tests/tools/demo.py

sim: collection-tree ## A simulator in the background; then `source .tmp/sim/env.sh`.
	@$(BIN)/python tests/tools/sim.py start

sim-stop: ## Stop the simulator of `make sim`.
	@test ! -x $(BIN)/python || $(BIN)/python tests/tools/sim.py stop

# Molecule scenarios (extensions/molecule): default driver on localhost; create/destroy start/stop the simulator.
molecule: collection ## Every molecule scenario (about 1 minute); one: SCENARIO=NAME.
	$(BIN)/molecule test $(if $(SCENARIO),-s $(SCENARIO),--all)

perf: collection ## The benchmarks and their targets (tests/perf/README.md); not part of `make test`.
	$(BIN)/python tests/perf/bench.py

sanity: venv ## ansible-test sanity on a copy of the checkout (about 2 minutes).
	@bash tests/tools/ansible-test-offline.sh $(BIN)/python
	@tree=$$(bash tests/tools/collection-tree.sh copy $(TMP)/sanity) && cd "$$tree" && \
	  $(BIN)/ansible-test sanity --venv --python $$($(BIN)/python -c 'import sys; print("%d.%d" % sys.version_info[:2])') --color no

lint: collection ## ansible-lint, strict, with the production profile and with the default rule set (about 40 s).
	$(BIN)/ansible-lint --offline --strict
	$(BIN)/ansible-lint --offline --strict -c tests/ansible-lint-default.yml

permissions: collection ## Derive what each module needs from IAM (docs/permissions.md, extensions/iam/policies, notes).
	python tests/tools/permissions.py build

docs: collection ## Regenerate the permissions, docs/reference and docs/simulator.md from the plugins and the seed.
	bash tests/tools/docs.sh build

docs-check: collection ## The collection docs lint, and docs/reference and docs/simulator.md up to date (about 20 s).
	bash tests/tools/docs.sh check

docsite: collection ## The documentation site (antsibull-docs + Sphinx, warnings are errors) in .tmp/docsite.
	bash tests/tools/docsite.sh $(TMP)/docsite

# Every maintained ansible-core (2.19 on Python 3.11-3.13, 2.20 and 2.21 on 3.12-3.13, the newest pre-release), each
# in a venv of its own with the run's tarball.
matrix: collection dist ## Every maintained ansible-core on each of its Pythons (about 3 minutes); one cell: MATRIX=2.21-py3.13.
	$(BIN)/python tests/tools/matrix.py $(MATRIX)

# The README's commands, in order, on a fresh clone of this checkout (HEAD).
readme-check: venv ## The README's commands, in order, on a fresh clone of HEAD (about 1 minute).
	$(BIN)/python tests/tools/readme_test.py

changelog-lint: venv ## The changelog fragments lint, and CHANGELOG.rst is what antsibull-changelog generates.
	$(BIN)/antsibull-changelog lint
	@mkdir -p $(TMP) && cp CHANGELOG.rst $(TMP)/CHANGELOG.rst.committed && $(BIN)/antsibull-changelog generate && \
	  if ! diff -u $(TMP)/CHANGELOG.rst.committed CHANGELOG.rst; then \
	    cp $(TMP)/CHANGELOG.rst.committed CHANGELOG.rst; \
	    echo "CHANGELOG.rst is not what antsibull-changelog generates: run 'antsibull-changelog generate'" >&2; exit 1; fi

build-check: dist ## The run's tarball installs, and ansible-doc renders every plugin and role from it.
	bash tests/tools/build-check.sh $(DIST)

# docs/testing-your-playbooks.md as written: the plain playbook test and the molecule scenario of
# docs/examples/testing, with the run's tarball installed into a venv of its own.
testing-guide: dist ## docs/testing-your-playbooks.md as written, on the run's tarball (about 1 minute).
	$(BIN)/python tests/tools/testing_guide.py

# Galaxy's importer on the run's tarball with ansible-doc, ansible-lint and flake8: any warning fails.
galaxy-importer: dist ## Galaxy's importer on the run's tarball, as Galaxy runs it on upload (about 40 s).
	bash tests/tools/galaxy-importer.sh $(DIST)

# The execution environment's build context with the collection built from this checkout (no container engine
# needed): extensions/ee/execution-environment-tarball.yml; build the image from .tmp/ee/context with podman/docker.
ee-context: dist ## The execution environment's build context in .tmp/ee/context, from this checkout's tarball.
	rm -rf $(TMP)/ee && mkdir -p $(TMP)/ee/collection
	cp extensions/ee/execution-environment-tarball.yml extensions/ee/requirements-tarball.yml $(TMP)/ee/
	cp $(DIST) $(TMP)/ee/collection/hwcloud-infra.tar.gz
	cd $(TMP)/ee && $(BIN)/ansible-builder create -f execution-environment-tarball.yml -c context \
	  --output-filename Containerfile

clean: ## Remove the venv and everything under .tmp (caches included).
	rm -rf $(VENV) $(TMP) tests/output
