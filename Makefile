# hwcloud.infra: `make test` is the one command that installs and runs every check (see README.md).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
TMP := $(CURDIR)/.tmp
COLLECTIONS := $(TMP)/collections
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export ANSIBLE_LOCAL_TEMP := $(TMP)/ansible-local
export PATH := $(BIN):$(PATH)

.PHONY: test demo perf venv collection units integration molecule sanity lint docs docs-check changelog-lint build-check clean

test:
	@start=$$(date +%s); \
	$(MAKE) --no-print-directory venv collection units integration molecule sanity lint docs-check changelog-lint build-check; \
	echo "make test: all checks passed in $$(( $$(date +%s) - start )) s"

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt tests/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -r tests/requirements.txt
	touch $@

collection: venv
	@bash tests/tools/collection-tree.sh link $(COLLECTIONS) >/dev/null

# pytest exits 5 when it collects nothing: that is a broken suite layout, and make fails on it like on any error.
units: collection
	$(BIN)/python -m pytest tests/unit -p no:cacheprovider -q -ra

# Integration targets (tests/integration/targets) against a simulator the runner starts and stops itself.
integration: collection
	$(BIN)/python tests/integration/run.py

# The demo: simulator up, playbooks/demo.yml twice (the second run reports changed=0), simulator down.
demo: collection
	$(BIN)/python tests/tools/demo.py

# Molecule scenarios (extensions/molecule): default driver on localhost; create/destroy start/stop the simulator.
molecule: collection
	$(BIN)/molecule test --all

# Benchmarks with their speed and memory targets (tests/perf/README.md); not part of `make test`.
perf: collection
	$(BIN)/python tests/perf/bench.py

sanity: venv
	@bash tests/tools/ansible-test-offline.sh $(BIN)/python
	@tree=$$(bash tests/tools/collection-tree.sh copy $(TMP)/sanity) && cd "$$tree" && \
	  $(BIN)/ansible-test sanity --venv --python 3.11 --color no

lint: collection
	$(BIN)/ansible-lint --offline

# docs/reference is generated from the plugins' own documentation: `make docs` rebuilds it, docs-check verifies it.
docs: collection
	bash tests/tools/docs.sh build

docs-check: collection
	bash tests/tools/docs.sh check

changelog-lint: venv
	$(BIN)/antsibull-changelog lint

build-check: venv
	bash tests/tools/build-check.sh

clean:
	rm -rf $(VENV) $(TMP) tests/output
