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
# Install instructions that work: the collection is installed from its tarball (a release, or built from the
# repository), and its address is the repository.
version=$(python -c 'import yaml; print(yaml.safe_load(open("'"$here"'/../../galaxy.yml"))["version"])')
repository=$(python -c 'import yaml; print(yaml.safe_load(open("'"$here"'/../../galaxy.yml"))["repository"])')
python - "$dest/antsibull-docs.cfg" "$version" "$repository" <<'PY'
import re, sys
path, version, repository = sys.argv[1:]
text = open(path, encoding="utf-8").read()
install = "ansible-galaxy collection install hwcloud-infra-%s.tar.gz" % version
text, a = re.subn(r'collection_install = \{.*?\n\}', 'collection_install = {\n  * = "%s"\n}' % install, text,
                  flags=re.S)
text, b = re.subn(r'collection_url = \{.*?\n\}', 'collection_url = {\n  * = "%s"\n}' % repository, text, flags=re.S)
assert a == b == 1, "antsibull-docs.cfg: no collection_install / collection_url to set"
open(path, "w", encoding="utf-8").write(text)
PY
cd "$dest"
mkdir -p rst
chmod og-w rst
{
  antsibull-docs --config-file antsibull-docs.cfg collection --cleanup everything --fail-on-error --use-current \
    --squash-hierarchy --dest-dir rst hwcloud.infra &&
  python "$here/docsite_inventory.py" . &&
  python "$here/docsite_guide.py" . &&
  sphinx-build -M html rst build -c . -W --keep-going
} >build.log 2>&1 || { tail -40 build.log >&2; echo "docsite: the build failed (log: $dest/build.log)" >&2; exit 1; }
pages=$(find build/html -name '*.html' | wc -l)
for page in index.html modelarts_devserver_eip_module.html imetal_readdress_role.html huaweicloud_inventory.html \
    guide/getting-started.html guide/authentication.html guide/inventory.html guide/awx.html guide/troubleshooting.html; do
  test -s "build/html/$page" || { echo "docsite: $page missing" >&2; exit 1; }
done
# The site installs the collection the way that works today, and never from Galaxy, where it is not published.
if grep -rl "collection install hwcloud.infra\b" build/html >/dev/null; then
  echo "docsite: a page says to install hwcloud.infra from Galaxy" >&2; exit 1
fi
grep -q "hwcloud-infra-$version.tar.gz" build/html/modelarts_devserver_eip_module.html || {
  echo "docsite: the module page does not say how to install the collection" >&2; exit 1; }
grep -q "<title>hwcloud.infra" build/html/index.html || { echo "docsite: the index is not titled hwcloud.infra" >&2; exit 1; }
echo "docsite: $pages pages in $dest/build/html (user guide included), no warnings"
