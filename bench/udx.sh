#!/usr/bin/env bash
# UDX bulk throughput on loopback, one stream: Java<->Java, Java->udx-native, udx-native->Java and
# udx-native<->udx-native in one run. Each pairing runs RUNS times; prints min/median/max MB/s measured at the
# receiver (first byte to END). Usage: bench/udx.sh [MiB per run, default 256] [runs, default 5]
set -euo pipefail
cd "$(dirname "$0")/.."
MIB=${1:-256}
RUNS=${2:-5}
BYTES=$((MIB << 20))
./build.sh -q -pl benchmarks -am package -DskipTests
source scripts/find-jdk.sh
tunctl_find_jdk
JAVA="$TUNCTL_JAVA_HOME/bin/java --enable-native-access=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar"
MAIN=io.tunctl.benchmarks.udx.UdxThroughput
NODE_DIR=transport-p2p/target/node-udx
mkdir -p "$NODE_DIR"
cp transport-p2p/src/test/resources/udx/udx-peer.js "$NODE_DIR/"
if [[ ! -d $NODE_DIR/node_modules/udx-native ]]; then
  (cd "$NODE_DIR" && echo '{"name":"tunctl-udx-bench","private":true}' > package.json &&
    timeout 300 npm install --no-audit --no-fund udx-native@1.21.3 >/dev/null)
fi
PEER="node $NODE_DIR/udx-peer.js"
A=47501 B=47502 IDA=1 IDB=2
OUT=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$OUT"' EXIT

mbps_java() { grep -o 'RESULT [a-z-]* [0-9.]*' "$1" | awk '{print $3}'; }
mbps_node() { grep -o '"bytes":[0-9]*,"ms":[0-9]*' "$1" | tr -d '"a-z:' | awk -F, '{printf "%.1f\n", $1/1e3/$2}'; }

run_pair() { # label, then prints one MB/s value
  case $1 in
    java-java) timeout 300 $JAVA $MAIN pair "$MIB" > "$OUT/r" 2>&1; mbps_java "$OUT/r" ;;
    java-node)
      UDX_LOCAL_PORT=$B timeout 300 $PEER drain $A $IDB $IDA 0 127.0.0.1 290000 > "$OUT/n" 2>&1 &
      local np=$!; sleep 0.5
      timeout 300 $JAVA $MAIN send "$MIB" $A $IDA $B $IDB > "$OUT/r" 2>&1 || true
      wait $np || true; mbps_node "$OUT/n" ;;
    node-java)
      timeout 300 $JAVA $MAIN recv "$MIB" $A $IDA $B $IDB > "$OUT/r" 2>&1 &
      local jp=$! k
      for ((k = 0; k < 600; k++)); do grep -q READY "$OUT/r" 2>/dev/null && break; sleep 0.1; done
      UDX_LOCAL_PORT=$B timeout 300 $PEER blast $A $IDB $IDA $BYTES 127.0.0.1 290000 > "$OUT/n" 2>&1 || true
      wait $jp || true; mbps_java "$OUT/r" ;;
    node-node)
      UDX_LOCAL_PORT=$B timeout 300 $PEER drain $A $IDB $IDA 0 127.0.0.1 290000 > "$OUT/n" 2>&1 &
      local np=$!; sleep 0.3
      UDX_LOCAL_PORT=$A timeout 300 $PEER blast $B $IDA $IDB $BYTES 127.0.0.1 290000 > /dev/null 2>&1 || true
      wait $np || true; mbps_node "$OUT/n" ;;
  esac
}

echo "UDX loopback throughput, $MIB MiB x $RUNS runs, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
# Runs are interleaved (one of each pairing per round) so that load from other processes hits all alike.
LABELS=(node-node java-java java-node node-java)
declare -A VALS
for ((i = 0; i < RUNS; i++)); do
  for label in "${LABELS[@]}"; do
    v=$(run_pair "$label" | tail -1)
    VALS[$label]="${VALS[$label]:-} ${v:-0}"
  done
done
printf '%-12s %8s %8s %8s   %s\n' pairing min median max "runs (MB/s)"
for label in "${LABELS[@]}"; do
  sorted=$(printf '%s\n' ${VALS[$label]} | sort -g)
  min=$(echo "$sorted" | head -1); max=$(echo "$sorted" | tail -1)
  med=$(echo "$sorted" | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')
  printf '%-12s %8s %8s %8s  %s\n' "$label" "$min" "$med" "$max" "${VALS[$label]}"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
