#!/usr/bin/env bash
# dist.sh TARBALL: the run's one collection tarball, which the build check, Galaxy's importer, the testing guide, the
# version matrix and the execution environment's context use. It is built with test and tool caches planted at the
# top and deep in the tree, as test runs leave them, and fails when any of them (or any other local output) reaches
# it. It is built again only when the checkout's files changed (their contents, not their times), and replaced
# atomically, so steps that run side by side never see half a tarball.
set -euo pipefail
dist=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
stamp="$dist.sources"
sources=$(git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
  [ -f "$f" ] && printf '%s\0' "$f"; done | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
if [ -s "$dist" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$sources" ]; then
  echo "dist: $(basename "$dist") is up to date with the checkout"
  exit 0
fi
work=$(mktemp -d)
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
ansible-galaxy collection build --force --output-path "$work/dist" . >/dev/null
built=$(ls "$work"/dist/hwcloud-infra-*.tar.gz)
if [ "$(basename "$built")" != "$(basename "$dist")" ]; then
  echo "dist: built $(basename "$built"), expected $(basename "$dist") (galaxy.yml's version)" >&2
  exit 1
fi
# The tarball must not carry local build and test outputs, nor any test or tool cache at any depth.
if tar -tzf "$built" | grep -E '(^|/)(\.venv|\.tmp|tests/output|docsite|\.git|__pycache__|\.hypothesis|\.pytest_cache|\.mypy_cache|\.ruff_cache|\.tox|\.cache|\.coverage|htmlcov|ansible-navigator\.(log|yml))(/|$)|\.pyc$|-artifact-[^/]*\.json$'; then
  echo "dist: the tarball contains local build or test outputs (listed above)" >&2
  exit 1
fi
mkdir -p "$(dirname "$dist")"
mv "$built" "$dist.new" && mv "$dist.new" "$dist"
echo "$sources" > "$stamp"
echo "dist: $(basename "$dist") built, no local output in it ($(tar -tzf "$dist" | wc -l) entries)"
