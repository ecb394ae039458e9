#!/usr/bin/env bash
# idle.sh — what a running `tunctl up` costs the box: RSS, threads and open fds of each transport's process, idle and
# then while carrying one iperf3 stream, plus the start-up times of `tunctl --version` and `tunctl up`.
#
#   A (192.0.2.1/24, veth) <==veth==> B (192.0.2.2/24), namespaces of this run only
#   udp:          tunctl up (udp) in A and in B, tunnel 198.51.100.0/24; A's process is measured
#   http-server:  tunctl up (http server) in B :8080, tunnel 10.77.0.0/24
#   http-client:  tunctl up (http client) in A, to the server above (one setup, both processes measured)
#   socks:        tunctl up (socks) in A, dante (Debian dante-server) in B on 192.0.2.2:1080; B owns 10.99.0.2 on lo
# A process is idle once its CPU time stops growing for 2 s (at most 30 s after "tunnel up") and then its RSS for 3 s
# (the JVM hands start-up's freed native memory back at its next 2-s trim; measuring before it adds up to 6 MiB of
# noise); then RSS, threads and fds are sampled 3 times 0.5 s apart (the median is reported). Under load, iperf3 A -> B runs SECS seconds and the
# largest RSS seen (every 0.25 s) is reported, and the median of those samples.
#
# Usage: [SECS=10] [CASES="udp http socks"] [STARTS=5] [TUNCTL=./tunctl] [TUNCTL_JAVA_OPTS=...] sudo bench/idle.sh
# TUNCTL may point at another build's launcher (A/B). Prints a table; raw logs stay in bench/out/idle-<stamp>/.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
TUNCTL=${TUNCTL:-$REPO/tunctl}
SECS=${SECS:-10}
STARTS=${STARTS:-5}
CASES=${CASES:-"udp http socks"}
SFX=$$
NS_A=tid-a-$SFX; NS_B=tid-b-$SFX
WORK=$(mktemp -d /tmp/tunctl-idle.XXXXXX)
OUT=${OUT:-$REPO/bench/out/idle-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
PIDS=()
log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }

stop_all() {
  local p
  for p in "${PIDS[@]:-}"; do [[ -n "$p" ]] && kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]:-}"; do
    [[ -n "$p" ]] || continue
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
  done
  PIDS=()
}
cleanup() {
  stop_all
  ip netns del "$NS_A" 2>/dev/null || true
  ip netns del "$NS_B" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

need() { command -v "$1" >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null; }; }
need iperf3 iperf3; need danted dante-server

ip netns add "$NS_A"; ip netns add "$NS_B"
ip -n "$NS_A" link set lo up; ip -n "$NS_B" link set lo up
ip link add tid-va netns "$NS_A" type veth peer name tid-vb netns "$NS_B"
ip -n "$NS_A" addr add 192.0.2.1/24 dev tid-va; ip -n "$NS_B" addr add 192.0.2.2/24 dev tid-vb
ip -n "$NS_A" link set tid-va up; ip -n "$NS_B" link set tid-vb up

