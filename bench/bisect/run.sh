#!/usr/bin/env bash
# `pinbridge bisect --every` over the N newest versions of a kernel line (BISECT_VERSIONS, default 3; VM_LINE, default
# debian-6.12) with a one-scenario file, against two peers measured in the same run on the same kernels: N bare boots
# (boot → poweroff with `true`, bench vm-boot: what booting alone costs) and N `pinbridge run --target vm:LINE@VERSION`
# of the same scenario (what the runs cost without the search). bisect/bare is the issue's measure (goal: overhead
# < 30%); bisect/runs is what the search's own bookkeeping adds (listing the index, planning, judging, reporting).
# Kernels are fetched and boot images built before anything is timed.
set -euo pipefail
cd "$(dirname "$0")/../.."
BRIDGE=artifacts/pinbridge/pinbridge
BENCH=artifacts/bin/Bridge.Bench/${CONFIG:-release}/Bridge.Bench
line=${VM_LINE:-debian-6.12}
n=${BISECT_VERSIONS:-3}
mapfile -t versions < <("$BENCH" versions "$line" | head -n "$n")
[ "${#versions[@]}" -ge 2 ] || { echo "bench/bisect: $line offers ${#versions[@]} versions; need 2 or more" >&2; exit 1; }
one=$(mktemp /tmp/bridge-bisect-bench-XXXX.scn)
out=$(mktemp /tmp/bridge-bisect-bench-XXXX.json)
trap 'rm -f "$one" "$out"' EXIT
printf 'backing ext4\nfile size=64K\nstore gen=1\nfsync\ncheck\n' > "$one"
now() { date +%s.%N; }
bare=0
for v in "${versions[@]}"; do
  b=$("$BENCH" vm-boot "$line@$v" 1 | awk '{print $4}')   # prepares (fetch, boot image) before timing
  bare=$(python3 -c "print($bare + $b)")
done
runs=0
for v in "${versions[@]}"; do
  t0=$(now); "$BRIDGE" run "$one" --target "vm:$line@$v" >/dev/null; t1=$(now)
  runs=$(python3 -c "print($runs + $t1 - $t0)")
done
t0=$(now)
code=0; "$BRIDGE" bisect "$one" --line "$line" --good "${versions[-1]}" --bad "${versions[0]}" --every --json > "$out" 2>/dev/null || code=$?
t1=$(now)
tested=$(jq '.tested | length' "$out")
[ "$code" -le 1 ] && [ "$tested" -eq "${#versions[@]}" ] || { echo "bench/bisect: bisect exited $code after $tested of ${#versions[@]} versions" >&2; exit 1; }
python3 - "$line" "${#versions[@]}" "$bare" "$runs" "$t0" "$t1" <<'PY'
import sys
line, n = sys.argv[1], int(sys.argv[2])
bare, runs, t0, t1 = map(float, sys.argv[3:])
bisect = t1 - t0
over = bisect / bare - 1
print(f"{line:12} {n} versions: bisect --every {bisect:6.1f} s | {n} bare boots {bare:6.1f} s (overhead {over:+.0%}; goal < 30% "
      f"{'ok' if over < 0.30 else 'OVER'}) | {n} pinbridge run {runs:6.1f} s (bisect's own bookkeeping {bisect / runs - 1:+.0%})")
PY
