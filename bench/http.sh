#!/usr/bin/env bash
# http.sh — throughput of the http transport (tapotun-compatible) across two namespaces, plain HTTP and through
# nginx with TLS, with and without TSO, next to the C TUN bridge (bench/c/tunloop.c) in the same run.
#
#   A (192.0.2.1/24, veth) <==veth==> B (192.0.2.2/24)
#   http:      client in A  --HTTP-->                       server in B :8080   tunnel 10.77.0.0/24
#   http-tls:  client in A  --HTTPS--> nginx in B :8443 --> server in B :8081   tunnel 10.78.0.0/24
#   tunloop:   one TUN in each namespace copied by tunloop.c (--io rw [--vnet])   203.0.113.0/30, .4/30
# iperf3 runs A -> B through each case, round-robin (RUNS rounds of SECS seconds), and the table gives
# min / median / max Gbit/s and the median ratio to tunloop rw --vnet (the C TSO bridge) of the same round.
#
# Rows for `tunctl bench`: http, http-tls (TSO on). The -notso variants set "offload": false on both ends.
# Every case first gets WARMUP (10) seconds of unmeasured traffic.
# Diagnostic rows http-nio / http-epoll force Netty's transport (the CLI on the module path uses NIO unless the
# epoll module is added; the class path uses epoll).
# Usage: [RUNS=3] [SECS=4] [WARMUP=10] [CASES="direct c-tso c-plain http http-notso http-tls http-tls-notso"] sudo bench/http.sh
# Starts tunnels with `./tunctl up` when the CLI has it, else with the transport's test main class (TunnelMain;
# REBUILD=1 refreshes its class path; NO_CLI=1 forces it). HOLD=<s> keeps everything up that long after the runs (for profiling).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
RUNS=${RUNS:-3}; SECS=${SECS:-4}; OMIT=${OMIT:-1}
CASES=${CASES:-"direct c-tso c-plain http http-notso http-tls http-tls-notso"}
SFX=$$
NS_A=thb-a-$SFX; NS_B=thb-b-$SFX
WORK=$(mktemp -d /tmp/tunctl-http-bench.XXXXXX)
OUT=${OUT:-$REPO/bench/out/http-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
PIDS=()
log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }

cleanup() {
  local p
  for p in "${PIDS[@]:-}"; do [[ -n "$p" ]] && kill -TERM "$p" 2>/dev/null || true; done
  sleep 1
  for p in "${PIDS[@]:-}"; do [[ -n "$p" ]] && kill -KILL "$p" 2>/dev/null || true; done
  ip netns del "$NS_A" 2>/dev/null || true
  ip netns del "$NS_B" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

need() { command -v "$1" >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null; }; }
need iperf3 iperf3; need nginx nginx-light; need openssl openssl; need gcc gcc

ip netns add "$NS_A"; ip netns add "$NS_B"
ip -n "$NS_A" link set lo up; ip -n "$NS_B" link set lo up
ip link add thb-va netns "$NS_A" type veth peer name thb-vb netns "$NS_B"
ip -n "$NS_A" addr add 192.0.2.1/24 dev thb-va; ip -n "$NS_B" addr add 192.0.2.2/24 dev thb-vb
ip -n "$NS_A" link set thb-va up; ip -n "$NS_B" link set thb-vb up

# ---- how to start a tunnel process in a namespace
JAVA=""; CP=""
TUNCTL=${TUNCTL:-./tunctl}
if [[ -z "${NO_CLI:-}" ]] && "$TUNCTL" --help 2>/dev/null | grep -qE '^  up +'; then
  log "tunnels run with ./tunctl up"
  start_tunnel() { TUNCTL_JAVA_OPTS="${TUNCTL_JAVA_OPTS:-} ${EXTRA_OPTS:-}" ip netns exec "$1" "$TUNCTL" up "$2" >"$3" 2>&1 & PIDS+=($!); }
