# telephony.twilio — every target sets up what it needs on a fresh machine.
#   make test      emulator tests, ansible-test sanity/units/integration (latest ansible-core),
#                  units/integration on the oldest supported ansible-core (test-min)
#   make demo      run playbooks/run_flow.yml on the example inventory against the emulator
#   make chaos     the full fault matrix (100 contacts) of tests/reliability/chaos.py
#   make bench     a campaign with run_flow.yml against an SDK script and Studio's limit, AWX slices
#                  on one account, and the companions' request counts -> tests/bench/RESULTS.md
#                  (about 40 min; BENCH_ARGS="--sizes 100 --window10 '' --latency-sizes '' --scale ''
#                  --reps 1 --slices 2x100 --sequential '' --lookup-contacts 100 --lookup-executions 300"
#                  for a short run; see bench.py --help)
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYENV_ROOT ?= $(shell pyenv root 2>/dev/null || echo $$HOME/.pyenv)
# Python >= 3.12 for the controller (ansible-core 2.21), else python3.
PYTHON ?= $(firstword $(wildcard $(PYENV_ROOT)/versions/3.12*/bin/python3.12 $(PYENV_ROOT)/versions/3.13*/bin/python3.13) $(shell command -v python3.12 python3.13 2>/dev/null) python3)
PYTHON_MIN ?= $(PYTHON)
VENV := .venv
VENV_MIN := .venv-min
INSTALL_PATH ?= $(HOME)/.ansible/collections
# Outside the checkout: ansible-test lists files with git when it finds a repository above it.
BUILD := $(or $(TMPDIR),/tmp)/telephony.twilio-$(shell echo $(CURDIR) | md5sum | cut -c1-8)
# Every Python this machine has, for ansible-test sanity --venv (it only sees PATH).
PYTHON_BINS := $(subst $(eval) ,:,$(wildcard $(PYENV_ROOT)/versions/3.*/bin))
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH):$(PYTHON_BINS)
export ANSIBLE_COLLECTIONS_PATH := $(BUILD)/collections
COLL = $(BUILD)/test/ansible_collections/telephony/twilio
EMULATOR = $(CURDIR)/$(VENV)/bin/python -m studio_emulator.control

.PHONY: help venv venv-min test test-emulator layout sanity units integration test-playbooks reliability lint test-min demo bench bench-export bench-deploy chaos fixtures install clean

help:
	@echo "make test     emulator tests, ansible-test sanity/units/integration, playbook and reliability tests,"
	@echo "              lint, and units/integration on the oldest ansible-core (what CI runs)"
	@echo "make demo     run playbooks/run_flow.yml on the example inventory against the emulator;"
	@echo "              keeps the report and the fact cache in demo-output/"
	@echo "make bench    a campaign against an SDK script and Studio's limit -> tests/bench/RESULTS.md"
	@echo "make chaos    the full fault matrix -> tests/reliability/RESULTS.md"
	@echo "make bench-export  export memory at 250 and 1,000 Executions, resume after a kill -> tests/bench/EXPORT.md"
	@echo "make bench-deploy  deploy_flows.yml requests per Flow: first deploy, reruns, one change -> tests/bench/DEPLOY.md"
	@echo "make fixtures record again the emulator answers the unit tests replay (tests/unit/fixtures/)"
	@echo "make install  build the collection and install it into INSTALL_PATH ($(INSTALL_PATH))"
	@echo "make clean    remove the virtualenvs and build output"

$(VENV)/.done: tests/requirements.txt tests/emulator/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r tests/requirements.txt -e tests/emulator
	touch $@

venv: $(VENV)/.done

$(VENV_MIN)/.done: tests/requirements-min.txt
	$(PYTHON_MIN) -m venv $(VENV_MIN)
	$(VENV_MIN)/bin/pip install -q --upgrade pip
	$(VENV_MIN)/bin/pip install -q -r tests/requirements-min.txt
	touch $@

venv-min: $(VENV_MIN)/.done

test: test-emulator sanity units integration test-playbooks reliability lint test-min
	@echo "make test: all suites passed"

test-emulator: venv
	$(VENV)/bin/python -m pytest -q -p no:cacheprovider tests/emulator/tests

