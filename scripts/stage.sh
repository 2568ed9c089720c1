#!/usr/bin/env bash
# Run one pipeline stage under a time limit and print how long it took.
#   scripts/stage.sh NAME LIMIT COMMAND [ARG ...]
# LIMIT is a timeout(1) duration (e.g. 300, 20m). The command runs in its own process
# group under timeout(1), so a hung kernel is killed with everything it started.
# Exits with the command's status (124 when the limit was hit).
set -uo pipefail
name=$1 limit=$2
shift 2
echo "==> [$name] $*"
start=$(date +%s.%N)
timeout --kill-after=30 "$limit" "$@"
rc=$?
secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
if [ "$rc" -eq 0 ]; then
  echo "--- [$name] ok in ${secs} s"
elif [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
  echo "--- [$name] TIMED OUT after ${secs} s (limit $limit)" >&2
else
  echo "--- [$name] FAILED (exit $rc) after ${secs} s" >&2
fi
exit "$rc"
