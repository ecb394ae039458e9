#!/usr/bin/env bash
# Runs every test: the unit tests (surefire, *Test) and the integration tests (failsafe, *IT), which need root
# because they create network namespaces, TUN devices and real peers. Integration tests fail instead of
# skipping here (-Dtunctl.it.require=true), and this script fails if none ran or any was skipped.
# Extra arguments go to Maven (e.g. -pl tun-core -am).
set -euo pipefail
cd "$(dirname "$0")"
if [[ $(id -u) != 0 ]]; then
  echo "test.sh: the integration tests need root (network namespaces, TUN devices): run as root or with sudo" >&2
  exit 2
fi
./build.sh -B verify -Dtunctl.it.require=true "$@"

# Sum the JUnit XML reports: <testsuite tests=".." failures=".." errors=".." skipped="..">
sum() { # dir-glob -> "tests failures errors skipped"
  local t=0 f=0 e=0 s=0 file head
  for file in $1; do
    [[ -f "$file" ]] || continue
    head=$(grep -m1 -o '<testsuite [^>]*' "$file")
    t=$((t + $(sed -n 's/.* tests="\([0-9]*\)".*/\1/p' <<<"$head")))
    f=$((f + $(sed -n 's/.* failures="\([0-9]*\)".*/\1/p' <<<"$head")))
    e=$((e + $(sed -n 's/.* errors="\([0-9]*\)".*/\1/p' <<<"$head")))
    s=$((s + $(sed -n 's/.* skipped="\([0-9]*\)".*/\1/p' <<<"$head")))
  done
  echo "$t $f $e $s"
}
read -r ut uf ue us < <(sum "*/target/surefire-reports/TEST-*.xml docs/examples/*/target/surefire-reports/TEST-*.xml")
read -r it if ie is < <(sum "*/target/failsafe-reports/TEST-*.xml docs/examples/*/target/failsafe-reports/TEST-*.xml")
echo "unit: $((ut - uf - ue - us)) passed, $((uf + ue)) failed, $us skipped"
echo "root: $((it - if - ie - is)) passed, $((if + ie)) failed, $is skipped"
status=0
if (( it == 0 )); then echo "test.sh: no integration (root) test ran" >&2; status=1; fi
if (( is > 0 )); then echo "test.sh: $is integration test(s) skipped; they must run here" >&2; status=1; fi
echo "total: $((ut + it - uf - ue - us - if - ie - is)) passed, $((uf + ue + if + ie)) failed, $((us + is)) skipped"
exit $status
