#!/usr/bin/env bash
# Lay the checkout out where ansible-test wants it: DIR/ansible_collections/telephony/twilio.
# Copies the working tree (not .git, virtualenvs or test output), so uncommitted work is tested.
# Usage: layout.sh DIR  -> prints the collection path
set -eu
dest="$1/ansible_collections/telephony/twilio"
src="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
mkdir -p "$dest"
tar -C "$src" --exclude=./.git --exclude='./.venv*' --exclude=./tests/output --exclude=__pycache__ \
    --exclude=.pytest_cache --exclude='./*.tar.gz' --exclude=./tests/bench/out --exclude=./tests/reliability/out \
    --exclude=./tests/integration/integration_config.yml --exclude=./build --exclude=./context --exclude=./demo-output --exclude='*.egg-info' -cf - . \
    | (rm -rf "$dest" && mkdir -p "$dest" && tar -C "$dest" -xf -)
echo "$dest"