layout: venv
	tests/utils/layout.sh $(BUILD)/test >/dev/null
	tests/utils/seed-get-pip.sh $(VENV)/bin/python

sanity: layout
	cd $(COLL) && ansible-test sanity --venv --color no --requirements

units: layout
	cd $(COLL) && ansible-test units --venv --color no --requirements --python $$($(CURDIR)/$(VENV)/bin/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')

integration: layout
	$(EMULATOR) -- tests/utils/integration.sh $(COLL)

test-playbooks: layout
	ANSIBLE_COLLECTIONS_PATH=$(BUILD)/test $(VENV)/bin/python -m pytest -q -p no:cacheprovider tests/playbooks

# Secrets at -vvvv, TLS, and the fault matrix on 20 contacts (make chaos: 100).
reliability: layout
	ANSIBLE_COLLECTIONS_PATH=$(BUILD)/test $(VENV)/bin/python -m pytest -q -p no:cacheprovider tests/reliability
	ANSIBLE_COLLECTIONS_PATH=$(BUILD)/test $(VENV)/bin/python tests/reliability/chaos.py --contacts 20 --forks 10

CHAOS_ARGS ?=
chaos: layout
	ANSIBLE_COLLECTIONS_PATH=$(BUILD)/test $(VENV)/bin/python tests/reliability/chaos.py --out tests/reliability/RESULTS.md $(CHAOS_ARGS)

lint: layout
	cd $(COLL) && antsibull-changelog lint
	cd $(COLL) && ANSIBLE_COLLECTIONS_PATH=$(BUILD)/test antsibull-docs lint-collection-docs --plugin-docs .
	ANSIBLE_COLLECTIONS_PATH=$(BUILD)/test ansible-lint --offline --profile production playbooks/

test-min: venv-min venv
	tests/utils/layout.sh $(BUILD)/test-min >/dev/null
	tests/utils/seed-get-pip.sh $(VENV_MIN)/bin/python
	cd $(BUILD)/test-min/ansible_collections/telephony/twilio && PATH=$(CURDIR)/$(VENV_MIN)/bin:$$PATH \
	    ansible-test units --venv --color no --requirements --python $$($(CURDIR)/$(VENV_MIN)/bin/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')
	PATH=$(CURDIR)/$(VENV_MIN)/bin:$$PATH $(EMULATOR) -- tests/utils/integration.sh $(BUILD)/test-min/ansible_collections/telephony/twilio

demo: venv
	$(EMULATOR) -- tests/utils/demo.sh

BENCH_ARGS ?=
bench: layout
	$(VENV)/bin/pip install -q -r tests/bench/requirements.txt
	ANSIBLE_COLLECTIONS_PATH=$(BUILD)/test $(VENV)/bin/python tests/bench/bench.py $(BENCH_ARGS)

# Record again the emulator's answers that the unit tests replay (after a change to the emulator).
fixtures: venv
	$(VENV)/bin/python tests/unit/fixtures/record_answers.py

# studio_execution_export: peak memory at 250 and 1,000 Executions, and a resume after SIGKILL -> tests/bench/EXPORT.md
bench-export: layout
	ANSIBLE_COLLECTIONS_PATH=$(BUILD)/test $(VENV)/bin/python tests/bench/export_memory.py

# deploy_flows.yml: requests per Flow and time of a first deploy, reruns and one change -> tests/bench/DEPLOY.md
bench-deploy: layout
	ANSIBLE_COLLECTIONS_PATH=$(BUILD)/test $(VENV)/bin/python tests/bench/deploy_flows.py

install: venv
	$(VENV)/bin/ansible-galaxy collection build --force --output-path $(BUILD) .
	ANSIBLE_COLLECTIONS_PATH=$(INSTALL_PATH) $(VENV)/bin/ansible-galaxy collection install --force \
	    -p $(INSTALL_PATH) $(BUILD)/telephony-twilio-$$(sed -n 's/^version: *//p' galaxy.yml).tar.gz

clean:
	rm -rf $(BUILD) tests/output $(VENV) $(VENV_MIN) *.tar.gz demo-output
