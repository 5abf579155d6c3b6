#!/bin/sh
# The lobby display's cost on a lobby PC (not run by CI): a real `queue-server` and a real
# `lobby-display` in a tmux pane, then the display's CPU time (utime + stime from
# /proc/PID/stat) and RSS over two windows: idle (only the server's 30 s refreshes and pings),
# then busy (a ticket issued every 10 s, each arriving as a compact `change` frame).
#
#   cargo build --release -p queue-server -p lobby-display
#   display/examples/idle_cost.sh target/release 60
#
# Prints one line per window: CPU % of one core, RSS MiB at its end.
set -eu
bin=${1:-target/release}
window=${2:-60}
port=${PORT:-18237}
data=$(mktemp -d)
session=idle-cost-$$
"$bin/queue-server" --data "$data" --listen "127.0.0.1:$port" \
  --now 2026-12-01T10:00:00+09:00 >"$data/server.out" 2>/dev/null &
server=$!
trap 'tmux kill-session -t "$session" 2>/dev/null; kill "$server" 2>/dev/null; rm -rf "$data"' EXIT
until grep -q "listening on" "$data/server.out"; do sleep 0.1; done
token=$(cat "$data/admin-token")
base="http://127.0.0.1:$port/api/v1/offices/main"
curl -s -XPOST -H "Authorization: Bearer $token" "$base/counters/1/open" >/dev/null
tmux new-session -d -s "$session" -x 160 -y 48 \
  "$bin/lobby-display --server ws://127.0.0.1:$port --office main"
pid=$(tmux list-panes -t "$session" -F '#{pane_pid}')
sleep 5
ticks=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
rss() { awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$pid/status"; }
measure() {
  name=$1
  shift
  t0=$(cpu)
  s0=$(date +%s.%N)
  "$@"
  t1=$(cpu)
  s1=$(date +%s.%N)
  echo "$name seconds=$window cpu_percent_of_one_core=$(echo "scale=3; 100 * ($t1 - $t0) / $ticks / ($s1 - $s0)" | bc) rss_mib=$(rss)"
}
issue_every_10s() {
  i=0
  while [ $((i * 10)) -lt "$window" ]; do
    curl -s -XPOST -H "Authorization: Bearer $token" -H 'content-type: application/json' \
      -d '{"service":"renewal"}' "$base/tickets" >/dev/null
    sleep 10
    i=$((i + 1))
  done
}
measure idle sleep "$window"
measure busy issue_every_10s
