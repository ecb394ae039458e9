#!/usr/bin/env bash
# netns.sh up|down|status — the two-host topology the benchmarks use, for running things by hand:
#   tb-a (192.0.2.1/24, veth tb-va) <==veth==> tb-b (192.0.2.2/24, veth tb-vb)
# RFC 5737 addresses, alive only inside the two namespaces. Idempotent both ways.
# (`tunctl bench` builds its own, PID-suffixed copy of this topology and removes it when done.)
set -euo pipefail
NS_A=${NS_A:-tb-a}
NS_B=${NS_B:-tb-b}
exists() { ip netns list | awk '{print $1}' | grep -qx "$1"; }
case "${1:-}" in
  up)
    exists "$NS_A" || ip netns add "$NS_A"
    exists "$NS_B" || ip netns add "$NS_B"
    if ! ip -n "$NS_A" link show tb-va >/dev/null 2>&1; then
      ip link add tb-va netns "$NS_A" type veth peer name tb-vb netns "$NS_B"
    fi
    for ns in "$NS_A" "$NS_B"; do ip -n "$ns" link set lo up; done
    ip -n "$NS_A" addr replace 192.0.2.1/24 dev tb-va
    ip -n "$NS_B" addr replace 192.0.2.2/24 dev tb-vb
    ip -n "$NS_A" link set tb-va up
    ip -n "$NS_B" link set tb-vb up
    for _ in $(seq 50); do ip netns exec "$NS_A" ping -c1 -W1 -q 192.0.2.2 >/dev/null 2>&1 && exit 0; sleep 0.1; done
    echo "netns.sh: $NS_A cannot reach 192.0.2.2" >&2; exit 1 ;;
  down)
    exists "$NS_A" && ip netns del "$NS_A"
    exists "$NS_B" && ip netns del "$NS_B"
    exit 0 ;;
  status)
    for ns in "$NS_A" "$NS_B"; do
      if exists "$ns"; then echo "== $ns"; ip -n "$ns" -br addr; else echo "== $ns (absent)"; fi
    done ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
