#!/usr/bin/env bash
# A program a check of `make test` needs, so that the check runs instead of being skipped:
# prints the path of the first PROGRAM found on PATH; when none is, installs the Debian package
# PACKAGE if root (apt-get update + install), else fails and says what to install.
# Usage: require-program.sh PACKAGE PROGRAM...
#   tests/utils/require-program.sh chromium chromium chromium-browser   (the report page check)
#   tests/utils/require-program.sh shellcheck shellcheck                (ansible-test sanity)
set -euo pipefail
package="$1"
shift
find_program() {
    local name
    for name in "$@"; do
        command -v "$name" && return 0
    done
    return 1
}
if find_program "$@"; then
    exit 0
fi
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "require-program.sh: installing Debian's $package package" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 || true
    apt-get install -y -qq -o DPkg::Lock::Timeout=300 --no-install-recommends "$package" >&2 || true
    if find_program "$@"; then
        exit 0
    fi
fi
echo "require-program.sh: make test needs $* (Debian package $package) and none was found;" \
     "install it as root (apt-get install $package)." >&2
exit 1
