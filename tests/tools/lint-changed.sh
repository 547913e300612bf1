#!/usr/bin/env bash
# lint-changed.sh: the fast tier's lint (`make lint-changed`, part of `make check`) on what changed: the files that
# differ from the last commit (staged, unstaged, untracked), or, when nothing does, the files of the last commit.
#   Python: flake8 at ansible-test's line length (160), and plugins/ compiled on every Python 3.11+ of the machine
#           (the modules run on the controller's Python);
#   shell:  shellcheck;
#   YAML of roles, playbooks, molecule scenarios and integration targets: ansible-lint, strict, production profile.
# `make test` lints everything (ansible-test sanity, both ansible-lint profiles, Galaxy's importer).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
changed=$( (git diff --name-only HEAD; git ls-files --others --exclude-standard) | sort -u)
what="changed since the last commit"
if [ -z "$changed" ]; then
  changed=$(git diff-tree --no-commit-id --name-only -r HEAD 2>/dev/null | sort -u)
  what="of the last commit"
fi
existing=()
while IFS= read -r f; do [ -n "$f" ] && [ -f "$f" ] && existing+=("$f"); done <<< "$changed"
py=() sh=() yml=()
for f in "${existing[@]}"; do
  case "$f" in
    *.py) py+=("$f") ;;
    *.sh) sh+=("$f") ;;
    roles/*.yml|playbooks/*.yml|extensions/molecule/*.yml|tests/integration/targets/*.yml) yml+=("$f") ;;
  esac
done
echo "lint-changed: ${#existing[@]} file(s) $what: ${#py[@]} Python, ${#sh[@]} shell, ${#yml[@]} Ansible YAML"
if [ ${#py[@]} -gt 0 ]; then
  # E402 as ansible-test's pep8 ignores it: a module's imports follow its DOCUMENTATION, EXAMPLES and RETURN.
  flake8 --max-line-length 160 --extend-ignore E402 --extend-select W503 "${py[@]}"
fi
for python in $(bash tests/tools/pick-python.sh --all); do
  "$python" -c 'import pathlib
for path in sorted(pathlib.Path("plugins").rglob("*.py")):
    compile(path.read_bytes(), str(path), "exec")'
done
if [ ${#sh[@]} -gt 0 ]; then
  shellcheck "${sh[@]}"
fi
if [ ${#yml[@]} -gt 0 ]; then
  ansible-lint --offline --strict -q "${yml[@]}"
fi
echo "lint-changed: clean"
