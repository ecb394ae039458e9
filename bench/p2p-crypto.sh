#!/usr/bin/env bash
# Runs the p2p crypto JMH benchmarks briefly and prints min/median/max per benchmark (from the per-iteration scores).
# Usage: bench/p2p-crypto.sh [extra JMH args]    (builds benchmarks/target/benchmarks.jar first)
set -euo pipefail
cd "$(dirname "$0")/.."
./build.sh -q -pl benchmarks -am package -DskipTests
source scripts/find-jdk.sh
tunctl_find_jdk
out=${TMPDIR:-/tmp}/p2p-crypto-jmh.json
"$TUNCTL_JAVA_HOME/bin/java" -jar benchmarks/target/benchmarks.jar 'io.tunctl.benchmarks.p2p.*' -rf json -rff "$out" "$@" >&2
python3 - "$out" <<'PY'
import json, statistics, sys
for b in json.load(open(sys.argv[1])):
    name = b["benchmark"].rsplit(".", 2)[-2:]
    params = ",".join(f"{k}={v}" for k, v in sorted(b.get("params", {}).items()))
    raw = [x for fork in b["primaryMetric"]["rawData"] for x in fork]
    unit = b["primaryMetric"]["scoreUnit"]
    line = f'{".".join(name):45s} {params:32s} min {min(raw):12.1f} median {statistics.median(raw):12.1f} max {max(raw):12.1f} {unit}'
    size = int(b.get("params", {}).get("size", 0))
    if size:
        mb = [x * size / 1e6 for x in raw]
        line += f'   = {min(mb):7.1f} / {statistics.median(mb):7.1f} / {max(mb):7.1f} MB/s'
    print(line)
PY
