#!/usr/bin/env bash
# RDMA WRITE throughput on soft-RoCE inside a VM (the host kernel has no RDMA): Bridge's path (native/verbs.c, one
# work request in flight, as the harness's device issues them) against perftest's ib_write_bw over the same rxe
# device in the same guest, as a ratio. VM_LINES picks the kernels (default debian-6.12), RDMA_SIZE the message size.
set -euo pipefail
cd "$(dirname "$0")/../.."
BENCH=artifacts/bin/Bridge.Bench/${CONFIG:-release}/Bridge.Bench
size=${RDMA_SIZE:-65536}
for line in ${VM_LINES:-debian-6.12}; do
  "$BENCH" vm-rdma "$line" "$size" "${SECONDS_EACH:-5}" | python3 -c '
import sys
line, size = sys.argv[1], int(sys.argv[2])
f = sys.stdin.read().split()
v = dict(zip(f[0::2], f[1::2]))
perf, bridge = float(v["perftest_gbps"]), float(v["bridge_gbps"])
print(f"{line:12} RDMA WRITE {size} B: bridge {bridge:.3f} Gb/s  ib_write_bw {perf:.3f} Gb/s  ratio {bridge/perf:.2f}")' "$line" "$size"
done
