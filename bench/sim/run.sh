#!/usr/bin/env bash
# The simulator's speed: simulated steps per second on the seed scenario and on a long run of data steps, each
# next to a raw loop doing the same table and page work in the same run; and exploration's time on the
# model to the legacy lost write. Goal: >= 1 M steps/s; exploration finds the lost write in under a second.
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet artifacts/bin/Bridge.Bench.Sim/${CONFIG:-release}/Bridge.Bench.Sim.dll "${SECONDS_EACH:-2}"
