#!/usr/bin/env bash
# make demo: build and install the collection, run playbooks/run_flow.yml on the example inventory
# against the emulator at $STUDIO_EMULATOR_URL, show the summary, one contact's facts and the
# report, then run it again to show that nothing changes.
set -euo pipefail
: "${STUDIO_EMULATOR_URL:?run me under python -m studio_emulator.control (make demo does)}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/telephony-twilio-demo.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cd "$root"

echo "== build and install the collection"
ansible-galaxy collection build --force --output-path "$work" . | tail -n1
ansible-galaxy collection install -p "$work/collections" "$work"/telephony-twilio-*.tar.gz | tail -n1

export ANSIBLE_COLLECTIONS_PATH="$work/collections"
export ANSIBLE_CACHE_PLUGIN=jsonfile ANSIBLE_CACHE_PLUGIN_CONNECTION="$work/facts"
export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0
# The emulator's demo credentials, as AWX would inject them
export TWILIO_STUDIO_URL="$STUDIO_EMULATOR_URL"
export TWILIO_ACCOUNT_SID=AC0123456789abcdef0123456789abcdef TWILIO_AUTH_TOKEN=emulator-auth-token

echo
echo "== first run: one Execution per contact, gathered as facts"
ansible-playbook -i playbooks/inventory/emulator.yml playbooks/run_flow.yml \
    -e studio_report_path="$work/report.csv" | grep -E ': (FN|\(none\))|PLAY RECAP|ok=' | sed 's/^ */    /'

echo
echo "== the facts of contact +15551230001 (jsonfile fact cache)"
ANSIBLE_DEPRECATION_WARNINGS=0 ansible -i playbooks/inventory/emulator.yml '+15551230001' -c local -m ansible.builtin.debug -a \
    'msg={{ {"studio_execution": ansible_facts.studio_execution.sid ~ " " ~ ansible_facts.studio_execution.status ~ " created " ~ ansible_facts.studio_execution.date_created, "studio_context.flow.data": ansible_facts.studio_context.flow.data, "studio_context.widgets.ask_rating.outbound.Body": ansible_facts.studio_context.widgets.ask_rating.outbound.Body, "studio_steps": ansible_facts.studio_steps | map(attribute="transitioned_to") | list} }}' \
    | sed 's/^/    /'

echo
echo "== report ($work/report.csv)"
cat "$work/report.csv"

echo
echo "== second run: the contacts' Executions are still active (waiting for replies): nothing changes"
ansible-playbook -i playbooks/inventory/emulator.yml playbooks/run_flow.yml | grep -E 'PLAY RECAP|ok='
