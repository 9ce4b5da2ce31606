#!/usr/bin/env bash
# Where the time of one VM run goes (bench vm-stages, VmStages.cs): one scenario run by the agent exactly as
# `pinbridge run --target vm:LINE` starts it, split into qemu + firmware, kernel boot to /init, /init to the command
# (modules, 9p, disks), the agent's start to its first message, the scenario, the agent's exit and the power-off.
# VM_LINES picks the kernel lines (default: debian-6.12), VM_REPEAT the runs averaged (2). The load average is printed
# with it: under TCG every stage is CPU time the other processes of the machine share.
set -euo pipefail
cd "$(dirname "$0")/../.."
BENCH=artifacts/bin/Bridge.Bench/${CONFIG:-release}/Bridge.Bench
one=$(mktemp /tmp/bridge-vm-stages-XXXX.scn)
trap 'rm -f "$one"' EXIT
printf 'backing ext4\nfile size=64K\nstore gen=1\nfsync\ncheck\n' > "$one"
for line in ${VM_LINES:-debian-6.12}; do
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  "$BENCH" vm-stages "vm:$line" "$one" "${VM_REPEAT:-2}" | python3 -c '
import sys
line, load = sys.argv[1], sys.argv[2]
f = sys.stdin.read().split()
v = dict(zip(f[0::2], map(float, f[1::2])))
total = v.pop("total")
print(f"{line:12} total {total:5.1f} s (load {load}): " + "  ".join(f"{k} {s:4.1f}" for k, s in v.items()))' "$line" "$load"
done
