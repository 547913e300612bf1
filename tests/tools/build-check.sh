#!/usr/bin/env bash
# Build the collection tarball, install it into an empty collections path, and render every plugin's docs from there.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
# Test and tool caches planted at the top and deep in the tree, as test runs leave them: the build must drop them.
caches=(.hypothesis .pytest_cache __pycache__ .mypy_cache .ruff_cache .cache)
planted=()
for cache in "${caches[@]}"; do
  for dir in "$root" "$root/tests/unit/plugins"; do
    if [ ! -e "$dir/$cache" ]; then
      mkdir -p "$dir/$cache" && touch "$dir/$cache/build-check-probe" && planted+=("$dir/$cache")
    fi
  done
done
# ansible-navigator's playbook artifacts and log, as a run from the checkout without its settings leaves them.
for f in "$root/playbooks/provision-artifact-2026-01-01T00:00:00.000000+00:00.json" "$root/ansible-navigator.log"; do
  if [ ! -e "$f" ]; then echo '{}' > "$f" && planted+=("$f"); fi
done
cleanup() { rm -rf "$work"; for p in "${planted[@]}"; do rm -rf "$p"; done; }
trap cleanup EXIT
cd "$root"
ansible-galaxy collection build --force --output-path "$work/dist" . >/dev/null
tarball=$(ls "$work"/dist/hwcloud-infra-*.tar.gz)
# The tarball must not carry local build and test outputs, nor any test or tool cache at any depth.
if tar -tzf "$tarball" | grep -E '(^|/)(\.venv|\.tmp|tests/output|docsite|\.git|__pycache__|\.hypothesis|\.pytest_cache|\.mypy_cache|\.ruff_cache|\.tox|\.cache|\.coverage|htmlcov|ansible-navigator\.(log|yml))(/|$)|\.pyc$|-artifact-[^/]*\.json$'; then
  echo "build-check: the tarball contains local build or test outputs (listed above)" >&2
  exit 1
fi
ANSIBLE_COLLECTIONS_PATH="$work/installed" ansible-galaxy collection install --offline -p "$work/installed" "$tarball" >/dev/null
export ANSIBLE_COLLECTIONS_PATH="$work/installed"
count=0
for type in module role inventory; do
  for name in $(ansible-doc -t "$type" --list hwcloud.infra --json 2>/dev/null | python3 -c 'import json,sys; print("\n".join(sorted(json.load(sys.stdin))))'); do
    ansible-doc -t "$type" "$name" >/dev/null
    count=$((count + 1))
  done
done
echo "build-check: $(basename "$tarball") builds and installs; ansible-doc rendered $count plugin(s)"
