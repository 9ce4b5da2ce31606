#!/usr/bin/env bash
# explore's cost over the kernel's: the wall time of `pinbridge explore --target host --seed S --count N` (generation,
# judging, signatures; with --policy the model beside each scenario too) next to the very same generated scenarios run
# by `pinbridge run` — all in one process (the kernel's and the harness's time: the floor explore adds to) and one
# process per scenario (what scripting `run` over generated files would cost). Goal (issue 17): exploration overhead
# under 10% of kernel time, i.e. explore / run-all <= 1.10, where explore's time leaves out the time it spent
# shrinking what it found (its JSON's shrinkSeconds: extra kernel runs of candidates, not overhead); the line says how
# many failures it shrank and what that cost. SEED and COUNT choose the scenarios.
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
# "FINDINGS SHRINK_SECONDS" of the explore run whose JSON is in $dir/out
shrunk() { python3 -c "import json, sys; d = json.load(open(sys.argv[1])); print(len(d['findings']), d['shrinkSeconds'])" "$dir/out"; }
explore=$(seconds "$BRIDGE" explore --target host --seed "$seed" --count "$count" --json)
read -r found shrink <<<"$(shrunk)"
model=$(seconds "$BRIDGE" explore --target host --policy linux-6.5+ --seed "$seed" --count "$count" --json)
read -r found_model shrink_model <<<"$(shrunk)"
all=$(seconds "$BRIDGE" run "$dir"/*.scn)
each=0
for f in "$dir"/*.scn; do
  each=$(python3 -c "import sys; print(float(sys.argv[1]) + float(sys.argv[2]))" "$each" "$(seconds "$BRIDGE" run "$f")")
done
python3 - "$count" "$explore" "$found" "$shrink" "$model" "$found_model" "$shrink_model" "$all" "$each" <<'PY'
import sys
n = int(sys.argv[1])
explore, found, shrink, model, found_model, shrink_model, run_all, each = map(float, sys.argv[2:])
explore, model = explore - shrink, model - shrink_model
print(f"explore host: {n} scenarios  explore {n/explore:.2f}/s  explore --policy {n/model:.2f}/s  run all-in-one {n/run_all:.2f}/s  "
      f"run one at a time {n/each:.2f}/s  (shrinking left out: {found:.0f} failures {shrink:.0f} s; with --policy {found_model:.0f} failures {shrink_model:.0f} s)")
print(f"  explore/run-all {explore/run_all:.3f}  explore --policy/run-all {model/run_all:.3f}  (goal <= 1.10) {'ok' if model/run_all <= 1.10 else 'OVER GOAL'}  "
      f"run-one-at-a-time/explore --policy {each/model:.2f}x")
PY
