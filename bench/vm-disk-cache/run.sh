#!/usr/bin/env bash
# What honouring the guest's flushes costs a VM run that cuts no power: the same scenarios (fsync- and msync-heavy
# races and writes on ext4, xfs, btrfs) on the same kernel with the recipe's disks at cache=unsafe (what such runs
# use) and at cache=writeback (what a run with a crash step uses: a guest flush is an fdatasync of the image), the two
# alternating REPEAT times in the same run. Prints each time and the ratio writeback/unsafe of the best times.
set -euo pipefail
cd "$(dirname "$0")/../.."
BRIDGE=artifacts/pinbridge/pinbridge
line=${VM_LINE:-debian-6.12}
repeat=${REPEAT:-2}
config=$(mktemp -d /tmp/bridge-cache-XXXX)
trap 'rm -rf "$config"' EXIT
mkdir -p "$config/pinbridge"
# A user recipe layer replaces the disk arguments (containers/vm/recipe.json's qemu.disk, with {cache} filled in).
printf '{"qemu": {"disk": ["-drive", "file={image},if=virtio,format=raw,cache=writeback"]}}\n' > "$config/pinbridge/recipe.json"
scenarios=(scenarios/default/races.scn scenarios/default/writes.scn)
best_unsafe= best_writeback=
for i in $(seq "$repeat"); do
  for mode in unsafe writeback; do
    t0=$(date +%s.%N)
    if [ "$mode" = writeback ]; then XDG_CONFIG_HOME=$config "$BRIDGE" run "${scenarios[@]}" --target "vm:$line" >/dev/null || true
    else "$BRIDGE" run "${scenarios[@]}" --target "vm:$line" >/dev/null || true; fi
    t1=$(date +%s.%N)
    t=$(python3 -c "import sys; print(f'{float(sys.argv[1]) - float(sys.argv[2]):.1f}')" "$t1" "$t0")
    echo "round $i cache=$mode: $t s"
    if [ "$mode" = unsafe ]; then best_unsafe=$(python3 -c "import sys; print(min(float(x) for x in sys.argv[1:] if x))" "$t" "$best_unsafe")
    else best_writeback=$(python3 -c "import sys; print(min(float(x) for x in sys.argv[1:] if x))" "$t" "$best_writeback"); fi
  done
done
python3 - "$line" "$best_unsafe" "$best_writeback" <<'PY'
import sys
line, unsafe, writeback = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
print(f"{line}: races + writes, best of each: cache=unsafe {unsafe:.1f} s, cache=writeback {writeback:.1f} s: writeback/unsafe {writeback/unsafe:.2f}x")
PY