# start NS LOGFILE ARGS...: runs a program in a namespace in the background; its PID is the program's own
# (`ip netns exec` and the launcher both exec)
start() { local ns=$1 logf=$2; shift 2; ip netns exec "$ns" "$@" >"$logf" 2>&1 & PIDS+=($!); }
await_log() { # file marker pid
  local i; for i in $(seq 300); do grep -q "$2" "$1" 2>/dev/null && return 0; kill -0 "$3" 2>/dev/null || break; sleep 0.05; done
  log "no '$2' in $1:"; cat "$1" >&2; return 1
}
wait_ping() { # ns ip
  local i; for i in $(seq 100); do ip netns exec "$1" ping -c1 -W1 -q "$2" >/dev/null 2>&1 && return 0; sleep 0.2; done
  log "no ping $2 from $1"; return 1
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
status_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
fds() { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 | wc -l; }
await_idle() { # pid: CPU time unchanged over 2 s (at most 30 s), then RSS within 128 KiB over 3 s (at most 20 s)
  local before after i same=0
  before=$(cpu_ticks "$1")
  for i in $(seq 15); do
    sleep 2; after=$(cpu_ticks "$1")
    [[ "$after" == "$before" ]] && break
    before=$after
    ((i == 15)) && log "pid $1 still used CPU after 30 s; measuring anyway"
  done
  # the JVM returns start-up's freed malloc memory (compiler arenas) at its next native-heap trim, every 2 s
  before=$(status_kb "$1" VmRSS)
  for i in $(seq 20); do
    sleep 1; after=$(status_kb "$1" VmRSS)
    if ((after - before < 128 && before - after < 128)); then ((++same >= 3)) && return 0; else same=0; fi
    before=$after
  done
  log "pid $1: RSS still moving after 20 s; measuring anyway"
}
median3() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
# idle_row NAME PID: one line "name rss_MiB threads fds"
idle_row() {
  local r=() t=() f=() i
  await_idle "$2"
  for i in 1 2 3; do r+=("$(status_kb "$2" VmRSS)"); t+=("$(status_kb "$2" Threads)"); f+=("$(fds "$2")"); sleep 0.5; done
  printf '%s\t%s\t%s\t%s\n' "$1" "$(awk -v k="$(median3 "${r[@]}")" 'BEGIN{printf "%.1f", k/1024}')" \
    "$(median3 "${t[@]}")" "$(median3 "${f[@]}")"
}
# load_row NAME TARGET PIDS...: iperf3 A -> TARGET for SECS s; the largest and the median RSS, and the largest thread
# count, of each PID
load_rows() {
  local name=$1 target=$2; shift 2
  local -A maxr maxt samples
  local p end
  for p in "$@"; do maxr[$p]=0; maxt[$p]=0; samples[$p]=""; done
  ip netns exec "$NS_A" iperf3 -c "$target" -p 5299 -t "$SECS" -f m >"$OUT/$name.iperf3" 2>&1 &
  local ip3=$!
  end=$((SECONDS + SECS + 10))
  while kill -0 "$ip3" 2>/dev/null && ((SECONDS < end)); do
    for p in "$@"; do
      local r t; r=$(status_kb "$p" VmRSS); t=$(status_kb "$p" Threads)
      ((r > maxr[$p])) && maxr[$p]=$r; ((t > maxt[$p])) && maxt[$p]=$t
      samples[$p]+=" $r"
    done
    sleep 0.25
  done
  wait "$ip3" || log "iperf3 through $name failed: $(tail -3 "$OUT/$name.iperf3")"
  local mbps; mbps=$(awk '/receiver/ {print $(NF-2)}' "$OUT/$name.iperf3" | tail -1)
  for p in "$@"; do
    # the median of the samples taken while the stream ran (every 0.25 s): the largest is a moment, often a JIT
    # compilation's arenas, the median what the stream holds
    local med; med=$(printf '%s\n' ${samples[$p]} | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR + 1) / 2)] / 1024}')
    printf '%s\t%s\t%s\t%s\t%s\n' "${ROWNAME[$p]}" "$(awk -v k="${maxr[$p]}" 'BEGIN{printf "%.1f", k/1024}')" \
      "$med" "${maxt[$p]}" "${mbps:-?}"
  done
}

# the udp tunnel's two ends (the udp case, and the start-up timing after the cases)
for side in a:192.0.2.1:192.0.2.2:198.51.100.1 b:192.0.2.2:192.0.2.1:198.51.100.2; do
  IFS=: read -r s self peer tun <<<"$side"
  cat >"$WORK/udp-$s.yaml" <<EOF
transport: udp
interface: { name: tidu0, mtu: 1420, addresses: ["$tun/24"] }
udp: { listen: "$self:51820", peer: "$peer:51820" }
EOF
done

declare -A ROWNAME
IDLE=(); LOAD=()
ip netns exec "$NS_B" iperf3 -s -p 5299 >"$OUT/iperf3-server.log" 2>&1 & PIDS+=($!)
IPERF_SERVER=$!

for c in $CASES; do
  case $c in
    udp)
      start "$NS_B" "$OUT/udp-b.log" "$TUNCTL" up "$WORK/udp-b.yaml"; pb=$!
      start "$NS_A" "$OUT/udp-a.log" "$TUNCTL" up "$WORK/udp-a.yaml"; pa=$!
      await_log "$OUT/udp-a.log" "tunnel up" "$pa"; await_log "$OUT/udp-b.log" "tunnel up" "$pb"
      wait_ping "$NS_A" 198.51.100.2
      ROWNAME[$pa]=udp
      IDLE+=("$(idle_row udp "$pa")")
      LOAD+=("$(load_rows udp 198.51.100.2 "$pa")")
      kill -TERM "$pa" "$pb"; wait "$pa" "$pb" 2>/dev/null || true ;;
    http)
      cat >"$WORK/http-server.json" <<EOF
[ { "name": "tidh0", "port": 8080, "net": "10.77.0.1/24",
    "clients": [ { "token": "a94a8fe5ccb19ba61c4c0873d391e987982fbbd3", "ip": "10.77.0.2" } ] } ]
EOF
      cat >"$WORK/http-client.json" <<EOF
