#!/usr/bin/env bash
# `pinbridge exec` start → the command's first output line, against a bare boot of the same kernel (boot → poweroff
# with `true`, bench vm-boot) in the same run: the difference is what exec adds (the CLI's start, resolving the
# line from the index, the boot image, the guest prologue). Goal: under 1.5 s on every line. VM_LINES picks the lines
# (default: debian-6.12 debian-sid), VM_REPEAT the runs per measurement (3); minimum of each is compared.
set -euo pipefail
cd "$(dirname "$0")/../.."
BENCH=artifacts/bin/Bridge.Bench/${CONFIG:-release}/Bridge.Bench
BRIDGE=artifacts/pinbridge/pinbridge
for line in ${VM_LINES:-debian-6.12 debian-sid}; do
  bare=$("$BENCH" vm-boot "$line" "${VM_REPEAT:-3}")
  python3 - "$line" "$BRIDGE" "${VM_REPEAT:-3}" "$bare" <<'PY'
import subprocess, sys, time
line, bridge, repeat, bare = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4].split()
v = dict(zip(bare[0::2], bare[1::2]))
firsts = []
for _ in range(repeat):
    start = time.monotonic()
    p = subprocess.Popen([bridge, "exec", "--target", f"vm:{line}", "--", "echo", "first"], stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, text=True)
    first = p.stdout.readline()
    firsts.append(time.monotonic() - start)
    p.stdout.read()
    if p.wait() != 0 or first.strip() != "first":
        sys.exit(f"{line}: pinbridge exec failed (exit {p.returncode}, first line {first!r})")
exec_min, bare_min = min(firsts), float(v["bare_min"])
print(f"{line:20} {v['accelerator']:4}  exec→first output {exec_min:5.2f} s (mean {sum(firsts)/len(firsts):5.2f})  "
      f"bare boot→poweroff {bare_min:5.2f} s  overhead {exec_min - bare_min:+5.2f} s (goal < 1.50)  ratio {exec_min/bare_min:.2f}")
PY
done
