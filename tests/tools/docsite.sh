#!/usr/bin/env bash
# docsite.sh DIR: the collection's documentation site, rendered by antsibull-docs and Sphinx into DIR/build/html.
# Warnings are errors (antsibull-docs --fail-on-error, sphinx-build -W). The steps are those of the build.sh that
# `antsibull-docs sphinx-init` writes, with one more between them: references to ansible-core's documentation
# resolve from a local inventory (docsite_inventory.py), never from the network.
set -euo pipefail
dest=$1
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$dest"
mkdir -p "$dest"
antsibull-docs sphinx-init --use-current --squash-hierarchy --fail-on-error --dest-dir "$dest" \
  --project hwcloud.infra --title "hwcloud.infra" --copyright "hwcloud.infra contributors" hwcloud.infra >/dev/null
cd "$dest"
mkdir -p rst
chmod og-w rst
{
  antsibull-docs --config-file antsibull-docs.cfg collection --cleanup everything --fail-on-error --use-current \
    --squash-hierarchy --dest-dir rst hwcloud.infra &&
  python "$here/docsite_inventory.py" . &&
  sphinx-build -M html rst build -c . -W --keep-going
} >build.log 2>&1 || { tail -40 build.log >&2; echo "docsite: the build failed (log: $dest/build.log)" >&2; exit 1; }
pages=$(find build/html -name '*.html' | wc -l)
for page in index.html modelarts_devserver_eip_module.html imetal_readdress_role.html huaweicloud_inventory.html; do
  test -s "build/html/$page" || { echo "docsite: $page missing" >&2; exit 1; }
done
echo "docsite: $pages pages in $dest/build/html, no warnings"
