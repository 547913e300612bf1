#!/usr/bin/env bash
# Arrange the checkout under ansible_collections/hwcloud/infra, as ansible and ansible-test need it.
#   collection-tree.sh link  DIR : DIR/ansible_collections/hwcloud/infra -> this checkout (for ansible, pytest)
#   collection-tree.sh copy  DIR : a copy of the files git knows (tracked + untracked, not ignored), for ansible-test,
#                                  which resolves symlinks and must run from a real ansible_collections/... path
set -euo pipefail
mode=$1
dest=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
target="$dest/ansible_collections/hwcloud/infra"
mkdir -p "$dest/ansible_collections/hwcloud"
case "$mode" in
  link)
    ln -sfn "$root" "$target"
    ;;
  copy)
    rm -rf "$target"
    mkdir -p "$target"
    (cd "$root" && git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
        [ -e "$f" ] && printf '%s\0' "$f"; done | xargs -0 cp --parents -t "$target")
    # ansible-test lists the files of a git checkout with git: give the copy its own repository.
    (cd "$target" && git init -q && git add -A && git -c user.email=ci@localhost -c user.name=ci commit -qm tree)
    ;;
  *)
    echo "usage: $0 link|copy DIR" >&2
    exit 2
    ;;
esac
echo "$target"