else
  log "tunctl up not available: using the transport's TunnelMain (test classes)"
  cpf=$REPO/transport-http/target/bench-classpath.txt
  if [[ ! -f "$cpf" || transport-http/pom.xml -nt "$cpf" || -n "${REBUILD:-}" ]]; then
    ./build.sh -q -pl transport-http -am test-compile dependency:build-classpath \
      -Dmdep.outputFile="$cpf" -Dmdep.includeScope=test >/dev/null
  fi
  source scripts/find-jdk.sh; tunctl_find_jdk
  JAVA=$TUNCTL_JAVA_HOME/bin/java
  CP="$REPO/transport-http/target/test-classes:$REPO/transport-http/target/classes:$(cat "$cpf")"
  start_tunnel() {
    ip netns exec "$1" "$JAVA" --enable-native-access=ALL-UNNAMED -Xmx512m ${TUNCTL_JAVA_OPTS:-} ${EXTRA_OPTS:-} -cp "$CP" \
      io.tunctl.transport.http.it.TunnelMain "$2" >"$3" 2>&1 & PIDS+=($!)
  }
fi

wait_ping() { # ns ip
  local i; for i in $(seq 100); do ip netns exec "$1" ping -c1 -W1 -q "$2" >/dev/null 2>&1 && return 0; sleep 0.2; done
  log "no ping $2 from $1"; return 1
}

declare -A TARGET PROC
# ---- C bridge rows
if [[ " $CASES " == *" c-"* ]]; then
  # io_uring is not needed for the rw rows: build without liburing
  gcc -O2 -Wall -DNO_URING -o "$WORK/tunloop" bench/c/tunloop.c -lpthread
  i=0
  for v in c-tso c-plain; do
    [[ " $CASES " == *" $v "* ]] || continue
    flags="--io rw"; [[ $v == c-tso ]] && flags="--io rw --vnet"
    dev=thbt$i; a=203.0.113.$((4 * i + 1)); b=203.0.113.$((4 * i + 2))
    # shellcheck disable=SC2086
    "$WORK/tunloop" --ns-a "$NS_A" --ns-b "$NS_B" --dev "$dev" $flags >"$OUT/tunloop-$v.log" 2>&1 & PIDS+=($!); PROC[$v]=$!
    for _ in $(seq 100); do grep -q '^READY' "$OUT/tunloop-$v.log" && break; sleep 0.02; done
    ip -n "$NS_A" addr add "$a/30" dev "$dev"; ip -n "$NS_B" addr add "$b/30" dev "$dev"
    ip -n "$NS_A" link set "$dev" mtu 1500 up; ip -n "$NS_B" link set "$dev" mtu 1500 up
    wait_ping "$NS_A" "$b"; TARGET[$v]=$b; i=$((i + 1))
  done
fi

# ---- http rows: one server process per row in B, one client per row in A
TOKEN_HASH=a94a8fe5ccb19ba61c4c0873d391e987982fbbd3   # sha1("test")
n=0
for v in http http-notso http-tls http-tls-notso http-nio http-epoll; do
  [[ " $CASES " == *" $v "* ]] || continue
  off=true; [[ $v == *notso ]] && off=false
  # diagnostic rows: the same as http with Netty's NIO or epoll transport forced
  EXTRA_OPTS=""
  [[ $v == http-nio ]] && EXTRA_OPTS="-Dtunctl.http.nio=true"
  [[ $v == http-epoll ]] && EXTRA_OPTS="--add-modules io.netty.transport.epoll.linux.x86_64 --enable-native-access=io.netty.common"
  port=$((8080 + n)); net=10.$((77 + n)).0; dev=thbh$n
  cat >"$WORK/$v-server.json" <<EOF
[ { "name": "$dev", "port": $port, "net": "$net.1/24", "offload": $off,
    "clients": [ { "token": "$TOKEN_HASH", "ip": "$net.2" } ] } ]
EOF
  url="http://192.0.2.2:$port/ip"; extra=""
  if [[ $v == http-tls* ]]; then
    tls=$WORK/nginx-$v; mkdir -p "$tls"/{body,proxy,fastcgi,uwsgi,scgi}
    ( cd "$tls"
      printf 'subjectAltName=IP:192.0.2.2\n' >san.ext
      openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.pem -days 2 -subj "/CN=bench CA" 2>/dev/null
      openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout server.key -out server.csr -subj /CN=192.0.2.2 2>/dev/null
      openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile san.ext 2>/dev/null )
    tport=$((8443 + n))
    cat >"$tls/nginx.conf" <<EOF
