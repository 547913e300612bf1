#!/usr/bin/env bash
# docsite.sh DIR: the collection's documentation site, rendered by antsibull-docs and Sphinx into DIR/build/html.
# Warnings are errors (antsibull-docs --fail-on-error, sphinx-build -W).
set -euo pipefail
dest=$1
rm -rf "$dest"
mkdir -p "$dest"
antsibull-docs sphinx-init --use-current --squash-hierarchy --fail-on-error --dest-dir "$dest" \
  --project hwcloud.infra --title "hwcloud.infra" --copyright "hwcloud.infra contributors" hwcloud.infra >/dev/null
# Offline: references to ansible-core's documentation resolve from a local inventory, never from the network.
python "$(dirname "$0")/docsite_inventory.py" "$dest"
cd "$dest"
./build.sh >build.log 2>&1 || { tail -40 build.log >&2; echo "docsite: the build failed (log: $dest/build.log)" >&2; exit 1; }
pages=$(find build/html -name '*.html' | wc -l)
for page in index.html modelarts_devserver_eip_module.html imetal_readdress_role.html; do
  test -s "build/html/$page" || { echo "docsite: $page missing" >&2; exit 1; }
done
echo "docsite: $pages pages in $dest/build/html, no warnings"
