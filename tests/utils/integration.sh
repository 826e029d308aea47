#!/usr/bin/env bash
# Run ansible-test integration in collection copy $1 against the emulator at $STUDIO_EMULATOR_URL
# (started by studio_emulator.launcher, which stops it afterwards). Extra arguments go to ansible-test.
set -eu
coll="$1"; shift
: "${STUDIO_EMULATOR_URL:?run me under python -m studio_emulator.launcher}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# Integration plays do not see the environment: everything they need goes in integration_config.yml.
cat > "$coll/tests/integration/integration_config.yml" <<YAML
---
studio_url: $STUDIO_EMULATOR_URL
emulator_url: $STUDIO_EMULATOR_URL
account_sid: AC0123456789abcdef0123456789abcdef
auth_token: emulator-auth-token
api_key: SK0123456789abcdef0123456789abcdef
api_secret: emulator-api-secret
emulator_dir: $(cd "$here/../emulator" && pwd)
YAML
cd "$coll"
exec ansible-test integration --color no "$@"