[ { "name": "tidh0", "server": "http://192.0.2.2:8080/ip", "token": "test" } ]
EOF
      start "$NS_B" "$OUT/http-server.log" "$TUNCTL" up "$WORK/http-server.json"; ps=$!
      await_log "$OUT/http-server.log" "tunnel up" "$ps"
      start "$NS_A" "$OUT/http-client.log" "$TUNCTL" up "$WORK/http-client.json"; pc=$!
      await_log "$OUT/http-client.log" "tunnel up" "$pc"
      wait_ping "$NS_A" 10.77.0.1
      ROWNAME[$ps]=http-server; ROWNAME[$pc]=http-client
      IDLE+=("$(idle_row http-server "$ps")" "$(idle_row http-client "$pc")")
      LOAD+=("$(load_rows http 10.77.0.1 "$ps" "$pc")")
      kill -TERM "$ps" "$pc"; wait "$ps" "$pc" 2>/dev/null || true ;;
    socks)
      ip -n "$NS_B" addr add 10.99.0.2/32 dev lo
      cat >"$WORK/danted.conf" <<EOF
logoutput: stderr
internal: 192.0.2.2 port = 1080
external: 192.0.2.2
clientmethod: none
socksmethod: none
user.privileged: root
user.unprivileged: nobody
client pass {
  from: 192.0.2.1/32 to: 0.0.0.0/0
}
socks pass {
  from: 192.0.2.1/32 to: 10.99.0.2/32
  command: connect
  log: error
}
EOF
      start "$NS_B" "$OUT/danted.log" danted -f "$WORK/danted.conf" -p "$WORK/danted.pid"
      cat >"$WORK/socks.yaml" <<EOF
transport: socks
interface: { name: tids0, mtu: 1500, offload: true, addresses: [198.18.0.1/30], routes: [{ to: 10.99.0.2/32 }] }
socks: { proxy: "socks5://192.0.2.2:1080", direct: [] }
EOF
      start "$NS_A" "$OUT/socks.log" "$TUNCTL" up "$WORK/socks.yaml"; px=$!
      await_log "$OUT/socks.log" "tunnel up" "$px"
      ROWNAME[$px]=socks
      IDLE+=("$(idle_row socks "$px")")
      LOAD+=("$(load_rows socks 10.99.0.2 "$px")")
      kill -TERM "$px"; wait "$px" 2>/dev/null || true ;;
    *) log "unknown case $c"; exit 2 ;;
  esac
done

# start-up: `tunctl --version` wall time, and `tunctl up` (udp) until its "tunnel up" line; median of STARTS. The clock
# is bash's own ($EPOCHREALTIME, no process), and up's output is read from a pipe as it comes: polling its log file
# (a grep and a sleep every 50 ms) would add up to 50 ms and compete with the starting JVM for the 2 cores.
ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }
mmm() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {printf "%d/%d/%d", a[1], a[int((NR + 1) / 2)], a[NR]}'; }
ver=(); upt=()
for i in $(seq "$STARTS"); do
  t0=$(ms); "$TUNCTL" --version >/dev/null; ver+=($(($(ms) - t0)))
  t0=$(ms)
  exec {upfd}< <(exec ip netns exec "$NS_A" "$TUNCTL" up "$WORK/udp-a.yaml" 2>&1)
  p=$!; PIDS+=("$p"); up_ms=""
  while IFS= read -r -t 15 -u "$upfd" line; do
    printf '%s\n' "$line" >>"$OUT/start-$i.log"
    if [[ $line == *"tunnel up"* ]]; then up_ms=$(($(ms) - t0)); break; fi
  done
  kill -TERM "$p" 2>/dev/null || true
  cat <&"$upfd" >>"$OUT/start-$i.log"; exec {upfd}<&-
  wait "$p" 2>/dev/null || true
  if [[ -z "$up_ms" ]]; then log "no 'tunnel up' from start $i:"; cat "$OUT/start-$i.log" >&2; exit 1; fi
  upt+=("$up_ms")
done

{
  echo "# $(date -u +%FT%TZ) $(uname -r) $(nproc) cpu, load $(cut -d' ' -f1-3 /proc/loadavg), TUNCTL_JAVA_OPTS='${TUNCTL_JAVA_OPTS:-}'"
  printf '%s\t%s\t%s\t%s\n' idle rss_MiB threads fds
  printf '%s\n' "${IDLE[@]}"
  printf '%s\t%s\t%s\t%s\t%s\n' load max_rss_MiB median_rss_MiB max_threads iperf3_Mbit/s
  printf '%s\n' "${LOAD[@]}"
  echo "start-up ms (min/median/max of $STARTS): tunctl --version $(mmm "${ver[@]}") (${ver[*]}); tunctl up -> tunnel up $(mmm "${upt[@]}") (${upt[*]})"
} | tee "$OUT/table.txt"
kill "$IPERF_SERVER" 2>/dev/null || true
