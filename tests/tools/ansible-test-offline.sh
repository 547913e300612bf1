#!/usr/bin/env bash
# ansible-test downloads a pip bootstrap script before making its sanity venvs. Try the real download; when it is
# impossible (no internet, only a package index), put the stand-in beside this script in ansible-test's cache.
set -euo pipefail
python=$1
dir=$("$python" -c 'import ansible_test, os; print(os.path.dirname(ansible_test.__file__))')
version=$(grep -hoE "pip='[0-9.]+'" "$dir/_internal/python_requirements.py" | head -1 | tr -dc '0-9.')
if [ -z "$version" ]; then
  echo "ansible-test: cannot tell which pip version ansible-test bootstraps" >&2
  exit 1
fi
cache="$HOME/.ansible/test/cache/get_pip_${version//./_}.py"
if [ -s "$cache" ]; then
  exit 0
fi
mkdir -p "$(dirname "$cache")"
url="https://ci-files.testing.ansible.com/ansible-test/get-pip-${version}.py"
if curl -fsS --max-time 10 "$url" -o "$cache.download" 2>/dev/null; then
  mv "$cache.download" "$cache"
  echo "ansible-test: downloaded the pip bootstrap script $version"
else
  rm -f "$cache.download"
  cp "$(dirname "$0")/ansible-test-get-pip.py" "$cache"
  echo "ansible-test: pip bootstrap download impossible; using the offline stand-in for pip $version"
fi
