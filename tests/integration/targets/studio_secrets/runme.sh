#!/usr/bin/env bash
# Secrets never reach the output: module calls at -vvvv with distinctive token and secret values,
# given as options and through the process environment (as AWX injects credentials), failing and
# working; everything printed is searched for them.
#
# Not covered, by design: the task keyword `environment:`. At -vvvv Ansible itself prints the
# command line it runs, variables set by `environment:` included; the README says to pass secrets
# as options or in the process environment instead.
set -eu
out="${OUTPUT_DIR:-/tmp}/secrets-vvvv.log"
# Script targets do not get integration_config.yml as extra vars: pass it on.
config=../../integration_config.yml
[ -f "$config" ] || { echo "missing $config (see tests/utils/integration.sh)" >&2; exit 1; }
value() { sed -n "s/^$1: //p" "$config"; }
unset TWILIO_ACCOUNT_SID TWILIO_AUTH_TOKEN TWILIO_API_KEY TWILIO_API_SECRET
: > "$out"
run() {
    if ! "$@" >> "$out" 2>&1; then
        cat "$out"
        exit 1
    fi
}
# (-e KEY=VALUE would be printed at -vvvv as part of the command line: a vars file is not)
printf 'bad_token: Tok3n-Distinct-9f8e7d\n' > "${OUTPUT_DIR:-/tmp}/bad_token.yml"
run ansible-playbook -i "$INVENTORY_PATH" -vvvv -e "@$config" -e "@${OUTPUT_DIR:-/tmp}/bad_token.yml" secrets.yml
TWILIO_API_KEY="$(value api_key)" TWILIO_API_SECRET=Secr3t-Distinct-1a2b3c \
    run ansible-playbook -i "$INVENTORY_PATH" -vvvv -e "@$config" -e expect=failure env.yml
TWILIO_ACCOUNT_SID="$(value account_sid)" TWILIO_AUTH_TOKEN="$(value auth_token)" \
    run ansible-playbook -i "$INVENTORY_PATH" -vvvv -e "@$config" -e expect=success env.yml
grep -q 'Authentication failed' "$out"
[ "$(grep -c 'All assertions passed' "$out")" -ge 3 ]
for secret in Tok3n-Distinct-9f8e7d Secr3t-Distinct-1a2b3c "$(value auth_token)" "$(value api_secret)"; do
    if grep -n -- "$secret" "$out"; then
        echo "FAIL: a secret appears in the -vvvv output" >&2
        exit 1
    fi
done
echo "no secret in $(wc -l < "$out") lines of -vvvv output"
