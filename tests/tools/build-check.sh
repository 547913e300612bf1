#!/usr/bin/env bash
# Build the collection tarball, install it into an empty collections path, and render every plugin's docs from there.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$root"
ansible-galaxy collection build --force --output-path "$work/dist" . >/dev/null
tarball=$(ls "$work"/dist/hwcloud-infra-*.tar.gz)
# The tarball must not carry local build and test outputs.
if tar -tzf "$tarball" | grep -E '(^|/)(\.venv|\.tmp|tests/output|__pycache__|\.git)(/|$)'; then
  echo "build-check: the tarball contains local build or test outputs" >&2
  exit 1
fi
ANSIBLE_COLLECTIONS_PATH="$work/installed" ansible-galaxy collection install --offline -p "$work/installed" "$tarball" >/dev/null
export ANSIBLE_COLLECTIONS_PATH="$work/installed"
count=0
for type in module role; do
  for name in $(ansible-doc -t "$type" --list hwcloud.infra --json 2>/dev/null | python3 -c 'import json,sys; print("\n".join(sorted(json.load(sys.stdin))))'); do
    ansible-doc -t "$type" "$name" >/dev/null
    count=$((count + 1))
  done
done
echo "build-check: $(basename "$tarball") builds and installs; ansible-doc rendered $count plugin(s)"
