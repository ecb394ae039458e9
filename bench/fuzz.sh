#!/usr/bin/env bash
# Fuzz campaign: the Jazzer fuzz targets of tun-core, transport-http, transport-socks and transport-p2p for RUNS
# inputs each (default 10,000,000: the campaign docs/reliability.md asks for), through the same FuzzTargetsIT the CI
# stage runs, without its time bound. Prints a table (target, runs, seconds, exec/s, findings) and writes it as
# markdown to bench/results/fuzz-<date>.md for docs/reliability.md. A finding fails its module's run and prints the
# crashing input (hex) and stack; the full driver log is named there.
# Each target's new inputs are kept in bench/results/fuzz-corpus/<Target>/ (git-ignored), so a second run of a
# target continues from what the first found.
# Usage: bench/fuzz.sh [runs per target, default 10000000] [extra Maven arguments, e.g. -o -Dmaven.repo.local=...]
# Environment: TARGETS=A,B (simple class names, default all), FUZZ_SECONDS=N (also stop each target after N s).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-10000000}
shift || true
MODULES=(tun-core transport-http transport-socks transport-p2p)
mkdir -p bench/results/fuzz-corpus
REPORT=$(mktemp)
trap 'rm -f "$REPORT"' EXIT
OUT=bench/results/fuzz-$(date -u +%Y%m%d-%H%M).md
./build.sh -q "$@" -DskipTests install -pl "$(IFS=,; echo "${MODULES[*]}")" -am
status=0
start=$(date +%s)
for m in "${MODULES[@]}"; do
  ./build.sh "$@" -pl "$m" verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=FuzzTargetsIT \
    -Dtunctl.fuzz.runs="$RUNS" -Dtunctl.fuzz.seconds="${FUZZ_SECONDS:-0}" -Dtunctl.fuzz.seed=0 \
    -Dtunctl.fuzz.targets="${TARGETS:-}" -Dtunctl.fuzz.corpus="$PWD/bench/results/fuzz-corpus" \
    -Dtunctl.fuzz.report="$REPORT" >"$REPORT.$m.log" 2>&1 || { status=1; tail -40 "$REPORT.$m.log"; }
  grep -E 'inputs in|FINDING|input \(hex\)' "$REPORT.$m.log" || true
  rm -f "$REPORT.$m.log"
done
{
  echo "Fuzz campaign, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)),"
  echo "$RUNS inputs per target requested${FUZZ_SECONDS:+ (at most ${FUZZ_SECONDS} s each)}, $(( $(date +%s) - start )) s in all (start-up of each driver included in seconds)."
  echo
  echo "| target | runs | seconds | exec/s | findings |"
  echo "|---|---:|---:|---:|---:|"
  cat "$REPORT"
} | tee "$OUT"
echo "written to $OUT"
exit $status
