#!/usr/bin/env bash
# Fuzz campaign: every Jazzer fuzz target of tun-core, transport-http, transport-socks and transport-p2p for RUNS
# inputs each (default 10,000,000: the campaign docs/reliability.md asks for), through the same FuzzTargetsIT the CI
# stage runs, without its time bound. Prints a table (target, runs, seconds, exec/s, findings) and writes it as
# markdown to bench/results/fuzz-<date>.md for docs/reliability.md. A finding fails its module's run and prints the
# crashing input (hex) and stack; the full driver log is named there.
# Usage: bench/fuzz.sh [runs per target, default 10000000] [extra Maven arguments, e.g. -o -Dmaven.repo.local=...]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-10000000}
shift || true
MODULES=(tun-core transport-http transport-socks transport-p2p)
mkdir -p bench/results
REPORT=$(mktemp)
trap 'rm -f "$REPORT"' EXIT
OUT=bench/results/fuzz-$(date -u +%Y%m%d-%H%M).md
./build.sh -q "$@" -DskipTests install -pl "$(IFS=,; echo "${MODULES[*]}")" -am
status=0
start=$(date +%s)
for m in "${MODULES[@]}"; do
  ./build.sh "$@" -pl "$m" verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=FuzzTargetsIT \
    -Dtunctl.fuzz.runs="$RUNS" -Dtunctl.fuzz.seconds=0 -Dtunctl.fuzz.seed=0 -Dtunctl.fuzz.report="$REPORT" | grep -E 'inputs in|FINDING|input \(hex\)' || status=1
done
{
  echo "Fuzz campaign, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)),"
  echo "$RUNS inputs per target requested, $(( $(date +%s) - start )) s in all (start-up of each driver included in seconds)."
  echo
  echo "| target | runs | seconds | exec/s | findings |"
  echo "|---|---:|---:|---:|---:|"
  cat "$REPORT"
} | tee "$OUT"
echo "written to $OUT"
exit $status
