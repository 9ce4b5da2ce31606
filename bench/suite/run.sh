#!/usr/bin/env bash
# The default suite on the host kernel: wall time and time per scenario, next to the same binary running one
# trivial scenario (start-up, JIT and a loop mount: the fixed cost every run pays). Goal: well under a minute.
set -euo pipefail
cd "$(dirname "$0")/../.."
BRIDGE=artifacts/pinbridge/pinbridge
one=$(mktemp /tmp/bridge-one-XXXX.scn)
trap 'rm -f "$one"' EXIT
printf 'backing ext4\nfile size=64K\nstore gen=1\nfsync\ncheck\n' > "$one"
t0=$(date +%s.%N); "$BRIDGE" run "$one" >/dev/null; t1=$(date +%s.%N)
out=$("$BRIDGE" run --suite default 2>/dev/null || true); t2=$(date +%s.%N)
count=$(echo "$out" | tail -1 | awk '{print $1}')
python3 - "$t0" "$t1" "$t2" "$count" <<'PY'
import sys
t0, t1, t2, n = map(float, sys.argv[1:])
one, suite = t1 - t0, t2 - t1
print(f"default suite: {int(n)} scenarios in {suite:.1f} s ({1000*suite/n:.0f} ms each); one trivial scenario {one:.2f} s; suite/one {suite/one:.1f}x  (goal < 60 s) {'ok' if suite < 60 else 'OVER GOAL'}")
PY
