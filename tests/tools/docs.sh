#!/usr/bin/env bash
# docs.sh build : the IAM permissions (tests/tools/permissions.py: docs/permissions.md, the policy files, each
#                 module's note), then docs/reference from the plugins' and roles' own documentation (antsibull-docs)
# docs.sh check : fail when any of those is not what build writes; lint the collection docs
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
mode=${1:-check}
generate() {
  rm -rf "$1"
  mkdir -p "$1"
  antsibull-docs collection --use-current --squash-hierarchy --output-format simplified-rst \
    --no-add-antsibull-docs-version --fail-on-error --dest-dir "$1" hwcloud.infra >/dev/null
}
cd "$root"
case "$mode" in
  build)
    python tests/tools/permissions.py build
    generate docs/reference
    python tests/tools/seed_doc.py build
    ;;
  check)
    python tests/tools/permissions.py check
    antsibull-docs lint-collection-docs --plugin-docs .
    python tests/tools/seed_doc.py check
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    generate "$work/reference"
    if ! diff -ru docs/reference "$work/reference"; then
      echo "docs/reference is out of date: run 'make docs' and commit the result" >&2
      exit 1
    fi
    echo "docs: collection docs lint clean; docs/reference matches the plugins' documentation"
    ;;
  *)
    echo "usage: $0 build|check" >&2
    exit 2
    ;;
esac
