#!/usr/bin/env bash
# Make sure ansible-test can bootstrap pip into its virtual environments: when the official
# bootstrap script cannot be downloaded, seed ansible-test's cache with tests/utils/get_pip_standin.py.
# Usage: seed-get-pip.sh PYTHON   (the Python whose ansible-test will run)
set -eu
python="$1"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="$("$python" -c 'import ansible_test, os; print(os.path.dirname(ansible_test.__file__))')"
version="$(grep -ho "pip='[0-9.]*'" "$src/_internal/python_requirements.py" | head -n1 | cut -d"'" -f2)"
[ -n "$version" ] || { echo "seed-get-pip: cannot find the pip version ansible-test bootstraps" >&2; exit 1; }
cache="$HOME/.ansible/test/cache/get_pip_${version//./_}.py"
if [ -s "$cache" ]; then
    exit 0
fi
mkdir -p "$(dirname "$cache")"
url="https://ci-files.testing.ansible.com/ansible-test/get-pip-$version.py"
if curl -fsSL --max-time 20 -o "$cache.download" "$url" 2>/dev/null; then
    mv "$cache.download" "$cache"
    echo "seed-get-pip: downloaded the pip $version bootstrap script"
else
    rm -f "$cache.download"
    cp "$here/get_pip_standin.py" "$cache"
    echo "seed-get-pip: $url is unreachable; seeded $cache with the ensurepip stand-in"
fi
