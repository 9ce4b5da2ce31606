#!/bin/sh
# Boot-to-poweroff per kernel line, bare and with a .NET hello in the guest; prints the ratio.
# Usage: bench/vm-boot/run.sh [--repeat N] [KERNEL-LINE …]   (from anywhere; kernels are cached in $BRIDGE_CACHE
# or ~/.cache/bridge, so only the first run fetches them)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dotnet build -c Release --nologo -v quiet "$here/VmBootBench.csproj" >&2
root=$(cd "$here/../.." && pwd)
exec dotnet "$root/artifacts/bin/VmBootBench/release/VmBootBench.dll" "$@"
