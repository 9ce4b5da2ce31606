#!/usr/bin/env bash
# SIGKILLs real `bridge run`s at random points and counts what they leave behind: after the kill, and after the
# next run (or `bridge cleanup`). The xunit test (tests/Bridge.Cli.Tests/KillTests.cs) does the same with fewer
# kills; this is the longer manual version.
#   tests/leaks/kill-runs.sh [KILLS] [TARGET]      e.g. tests/leaks/kill-runs.sh 20 host
set -uo pipefail
kills=${1:-10}
target=${2:-host}
here=$(cd "$(dirname "$0")/../.." && pwd)
bridge=${BRIDGE:-$here/artifacts/bridge/bridge}
work=$here/tests/leaks

# What the runs this script killed can leave behind, one line per resource: anything named after their pids (scratch
# directories, their mounts and loop devices, shared-memory directories, VM run directories name their owner inside),
# qemu processes they started, their containers, and the machine-wide huge page count. Other Bridge runs on the
# machine (a test suite next door) are not counted, except through nr_hugepages.
pids=()
state() {
    echo "nr_hugepages $(cat /proc/sys/vm/nr_hugepages)"
    [ ${#pids[@]} = 0 ] && return
    local mine
    mine="bridge-(agent-|vm-)?($(IFS='|'; echo "${pids[*]}"))-"
    grep -E "$mine" /proc/self/mountinfo | awk '{print "mount " $5}'
    losetup -a 2>/dev/null | grep -E "$mine" | sed 's/^/loop /'
    find /var/tmp /dev/shm "${TMPDIR:-/tmp}" -maxdepth 1 -regextype egrep -regex ".*/$mine.*" -printf 'dir %p\n' 2>/dev/null
    # Builds before the run directories named their pid: a VM run directory's owner file, a container agent's
    # directory made since this script started.
    for d in "${TMPDIR:-/tmp}"/bridge-vm-*; do
        [ -f "$d/owner" ] && grep -qE "^($(IFS='|'; echo "${pids[*]}")) " "$d/owner" && echo "dir $d"
    done
    find /var/tmp -maxdepth 1 -name 'bridge-agent-*' -newer "$stamp" -regextype egrep ! -regex ".*/$mine.*" -printf 'dir %p\n' 2>/dev/null
    # qemu names its run directory (bridge-vm-PID-…) on its command line.
    pgrep -af -- "$mine" 2>/dev/null | grep qemu-system | awk '{print "qemu " $1}'
    if command -v docker >/dev/null && [ "$target" != host ]; then
        DOCKER_HOST=${DOCKER_HOST:-unix:///run/bridge-docker/docker.sock} docker ps -a --filter label=org.bridge.managed \
            --format '{{.ID}} {{.Label "org.bridge.owner"}}' 2>/dev/null | grep -E "/($(IFS='|'; echo "${pids[*]}"))/" | sed 's/^/container /'
    fi
    true
}

stamp=$(mktemp /tmp/bridge-kill-stamp.XXXXXX)
trap 'rm -f "$stamp"' EXIT
before=$(state | sort)  # no pids yet: the huge page count only
tried=0 leaked_after_kill=0 leaked_after_next=0
for ((i = 0; i < kills; i++)); do
    scn=$work/$([ $((i % 2)) = 0 ] && echo hugetlb || echo ext4).scn
    # Kill somewhere in a run (3 s on the host): setup, the race, the check or the teardown.
    delay=$(awk -v s=$RANDOM -v d="${DELAY_MAX:-3.0}" 'BEGIN { srand(s); printf "%.2f", 0.2 + rand() * (d - 0.2) }')
    "$bridge" run --target "$target" "$scn" >/dev/null 2>&1 &
    pid=$!
    pids+=("$pid")
    sleep "$delay"
    kill -KILL "$pid" 2>/dev/null && tried=$((tried + 1))
    wait "$pid" 2>/dev/null
    sleep 0.3
    after=$(state | sort)
    if [ "$after" != "$before" ]; then
        leaked_after_kill=$((leaked_after_kill + 1))
        echo "kill $i after ${delay}s ($(basename "$scn")): left" $(comm -13 <(echo "$before") <(echo "$after") | tr '\n' ';')
    fi
    # The next run sweeps what the killed one left; it must leave the machine as it was before.
    "$bridge" run --target "$target" "$work/tmpfs.scn" >/dev/null 2>&1
    again=$(state | sort)
    if [ "$again" != "$before" ]; then
        leaked_after_next=$((leaked_after_next + 1))
        echo "kill $i: after the next run still" $(comm -3 <(echo "$before") <(echo "$again") | tr '\n' ';')
    fi
done
echo "target $target: kills tried $tried, leaks after the kill $leaked_after_kill, leaks after the next run $leaked_after_next"
