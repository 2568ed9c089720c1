#!/usr/bin/env bash
# Run one pipeline stage under a time limit and print how long it took.
#   scripts/stage.sh NAME LIMIT COMMAND [ARG ...]
# LIMIT is a timeout(1) duration (e.g. 300, 20m). The command runs in its own process
# group under timeout(1), so a hung kernel is killed with everything it started.
# A Ctrl-C (SIGINT) or SIGTERM/SIGHUP sent to this script (a terminal sends Ctrl-C to the
# foreground group: make and this script, not timeout's own group) is forwarded to
# timeout, which passes it to the whole group (killed 2 s later if it is still there);
# the script then dies of the same signal, and nothing of the stage runs on.
# Exits with the command's status (124 when the limit was hit).
set -uo pipefail
name=$1 limit=$2
shift 2
echo "==> [$name] $*"
start=$(date +%s.%N)
# In the background (so that the traps below run at once), with stdin kept: a
# non-interactive shell would give a background command /dev/null.
exec 3<&0
timeout --kill-after=30 "$limit" "$@" <&3 &
pid=$!
interrupted= killer=
forward() {
  interrupted=$1
  kill -s "$1" "$pid" 2>/dev/null
  # timeout's own --kill-after is 30 s; a user who asked to stop waits 2 s at most, then
  # the whole group (timeout leads it) is killed.
  if [ -z "$killer" ]; then
    ( sleep 2; kill -s KILL -- "-$pid" ) >/dev/null 2>&1 &
    killer=$!
  fi
}
trap 'forward INT' INT
trap 'forward TERM' TERM
trap 'forward HUP' HUP
rc=0
wait "$pid" || rc=$?
while kill -0 "$pid" 2>/dev/null; do  # wait returns early when a trap runs
  wait "$pid"; rc=$?
done
trap - INT TERM HUP
[ -n "$killer" ] && kill "$killer" 2>/dev/null
secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
if [ -n "$interrupted" ]; then
  echo "--- [$name] INTERRUPTED (SIG$interrupted) after ${secs} s" >&2
  # die of the same signal, so that the shell that ran us (make's recipe) stops too
  kill -s "$interrupted" $$
  exit 130
elif [ "$rc" -eq 0 ]; then
  echo "--- [$name] ok in ${secs} s"
elif [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
  echo "--- [$name] TIMED OUT after ${secs} s (limit $limit)" >&2
else
  echo "--- [$name] FAILED (exit $rc) after ${secs} s" >&2
fi
exit "$rc"
