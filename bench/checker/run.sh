#!/usr/bin/env bash
# What a check costs: decoding self-checking blocks (crc32c of every sector, header, uniformity) against a bare
# hardware crc32c loop over the same bytes in the same run. The checker should run near memory speed.
set -euo pipefail
cd "$(dirname "$0")/../.."
BENCH=artifacts/bin/Bridge.Bench/${CONFIG:-release}/Bridge.Bench
"$BENCH" checker 256 | python3 -c '
import sys
f = sys.stdin.read().split()
codec, raw, hits, method = float(f[1]), float(f[3]), float(f[5]), f[7]
print(f"block decode {codec/1e9:6.2f} GB/s  bare crc32c {raw/1e9:6.2f} GB/s  ratio {codec/raw:.2f}  (crc32c by {method}; a repeat read through the decode memo {hits/1e9:6.2f} GB/s)")'
