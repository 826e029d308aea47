# telephony.twilio — every target sets up what it needs on a fresh machine.
#   make check     the quick gate: sanity on the newest ansible-core (controller Python), units, lint
#   make test      emulator tests, ansible-test sanity/units/integration (latest ansible-core),
#                  playbook and reliability tests, lint, sanity on ansible-core 2.16, 2.18 and 2.20
#                  (sanity-cores), units/integration on the oldest supported ansible-core (test-min)
#   make importer  galaxy-importer on the built tarball, as Galaxy and Automation Hub run it
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
VENV_IMPORTER := .venv-importer
# ansible-core versions whose sanity runs in make test besides the newest (.venv): 2.16 in .venv-min,
# the others in .venv-<version>, each on the controller Python only (the newest core's sanity
# covers every module Python).
SANITY_CORES := 2.16 2.18 2.20
core_venv = $(if $(filter 2.16,$(1)),$(VENV_MIN),.venv-$(1))
INSTALL_PATH ?= $(HOME)/.ansible/collections
# Outside the checkout: ansible-test lists files with git when it finds a repository above it.
BUILD := $(or $(TMPDIR),/tmp)/telephony.twilio-$(shell echo $(CURDIR) | md5sum | cut -c1-8)
# Every Python this machine has, for ansible-test sanity --venv (it only sees PATH).
PYTHON_BINS := $(subst $(eval) ,:,$(wildcard $(PYENV_ROOT)/versions/3.*/bin))
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH):$(PYTHON_BINS)
export ANSIBLE_COLLECTIONS_PATH := $(BUILD)/collections
COLL = $(BUILD)/test/ansible_collections/telephony/twilio
EMULATOR = $(CURDIR)/$(VENV)/bin/python -m studio_emulator.launcher
PYVER = $$($(CURDIR)/$(VENV)/bin/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')
# Programs whose absence would make a check skip instead of run (installed from Debian when root).
REQUIRE = $(CURDIR)/tests/utils/require-program.sh

.PHONY: help venv venv-min check test test-emulator layout sanity sanity-quick sanity-cores importer check-ansible-test check-lint test-suites layout-cores units integration test-playbooks reliability lint test-min demo bench bench-export bench-deploy bench-report chaos fixtures install clean

help:
	@echo "make check    the quick gate: sanity on the newest ansible-core, units, lint (a few minutes)"
	@echo "make test     emulator tests, ansible-test sanity/units/integration, playbook and reliability tests,"
	@echo "              lint, sanity on ansible-core $(SANITY_CORES), units/integration on the oldest"
	@echo "              ansible-core (what CI runs)"
	@echo "make importer galaxy-importer (with ansible-lint) on the built tarball, as Galaxy/Automation Hub run it"
	@echo "make demo     run playbooks/run_flow.yml on the example inventory against the emulator;"
	@echo "              keeps the report and the fact cache in demo-output/"
	@echo "make bench    a campaign against an SDK script and Studio's limit -> tests/bench/RESULTS.md"
	@echo "make chaos    the full fault matrix -> tests/reliability/RESULTS.md"
	@echo "make bench-export  export memory at 250 and 1,000 Executions, resume after a kill -> tests/bench/EXPORT.md"
	@echo "make bench-deploy  deploy_flows.yml requests per Flow: first deploy, reruns, one change -> tests/bench/DEPLOY.md"
	@echo "make bench-report  report page size and render time (200, 5,000 contacts), memory from an export -> tests/bench/REPORT.md"
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

# Event-Driven Ansible: ruff and pylint on extensions/eda/plugins, the studio_events source's
# tests, and a real ansible-rulebook fed by the emulator (Java 17+: found, or installed).
$(VENV)/.eda-done: tests/requirements-eda.txt $(VENV)/.done
	$(VENV)/bin/pip install -q -r tests/requirements-eda.txt
	touch $@

.PHONY: test-eda
test-eda: layout $(VENV)/.eda-done
	cd extensions/eda && $(CURDIR)/$(VENV)/bin/ruff check plugins
	$(VENV)/bin/pylint --max-line-length 100 extensions/eda/plugins
	JAVA_HOME=$$(tests/utils/find-java.sh) ANSIBLE_COLLECTIONS_PATH=$(BUILD)/test \
	    $(VENV)/bin/python -m pytest -q -p no:cacheprovider tests/eda

# The other ansible-core versions of SANITY_CORES (2.16 is .venv-min).
.PRECIOUS: .venv-%/.done
.venv-%/.done:
	$(PYTHON) -m venv .venv-$*
	.venv-$*/bin/pip install -q --upgrade pip
	.venv-$*/bin/pip install -q "ansible-core>=$*,<$(word 1,$(subst ., ,$*)).$(shell echo $$(( $(word 2,$(subst ., ,$*)) + 1 )))"
	touch $@

$(VENV_IMPORTER)/.done: tests/requirements-importer.txt
	$(PYTHON) -m venv $(VENV_IMPORTER)
	$(VENV_IMPORTER)/bin/pip install -q --upgrade pip
	$(VENV_IMPORTER)/bin/pip install -q -r tests/requirements-importer.txt
	touch $@

# ansible-test (sanity on the controller Python, then units) beside lint: two processes, two cores.
check: layout
	$(REQUIRE) shellcheck shellcheck >/dev/null
	$(MAKE) --no-print-directory -j2 -Otarget check-ansible-test check-lint
	@echo "make check: sanity (newest ansible-core), units and lint passed"

# Run by check after layout (not on their own).
check-ansible-test:
	$(run-sanity-quick)
	$(run-units)

check-lint:
	$(run-lint)

# The suites one after the other, and beside them (in their own layout, output at the end) the
# sanity runs on the older ansible-core versions and galaxy-importer on the built tarball (the checks
# a certifier runs): the suites wait on the emulator and Studio's pace much of the time.
test: venv venv-min $(foreach core,$(SANITY_CORES),$(call core_venv,$(core))/.done) $(VENV_IMPORTER)/.done
	mkdir -p $(BUILD)
	$(REQUIRE) shellcheck shellcheck >/dev/null
	$(REQUIRE) chromium chromium chromium-browser >/dev/null
	$(MAKE) --no-print-directory sanity-cores importer > $(BUILD)/sanity-cores.log 2>&1 & cores=$$!; \
	if $(MAKE) --no-print-directory test-suites; then suites=0; else suites=$$?; fi; \
	if wait $$cores; then status=0; else status=$$?; fi; \
	echo "== sanity on ansible-core $(SANITY_CORES) and galaxy-importer (beside the suites above; $(BUILD)/sanity-cores.log)"; \
	cat $(BUILD)/sanity-cores.log; \
	if [ $$suites -ne 0 ] || [ $$status -ne 0 ]; then echo "make test: FAILED (suites: $$suites, sanity on older cores: $$status)"; exit 1; fi
	@echo "make test: all suites passed"

test-suites: test-emulator test-eda sanity units integration test-playbooks reliability lint test-min

test-emulator: venv
	$(VENV)/bin/python -m pytest -q -p no:cacheprovider tests/emulator/tests

layout: venv
	tests/utils/layout.sh $(BUILD)/test >/dev/null
	tests/utils/seed-get-pip.sh $(VENV)/bin/python

# Every Python found (pyenv's are on PATH) for the module-side tests.
sanity: layout
	$(REQUIRE) shellcheck shellcheck >/dev/null
	cd $(COLL) && ansible-test sanity --venv --color no --requirements

# The controller Python only (make check).
define run-sanity-quick
cd $(COLL) && ansible-test sanity --venv --color no --requirements --python $(PYVER)
endef
sanity-quick: layout
	$(REQUIRE) shellcheck shellcheck >/dev/null
	$(run-sanity-quick)

# In a layout of their own ($(BUILD)/test-cores), so that they can run beside the other suites.
COLL_CORES = $(BUILD)/test-cores/ansible_collections/telephony/twilio
sanity-cores: $(addprefix sanity-core-,$(SANITY_CORES))

layout-cores: venv
	tests/utils/layout.sh $(BUILD)/test-cores >/dev/null

.SECONDEXPANSION:
sanity-core-%: layout-cores $$(call core_venv,$$*)/.done
	@echo "== ansible-test sanity on ansible-core $*"
	tests/utils/seed-get-pip.sh $(call core_venv,$*)/bin/python
	$(REQUIRE) shellcheck shellcheck >/dev/null
	cd $(COLL_CORES) && PATH=$(CURDIR)/$(call core_venv,$*)/bin:$$PATH ansible-test sanity --venv --color no --requirements --python $(PYVER)

define run-units
cd $(COLL) && ansible-test units --venv --color no --requirements --python $(PYVER)
endef
units: layout
	$(run-units)

integration: layout
	$(EMULATOR) -- tests/utils/integration.sh $(COLL)

# Headless Chromium for the report page check, installed when missing: the check never skips.
# Two pytest workers (each with its own emulator): the tests wait on Studio's pace much of the time.
PLAYBOOK_WORKERS ?= 2
test-playbooks: layout
	chromium=$${CHROMIUM:-$$($(REQUIRE) chromium chromium chromium-browser)}; \
	CHROMIUM=$$chromium ANSIBLE_COLLECTIONS_PATH=$(BUILD)/test $(VENV)/bin/python -m pytest -q -rs -p no:cacheprovider \
		-n $(PLAYBOOK_WORKERS) tests/playbooks

# Secrets at -vvvv, TLS, and the fault matrix on 20 contacts (make chaos: 100).
reliability: layout
	ANSIBLE_COLLECTIONS_PATH=$(BUILD)/test $(VENV)/bin/python -m pytest -q -p no:cacheprovider tests/reliability
	ANSIBLE_COLLECTIONS_PATH=$(BUILD)/test $(VENV)/bin/python tests/reliability/chaos.py --contacts 20 --forks 10

CHAOS_ARGS ?=
chaos: layout
	ANSIBLE_COLLECTIONS_PATH=$(BUILD)/test $(VENV)/bin/python tests/reliability/chaos.py --out tests/reliability/RESULTS.md $(CHAOS_ARGS)

# ansible-lint on the whole checkout (.ansible-lint says what it leaves out and why).
define run-lint
cd $(COLL) && antsibull-changelog lint
cd $(COLL) && ANSIBLE_COLLECTIONS_PATH=$(BUILD)/test antsibull-docs lint-collection-docs --plugin-docs .
ANSIBLE_COLLECTIONS_PATH=$(BUILD)/test ansible-lint --offline --profile production
endef
lint: layout
	$(run-lint)

# galaxy-importer on the built tarball with ansible-lint on (tests/utils/galaxy-importer.cfg: as a
# certifier runs it, version 1.0.0 or later required); fails on any error or warning it logs.
importer: venv $(VENV_IMPORTER)/.done
	rm -rf $(BUILD)/importer && mkdir -p $(BUILD)/importer
	$(VENV)/bin/ansible-galaxy collection build --force --output-path $(BUILD)/importer .
	cd $(BUILD)/importer && GALAXY_IMPORTER_CONFIG=$(CURDIR)/tests/utils/galaxy-importer.cfg \
	    PATH=$(CURDIR)/$(VENV_IMPORTER)/bin:$$PATH $(CURDIR)/$(VENV_IMPORTER)/bin/python -m galaxy_importer.main \
	    telephony-twilio-*.tar.gz 2>&1 | tee importer.log
	! grep -E '^(WARNING|ERROR)' $(BUILD)/importer/importer.log
	@echo "make importer: galaxy-importer passed with no warnings"

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

# The report page: size and headless Chromium render time at 200 and 5,000 contacts, peak memory of
# the page from exports of 2,000 and 20,000 lines -> tests/bench/REPORT.md (about a minute)
bench-report: layout
	ANSIBLE_COLLECTIONS_PATH=$(BUILD)/test $(VENV)/bin/python tests/bench/report_page.py

install: venv
	$(VENV)/bin/ansible-galaxy collection build --force --output-path $(BUILD) .
	ANSIBLE_COLLECTIONS_PATH=$(INSTALL_PATH) $(VENV)/bin/ansible-galaxy collection install --force \
	    -p $(INSTALL_PATH) $(BUILD)/telephony-twilio-$$(sed -n 's/^version: *//p' galaxy.yml).tar.gz

clean:
	rm -rf $(BUILD) tests/output $(VENV) $(VENV_IMPORTER) $(foreach core,$(SANITY_CORES),$(call core_venv,$(core))) *.tar.gz demo-output
