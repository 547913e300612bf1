#!/usr/bin/env bash
# build-check.sh TARBALL: the run's tarball (tests/tools/dist.sh, which checks what it holds) installs into an empty
# collections path, and ansible-doc renders every plugin and role from there.
set -euo pipefail
tarball=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ANSIBLE_COLLECTIONS_PATH="$work/installed" ansible-galaxy collection install --offline -p "$work/installed" "$tarball" >/dev/null
export ANSIBLE_COLLECTIONS_PATH="$work/installed"
count=0
for type in module role inventory; do
  names=$(ansible-doc -t "$type" --list hwcloud.infra --json 2>/dev/null | python3 -c 'import json,sys; print("\n".join(sorted(json.load(sys.stdin))))')
  [ -n "$names" ] || { echo "build-check: no $type in the installed collection" >&2; exit 1; }
  # One ansible-doc for all the plugins of a type; each must come back with its documentation (ansible-doc only
  # warns about one it cannot render).
  # shellcheck disable=SC2086
  ansible-doc -t "$type" --json $names 2>"$work/stderr" | python3 -c '
import json, sys
docs, names = json.load(sys.stdin), sys.argv[1:]
missing = [n for n in names if not ((docs.get(n) or {}).get("doc") or (docs.get(n) or {}).get("entry_points"))]
sys.exit("build-check: ansible-doc rendered no documentation for %s" % ", ".join(missing) if missing else 0)
' $names || { cat "$work/stderr" >&2; exit 1; }
  count=$((count + $(wc -w <<< "$names")))
done
echo "build-check: $(basename "$tarball") installs; ansible-doc rendered $count plugin(s) and role(s)"
