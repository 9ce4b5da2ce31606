#!/bin/bash
# `make container-test`: runs `make test` inside the Bridge test container (a private dockerd if no engine answers,
# the image built from this directory's recipe if its tag is missing), and exits with the test run's exit code.
#   containers/image/container-test.sh [--keep-engine] [--timeout-minutes N] [-- COMMAND ARGS...]
# Exit codes: the command's; 124 timed out; 130 interrupted; 2 bad usage or setup error; 3 no engine available.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
exec dotnet run --file "$here/container-test.cs" -- --repo "$repo" "$@"
