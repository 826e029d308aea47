#!/usr/bin/env bash
# make demo: build and install the collection, run playbooks/run_flow.yml on the example inventory
# against the emulator at $STUDIO_EMULATOR_URL, show the summary, one contact's facts and the
# report, then run it again to show that nothing changes. What it makes stays in demo-output/.
set -euo pipefail
: "${STUDIO_EMULATOR_URL:?run me under python -m studio_emulator.launcher (make demo does)}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="$root/demo-output"
rm -rf "$out"
mkdir -p "$out"
cd "$root"

# Where the collection is installed is where Ansible looks for it (no "not configured" warning).
export ANSIBLE_COLLECTIONS_PATH="$out/collections"
export ANSIBLE_CACHE_PLUGIN=jsonfile ANSIBLE_CACHE_PLUGIN_CONNECTION="$out/facts"
export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 ANSIBLE_DEPRECATION_WARNINGS=0
# The emulator's demo credentials, as AWX would inject them
export TWILIO_STUDIO_URL="$STUDIO_EMULATOR_URL"
export TWILIO_ACCOUNT_SID=AC0123456789abcdef0123456789abcdef TWILIO_AUTH_TOKEN=emulator-auth-token

echo "== build and install the collection into $out/collections"
ansible-galaxy collection build --force --output-path "$out" . | tail -n1
ansible-galaxy collection install -p "$out/collections" "$out"/telephony-twilio-*.tar.gz | tail -n1

echo
echo "== first run: one Execution per contact, gathered as facts (campaign key demo-1)"
ansible-playbook telephony.twilio.run_flow -i playbooks/inventory/emulator.yml \
    -e studio_campaign=demo-1 -e studio_report_path="$out/report.csv" \
    | grep -E '^ +"|Report written|PLAY RECAP|ok=' | sed 's/^ */    /'

echo
echo "== the facts of contact +15551230001 (jsonfile fact cache in $out/facts)"
ansible -i playbooks/inventory/emulator.yml '+15551230001' -c local -m ansible.builtin.debug -a \
    'msg={{ {"studio_execution": ansible_facts.studio_execution.sid ~ " " ~ ansible_facts.studio_execution.status ~ " created " ~ ansible_facts.studio_execution.date_created, "studio_context.flow.data": ansible_facts.studio_context.flow.data, "studio_steps": ansible_facts.studio_steps | map(attribute="transitioned_to") | list} }}' \
    | sed 's/^/    /'

echo
echo "== report ($out/report.csv)"
cat "$out/report.csv"

echo
echo "== second run with the same campaign key: nobody is triggered again"
ansible-playbook telephony.twilio.run_flow -i playbooks/inventory/emulator.yml -e studio_campaign=demo-1 \
    | grep -E '^ +"[0-9]+ contacts|already|PLAY RECAP|ok=' | sed 's/^ */    /'

echo
echo "== three contacts answer the survey; gather where everybody is now, with the HTML report"
for reply in "+15551230001 5" "+15551230002 4" "+15551230003 great, thanks"; do
    curl -sf -o /dev/null -X POST "$STUDIO_EMULATOR_URL/__emulator__/reply" --data-urlencode "flow=Customer survey" \
        --data-urlencode "to=${reply%% *}" --data-urlencode "body=${reply#* }"
done
ansible-playbook telephony.twilio.gather_facts -i playbooks/inventory/emulator.yml \
    -e studio_report_path="$out/report.html" | grep -E 'Report written|PLAY RECAP|ok=' | sed 's/^ */    /'

echo
echo "== the report page (totals, the funnel of the Flow, where contacts stopped, their answers, every contact):"
echo "    file://$out/report.html   - open it in a browser; it works offline"
echo
echo "== kept in $out: report.html, report.csv, facts/ (the fact cache), collections/ (the installed collection)"
