#!/usr/bin/env bash
# galaxy-importer.sh TARBALL: Galaxy's importer (what Galaxy and Automation Hub run on upload) on the run's tarball,
# with ansible-doc, ansible-lint and flake8 on: any WARNING or ERROR line it logs fails the check (colour codes
# stripped).
set -euo pipefail
tarball=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/galaxy-importer.cfg" <<CFG
[galaxy-importer]
RUN_ANSIBLE_DOC = True
RUN_ANSIBLE_LINT = True
OFFLINE_ANSIBLE_LINT = True
RUN_FLAKE8 = True
RUN_ANSIBLE_TEST = False
CHECK_CHANGELOG = True
ANSIBLE_LOCAL_TMP = $work/ansible-tmp
TMP_ROOT_DIR = $work
CFG
mkdir -p "$work/ansible-tmp"
set +e
(cd "$work" && GALAXY_IMPORTER_CONFIG="$work/galaxy-importer.cfg" python -m galaxy_importer.main "$tarball") \
  > "$work/importer.log" 2>&1
rc=$?
set -e
sed -i 's/\x1b\[[0-9;]*m//g' "$work/importer.log"
problems=$(grep -E '^(WARNING|ERROR)|^\S+: (WARNING|ERROR)' "$work/importer.log" || true)
if [ "$rc" -ne 0 ] || [ -n "$problems" ] || ! grep -q "Importer processing completed successfully" "$work/importer.log"; then
  cat "$work/importer.log"
  echo "galaxy-importer: $(basename "$tarball") is not clean (exit $rc; the WARNING/ERROR lines above)" >&2
  exit 1
fi
echo "galaxy-importer: $(basename "$tarball") imports cleanly (ansible-doc, ansible-lint, flake8: no warning)"
