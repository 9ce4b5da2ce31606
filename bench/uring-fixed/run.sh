#!/usr/bin/env bash
# io_uring fixed-buffer reads: Bridge's native path (native/uring.c through the managed interop) against
# fio --ioengine=io_uring --fixedbufs on the same file, block size and queue depth, in the same run.
# Goal: Bridge >= 0.9x fio.
set -euo pipefail
cd "$(dirname "$0")/../.."
BENCH=artifacts/bin/Bridge.Bench/${CONFIG:-release}/Bridge.Bench
SECONDS_EACH=${SECONDS_EACH:-5}
dir=$(mktemp -d /var/tmp/bridge-bench-XXXX)
trap 'rm -rf "$dir"' EXIT
file=$dir/data
dd if=/dev/urandom of="$file" bs=1M count=256 status=none
for bs in 4096 65536; do
  bridge=$("$BENCH" uring-read "$file" $bs "$SECONDS_EACH" | awk '/bytes_per_second/ {print $2}')
  fio=$(fio --name=fixed --filename="$file" --rw=read --bs=$bs --direct=1 --ioengine=io_uring --fixedbufs \
        --iodepth=1 --runtime="$SECONDS_EACH" --time_based --output-format=json 2>/dev/null \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["jobs"][0]["read"]["bw_bytes"])')
  python3 - "$bs" "$bridge" "$fio" <<'PY'
import sys
bs, bridge, fio = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
ratio = bridge / fio
print(f"READ_FIXED bs={bs:>6}: bridge {bridge/1e6:8.1f} MB/s  fio {fio/1e6:8.1f} MB/s  ratio {ratio:.2f}  (goal >= 0.90) {'ok' if ratio >= 0.9 else 'BELOW GOAL'}")
PY
done
