#!/usr/bin/env bash
# run.sh — a longer, recorded bench run for docs/benchmarks.md: installs iperf3 if missing, runs
# `tunctl bench` with more rounds, and keeps the table, the JSON and the machine facts under bench/out/<stamp>/.
# Usage: [RUNS=5] [SECS=4] [WARMUP=5] [STREAMS=1] [ONLY=row,row] sudo bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}; SECS=${SECS:-4}; WARMUP=${WARMUP:-5}; STREAMS=${STREAMS:-1}
if ! command -v iperf3 >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iperf3 >/dev/null
fi
out=bench/out/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out"
{ echo "date: $(date -Is)"; uname -r; echo "cores: $(nproc)"; grep -m1 'model name' /proc/cpuinfo || true
  ./tunctl --version; iperf3 --version | head -1; } >"$out/host.txt"
args=(--runs "$RUNS" --seconds "$SECS" --warmup "$WARMUP" --streams "$STREAMS")
[[ -n "${ONLY:-}" ]] && args+=(--only "$ONLY")
./tunctl bench "${args[@]}" --json-file "$out/rows.json" | tee "$out/table.txt"
echo "results in $out"
