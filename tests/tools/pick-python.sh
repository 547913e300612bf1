#!/usr/bin/env bash
# Print the Python that the project's venv is built on: the newest Python 3.12 or later on this machine (on PATH
# or from pyenv), which runs the newest ansible-core; only when there is none, Python 3.11, which runs
# ansible-core 2.19 at most (said on stderr). Exits 1 when neither exists. With --all: every working Python 3.11 or
# later, one per version, oldest first.
set -uo pipefail
works() { [ -x "$1" ] && "$1" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; }
candidates=()
for minor in 14 13 12 11; do
  p=$(command -v "python3.$minor" 2>/dev/null) && candidates+=("$p")
done
if command -v pyenv >/dev/null 2>&1; then
  for v in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.[0-9]+\.[0-9]+$'); do
    prefix=$(pyenv prefix "$v" 2>/dev/null) && candidates+=("$prefix/bin/python${v%.*}")
  done
fi
p=$(command -v python3 2>/dev/null) && candidates+=("$p")
best="" best_version=0
declare -A by_version=()
for c in "${candidates[@]}"; do
  works "$c" || continue
  v=$("$c" -c 'import sys; print(sys.version_info[0] * 10000 + sys.version_info[1] * 100 + sys.version_info[2])')
  [ -n "${by_version[$v]:-}" ] || by_version[$v]=$c
  if [ "$v" -gt "$best_version" ]; then best=$c best_version=$v; fi
done
if [ "${1:-}" = "--all" ]; then
  for v in $(printf '%s\n' "${!by_version[@]}" | sort -n); do echo "${by_version[$v]}"; done
  exit 0
fi
if [ -z "$best" ]; then
  echo "no Python 3.11 or later found: install Python 3.12 or later (python3.12 on PATH, or with pyenv)" >&2
  exit 1
fi
if [ "$best_version" -lt 31200 ]; then
  echo "NOTE: no Python 3.12 or later on this machine: using $best, which runs ansible-core 2.19 at most" \
       "(ansible-core 2.20 and 2.21 need Python 3.12+)" >&2
fi
echo "$best"
