#!/usr/bin/env bash
# explore's cost over the kernel's: the wall time of `pinbridge explore --target host --seed S --count N` (generation,
# judging, signatures; with --policy the model beside each scenario too) next to the very same generated scenarios run
# by `pinbridge run` — all in one process (the kernel's and the harness's time: the floor explore adds to) and one
# process per scenario (what scripting `run` over generated files would cost). Goal (issue 17): exploration overhead
# under 10% of kernel time, i.e. explore / run-all <= 1.10. Shrinking is part of explore: the line says how many
# failures it shrank (each costs extra runs, on top of the scenarios). SEED and COUNT choose the scenarios.
set -euo pipefail
cd "$(dirname "$0")/../.."
BRIDGE=artifacts/pinbridge/pinbridge
BENCH=artifacts/bin/Bridge.Bench/${CONFIG:-release}/Bridge.Bench
seed=${SEED:-17}
count=${COUNT:-40}
dir=$(mktemp -d /tmp/bridge-explore-bench-XXXX)
trap 'rm -rf "$dir"' EXIT
"$BENCH" explore-scenarios "$seed" "$count" "$dir"
seconds() { local t0 t1; t0=$(date +%s.%N); "$@" >"$dir/out" 2>/dev/null || true; t1=$(date +%s.%N); python3 -c "import sys; print(float(sys.argv[1]) - float(sys.argv[2]))" "$t1" "$t0"; }
explore=$(seconds "$BRIDGE" explore --target host --seed "$seed" --count "$count" --json)
found=$(python3 -c "import json, sys; print(len(json.load(open(sys.argv[1]))['findings']))" "$dir/out")
model=$(seconds "$BRIDGE" explore --target host --policy linux-6.5+ --seed "$seed" --count "$count" --json)
found_model=$(python3 -c "import json, sys; print(len(json.load(open(sys.argv[1]))['findings']))" "$dir/out")
all=$(seconds "$BRIDGE" run "$dir"/*.scn)
each=0
for f in "$dir"/*.scn; do
  each=$(python3 -c "import sys; print(float(sys.argv[1]) + float(sys.argv[2]))" "$each" "$(seconds "$BRIDGE" run "$f")")
done
python3 - "$count" "$explore" "$found" "$model" "$found_model" "$all" "$each" <<'PY'
import sys
n = int(sys.argv[1]); explore, found, model, found_model, run_all, each = float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]), float(sys.argv[7])
print(f"explore host: {n} scenarios  explore {n/explore:.2f}/s ({found} shrunk)  explore --policy {n/model:.2f}/s ({found_model} shrunk)  "
      f"run all-in-one {n/run_all:.2f}/s  run one at a time {n/each:.2f}/s")
print(f"  explore/run-all {explore/run_all:.3f}  explore --policy/run-all {model/run_all:.3f}  (goal <= 1.10) {'ok' if model/run_all <= 1.10 else 'OVER GOAL'}  "
      f"run-one-at-a-time/explore {each/explore:.2f}x")
PY
