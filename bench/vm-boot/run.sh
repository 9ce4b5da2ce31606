#!/usr/bin/env bash
# VM boot cost per kernel line under qemu (KVM where it runs the kernel, else TCG): boot to poweroff with a bare
# `true` in the guest, next to boot + a .NET hello run from the host root over 9p; the ratio is what starting .NET
# in the guest adds. Kernels come from the cache ($BRIDGE_CACHE or ~/.cache/bridge); only the first run fetches them.
# VM_LINES picks the kernel lines (default: debian-6.12 debian-6.1), VM_REPEAT the boots per measurement (3).
set -euo pipefail
cd "$(dirname "$0")/../.."
BENCH=artifacts/bin/Bridge.Bench/${CONFIG:-release}/Bridge.Bench
for line in ${VM_LINES:-debian-6.12 debian-6.1}; do
  "$BENCH" vm-boot "$line" "${VM_REPEAT:-3}" | python3 -c '
import sys
line = sys.argv[1]
f = sys.stdin.read().split()
v = dict(zip(f[0::2], f[1::2]))
bare, hello = float(v["bare_min"]), float(v["hello_min"])
bare_mean, hello_mean, accel = float(v["bare_mean"]), float(v["hello_mean"]), v["accelerator"]
print(f"{line:12} {accel:4}  bare boot→poweroff {bare:5.2f} s (mean {bare_mean:5.2f})  boot+dotnet hello {hello:5.2f} s (mean {hello_mean:5.2f})  ratio {hello/bare:.2f}")' "$line"
done