worker_processes 1;
user root;
pid $tls/nginx.pid;
error_log $tls/error.log;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $tls/body; proxy_temp_path $tls/proxy; fastcgi_temp_path $tls/fastcgi;
  uwsgi_temp_path $tls/uwsgi; scgi_temp_path $tls/scgi;
  server {
    listen 192.0.2.2:$tport ssl;
    ssl_certificate $tls/server.pem; ssl_certificate_key $tls/server.key;
    location / {
      proxy_pass http://127.0.0.1:$port; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_buffering off; proxy_request_buffering off; client_max_body_size 0;
      client_body_timeout 1h; proxy_read_timeout 1h; proxy_send_timeout 1h; send_timeout 1h;
    }
  }
}
EOF
    ip netns exec "$NS_B" nginx -p "$tls" -c "$tls/nginx.conf" -g 'daemon off;' >"$OUT/nginx-$v.log" 2>&1 & PIDS+=($!)
    url="https://192.0.2.2:$tport/ip"; extra=", \"ca\": \"$tls/ca.pem\""
  fi
  cat >"$WORK/$v-client.json" <<EOF
[ { "name": "$dev", "server": "$url", "token": "test", "offload": $off$extra } ]
EOF
  start_tunnel "$NS_B" "$WORK/$v-server.json" "$OUT/$v-server.log"; PROC[$v]="${PIDS[-1]}"
  sleep 2
  start_tunnel "$NS_A" "$WORK/$v-client.json" "$OUT/$v-client.log"; PROC[$v]+=" ${PIDS[-1]}"
  wait_ping "$NS_A" "$net.1"; TARGET[$v]=$net.1
  n=$((n + 1))
done
[[ " $CASES " == *" direct "* ]] && TARGET[direct]=192.0.2.2

ip netns exec "$NS_B" iperf3 -s -p 5299 >"$OUT/iperf3-server.log" 2>&1 & PIDS+=($!)
sleep 0.5

# ---- warm-up (the JVM compiles its hot paths during the first seconds), then interleaved rounds
for c in $CASES; do
  [[ -n "${TARGET[$c]:-}" && "${WARMUP:-10}" -gt 0 ]] || continue
  ip netns exec "$NS_A" iperf3 -c "${TARGET[$c]}" -p 5299 -t "${WARMUP:-10}" >/dev/null 2>&1 || true
done
: >"$OUT/runs.tsv"
for r in $(seq "$RUNS"); do
  for c in $CASES; do
    [[ -n "${TARGET[$c]:-}" ]] || continue
    ip netns exec "$NS_A" iperf3 -c "${TARGET[$c]}" -p 5299 -t "$SECS" -O "$OMIT" -J >"$OUT/$c.$r.json" 2>&1 || true
    bps=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["end"]["sum_received"]["bits_per_second"])' "$OUT/$c.$r.json" 2>/dev/null || echo 0)
    printf '%s\t%s\t%s\n' "$r" "$c" "$bps" >>"$OUT/runs.tsv"
    log "round $r $c $(python3 -c "print(f'{$bps/1e9:.2f}')") Gbit/s"
  done
done

python3 - "$OUT/runs.tsv" <<'EOF' | tee "$OUT/table.txt"
import sys, statistics, collections
rows = [l.split('\t') for l in open(sys.argv[1]).read().split('\n') if l]
by = collections.OrderedDict(); rnd = collections.defaultdict(dict)
for r, c, b in rows:
    by.setdefault(c, []).append(float(b) / 1e9); rnd[r][c] = float(b) / 1e9
print(f"{'case':16} {'min':>7} {'median':>7} {'max':>7}  {'vs c-tso':>8}   (Gbit/s, iperf3 A->B, single TCP stream)")
for c, v in by.items():
    ratios = [rnd[r][c] / rnd[r]['c-tso'] for r in rnd if rnd[r].get('c-tso')]
    ratio = f"{statistics.median(ratios):8.2f}" if ratios else "       -"
    print(f"{c:16} {min(v):7.2f} {statistics.median(v):7.2f} {max(v):7.2f}  {ratio}")
EOF
log "raw results in $OUT"
[[ -n "${HOLD:-}" ]] && { log "holding for $HOLD s"; sleep "$HOLD"; }
