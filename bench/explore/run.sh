#!/usr/bin/env bash
# explore's cost over the kernel's: `pinbridge explore --target host --seed S --count N` (generation, judging,
# signatures; with --policy the model beside each scenario too) next to the very same generated scenarios run by
# `pinbridge run` — all in one process (the kernel's and the harness's time: the floor explore adds to) and one process
# per scenario (what scripting `run` over generated files would cost). Like with like: every variant is one process
# printing its summary (explore's --json, run's table), explore does not shrink (--shrink none: shrinking runs extra candidates on the kernel, it is not
# overhead), and the variants alternate over ROUNDS rounds, each keeping its fastest. Wall time on a shared 2-core
# machine swings by half between identical runs, so CPU time (user + sys, GNU time) is measured too, and the load
# average is printed next to the numbers. Goal (issue 17): exploration overhead under 10% of kernel time, i.e.
# explore / run-all <= 1.10. A process's fixed start-up (the runtime, the model's first JIT) is paid once per
# exploration, however long it runs; so each variant also runs the sequence's first COUNT/4 scenarios, and the
# marginal ratio — the extra time of the last 3/4 of the scenarios over run-all's — is what an hour of exploration
# costs per scenario. SEED, COUNT and ROUNDS choose the scenarios and the repetitions.
set -euo pipefail
cd "$(dirname "$0")/../.."
BRIDGE=artifacts/pinbridge/pinbridge
BENCH=artifacts/bin/Bridge.Bench/${CONFIG:-release}/Bridge.Bench
seed=${SEED:-17}
count=${COUNT:-80}
small=$((count / 4))
rounds=${ROUNDS:-2}
dir=$(mktemp -d /tmp/bridge-explore-bench-XXXX)
trap 'rm -rf "$dir"' EXIT
"$BENCH" explore-scenarios "$seed" "$count" "$dir"
# "WALL CPU" of one command
# (GNU time puts "Command exited with non-zero status 1" first when explore found something: the numbers are last)
measure() { /usr/bin/time -f "%e %U %S" -o "$dir/time" "$@" >"$dir/out" 2>/dev/null || true; tail -n1 "$dir/time" | awk '{print $1, $2 + $3}'; }
# the fastest "WALL CPU" of a variant so far (each keeps its minimum of each)
best() { awk -v w="$2" -v c="$3" '{ if (NF == 0 || w < $1) $1 = w; if (NF < 2 || c < $2) $2 = c; print $1, $2 }' <<<"${1:-$2 $3}"; }
declare -A fastest
variant() { # NAME N: one run of a variant over the sequence's first N scenarios
  local n=$2 result
  case $1 in
    explore) result=$(measure "$BRIDGE" explore --target host --seed "$seed" --count "$n" --shrink none --json) ;;
    model) result=$(measure "$BRIDGE" explore --target host --policy linux-6.5+ --seed "$seed" --count "$n" --shrink none --json) ;;
    all) result=$(measure "$BRIDGE" run $(ls "$dir"/*.scn | head -n "$n")) ;;
  esac
  fastest[$1.$n]=$(best "${fastest[$1.$n]:-}" $result)
}
load0=$(cut -d' ' -f1-3 /proc/loadavg)
for _ in $(seq "$rounds"); do
  for n in "$small" "$count"; do
    for v in explore model all; do variant $v "$n"; done
  done
done
each_wall=0
for f in "$dir"/*.scn; do
  read -r w _ <<<"$(measure "$BRIDGE" run "$f")"
  each_wall=$(python3 -c "import sys; print(float(sys.argv[1]) + float(sys.argv[2]))" "$each_wall" "$w")
done
load1=$(cut -d' ' -f1-3 /proc/loadavg)
python3 - "$count" "$small" "$rounds" ${fastest[explore.$count]} ${fastest[model.$count]} ${fastest[all.$count]} \
  ${fastest[explore.$small]} ${fastest[model.$small]} ${fastest[all.$small]} "$each_wall" "$load0" "$load1" <<'PY'
import sys
n, k, rounds = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
ew, ec, mw, mc, aw, ac, sew, sec, smw, smc, saw, sac, each = map(float, sys.argv[4:17])
print(f"explore host: {n} scenarios, fastest of {rounds} alternating rounds (load average {sys.argv[17]} before, {sys.argv[18]} after)")
print(f"  wall: explore {n/ew:.2f}/s  explore --policy {n/mw:.2f}/s  run all-in-one {n/aw:.2f}/s  run one at a time {n/each:.2f}/s")
print(f"  whole run ({n}): explore/run-all wall {ew/aw:.3f} cpu {ec/ac:.3f}   explore --policy/run-all wall {mw/aw:.3f} cpu {mc/ac:.3f}"
      f"   run-one-at-a-time/explore --policy {each/mw:.2f}x")
def marginal(x, sx, y, sy): return (x - sx) / (y - sy) if y > sy else float("nan")
mwm, mcm = marginal(mw, smw, aw, saw), marginal(mc, smc, ac, sac)
print(f"  per scenario past the first {k} (start-up excluded): explore wall {marginal(ew, sew, aw, saw):.3f} cpu {marginal(ec, sec, ac, sac):.3f}"
      f"   explore --policy wall {mwm:.3f} cpu {mcm:.3f}  (goal <= 1.10) {'ok' if mwm <= 1.10 else 'OVER GOAL'}")
print(f"  start-up ({k} scenarios): explore --policy {smw:.2f} s wall {smc:.2f} s cpu, run-all {saw:.2f} s wall {sac:.2f} s cpu")
PY
