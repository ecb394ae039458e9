#!/usr/bin/env bash
# startup-ab.sh — A/B of start-up times: `tunctl --version`, and `tunctl up` (udp) until its "tunnel up" line, for
# several variants taken in turns within each round, so that the box's drift (±15 % over minutes on a shared 2-vCPU
# VM) hits every variant alike. A variant is a list of environment assignments for the launcher, e.g.
#
#   sudo bench/startup-ab.sh 11 '' 'TUNCTL_JAVA_OPTS=-Xmn6m' 'TUNCTL=/other/checkout/tunctl'
#
# ('' is the launcher as it is). `up` runs in a namespace of this script's own (a veth pair inside it carries the udp
# socket's address; nothing leaves the namespace); its output is read from a pipe as it comes, with bash's clock.
# Prints min/median/max ms per variant and command.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
ROUNDS=${1:-9}; shift || true
(( $# > 0 )) || set -- ''
NS=tsu-$$
WORK=$(mktemp -d /tmp/tunctl-startup.XXXXXX)
cleanup() { ip netns del "$NS" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
ip netns add "$NS"
ip -n "$NS" link set lo up
ip -n "$NS" link add tsu-a type veth peer name tsu-b
ip -n "$NS" addr add 192.0.2.1/24 dev tsu-a
ip -n "$NS" link set tsu-a up; ip -n "$NS" link set tsu-b up
cat >"$WORK/udp.yaml" <<EOF
transport: udp
interface: { name: tsu0, mtu: 1420, addresses: ["198.51.100.1/24"] }
udp: { listen: "192.0.2.1:51820", peer: "192.0.2.2:51820" }
EOF

ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }
# run_variant I: one --version and one up with variant I's environment; appends to VER[I] and UP[I]
declare -a VER UP
run_variant() {
  local i=$1 t0 line up_ms="" p fd
  local -a env=()
  [[ -n "${VARIANTS[$i]}" ]] && read -r -a env <<<"${VARIANTS[$i]}"
  local tunctl=$REPO/tunctl kv
  for kv in "${env[@]}"; do [[ "$kv" == TUNCTL=* ]] && tunctl=${kv#TUNCTL=}; done
  t0=$(ms); env "${env[@]}" "$tunctl" --version >/dev/null; VER[i]+=" $(($(ms) - t0))"
  t0=$(ms)
  exec {fd}< <(exec ip netns exec "$NS" env "${env[@]}" "$tunctl" up "$WORK/udp.yaml" 2>&1)
  p=$!
  while IFS= read -r -t 15 -u "$fd" line; do
    if [[ $line == *"tunnel up"* ]]; then up_ms=$(($(ms) - t0)); break; fi
  done
  kill -TERM "$p" 2>/dev/null || true
  cat <&"$fd" >/dev/null; exec {fd}<&-
  wait "$p" 2>/dev/null || true
  [[ -n "$up_ms" ]] || { echo "variant '${VARIANTS[$i]}': no 'tunnel up' within 15 s" >&2; exit 1; }
  UP[i]+=" $up_ms"
}
mmm() { printf '%s\n' $1 | sort -n | awk '{a[NR]=$1} END {printf "%d / %d / %d", a[1], a[int((NR + 1) / 2)], a[NR]}'; }

VARIANTS=("$@")
for r in $(seq "$ROUNDS"); do
  for i in "${!VARIANTS[@]}"; do run_variant "$i"; done
done
echo "# $(date -u +%FT%TZ) $(uname -r) $(nproc) cpu, load $(cut -d' ' -f1-3 /proc/loadavg), $ROUNDS rounds; ms min / median / max"
for i in "${!VARIANTS[@]}"; do
  printf '%-60s --version %s   up %s\n' "'${VARIANTS[$i]}'" "$(mmm "${VER[i]}")" "$(mmm "${UP[i]}")"
done
