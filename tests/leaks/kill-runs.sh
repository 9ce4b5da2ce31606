#!/usr/bin/env bash
# Signals real `pinbridge run`s at random points and counts what they leave behind: after the signal, and after the
# next run (which sweeps what killed runs left). The xunit tests (tests/Bridge.Cli.Tests/LeakTests.cs for SIGKILL,
# SignalTests.cs for SIGINT/SIGTERM) do the same with fewer runs; this is the longer manual version.
#   tests/leaks/kill-runs.sh [RUNS] [TARGET] [SIGNAL]      e.g. tests/leaks/kill-runs.sh 20 host KILL
# SIGNAL: KILL (default; the run cannot clean up, the next one must), INT or TERM (the run must stop within a
# second, clean up and exit 130), INT2 (two SIGINTs 0.2 s apart: exit at once after best-effort cleanup).
# For INT, TERM and INT2 it also reports the exit status, the time from the (first) signal to the exit, and whether
# the interrupted run left valid partial results: results.json (python3 -m json.tool) and results.ktap (prove)
# under --output DIR where the build has that option, else the TAP it printed on stdout (prove).
# DELAY_MIN/DELAY_MAX: the window the signal is sent in, in seconds (default 0.2–3 for KILL, 1–5 otherwise; give
# a VM, which boots in 4–10 s, a wider one).
set -uo pipefail
runs=${1:-10}
target=${2:-host}
signal=${3:-KILL}
case $signal in KILL | INT | TERM | INT2) ;; *) echo "SIGNAL must be KILL, INT, TERM or INT2, not '$signal'" >&2; exit 2 ;; esac
here=$(cd "$(dirname "$0")/../.." && pwd)
bridge=${BRIDGE:-$here/artifacts/pinbridge/pinbridge}
work=$here/tests/leaks
if [ "$signal" = KILL ]; then
    delay_min=${DELAY_MIN:-0.2} delay_max=${DELAY_MAX:-3.0}
else
    delay_min=${DELAY_MIN:-1.0} delay_max=${DELAY_MAX:-5.0}
fi

# What the runs this script signalled can leave behind, one line per resource: anything named after their pids
# (scratch directories, their mounts and loop devices, shared-memory directories, VM run directories name their owner
# inside), qemu processes they started, their containers, and the machine-wide huge page count. Other Bridge runs on
# the machine (a test suite next door) are not counted, except through nr_hugepages.
pids=()
state() {
    echo "nr_hugepages $(cat /proc/sys/vm/nr_hugepages)"
    [ ${#pids[@]} = 0 ] && return
    local mine
    mine="bridge-(agent-|vm-)?($(IFS='|'; echo "${pids[*]}"))-"
    grep -E "$mine" /proc/self/mountinfo | awk '{print "mount " $5}'
    losetup -a 2>/dev/null | grep -E "$mine" | sed 's/^/loop /'
    find /var/tmp /dev/shm "${TMPDIR:-/tmp}" -maxdepth 1 -regextype egrep -regex ".*/$mine.*" -printf 'dir %p\n' 2>/dev/null
    # A VM run directory names its owner inside too.
    for d in "${TMPDIR:-/tmp}"/bridge-vm-*; do
        [ -f "$d/owner" ] && grep -qE "^($(IFS='|'; echo "${pids[*]}")) " "$d/owner" && echo "dir $d"
    done
    # The runs' ledgers (root's), named run-PID-….
    find /var/lib/bridge/runs -maxdepth 1 -regextype egrep -regex ".*/run-($(IFS='|'; echo "${pids[*]}"))-.*" -printf 'ledger %p\n' 2>/dev/null
    # qemu names its run directory (bridge-vm-PID-…) on its command line.
    pgrep -af -- "$mine" 2>/dev/null | grep qemu-system | awk '{print "qemu " $1}'
    if command -v docker >/dev/null && [ "$target" != host ]; then
        DOCKER_HOST=${DOCKER_HOST:-unix:///run/bridge-docker/docker.sock} docker ps -a --filter label=org.bridge.managed \
            --format '{{.ID}} {{.Label "org.bridge.owner"}}' 2>/dev/null | grep -E "/($(IFS='|'; echo "${pids[*]}"))/" | sed 's/^/container /'
    fi
    true
}

# Whether the interrupted run left results a real consumer accepts: the --output directory's JSON and KTAP when the
# build writes one, else the TAP it printed.
valid_partial() {
    local out=$1 dir=$2
    if [ -n "$has_output" ]; then
        [ -s "$dir/results.json" ] && python3 -m json.tool "$dir/results.json" >/dev/null 2>&1 \
            && [ -s "$dir/results.ktap" ] && prove -e cat "$dir/results.ktap" >/dev/null 2>&1
    else
        # prove exits 255 after a Bail out! however valid the rest is (pipefail): its summary says whether the TAP parsed.
        [ -s "$out" ] && grep -q '^ok \|^not ok ' "$out" && grep -q '^Bail out!' "$out" \
            && grep -q '^Result: PASS' < <(prove -e cat "$out" 2>&1)
    fi
}

now() { date +%s.%N; }

results=$(mktemp -d /tmp/bridge-kill-results.XXXXXX)
trap 'rm -rf "$results"' EXIT
has_output=
"$bridge" run --help 2>/dev/null | grep -q -- '--output' && has_output=1
before=$(state | sort)  # no pids yet: the huge page count only
tried=0 leaked_after_kill=0 leaked_after_next=0 exit130=0 partial=0 times=()
for ((i = 0; i < runs; i++)); do
    if [ "$signal" = KILL ]; then
        scn=$work/$([ $((i % 2)) = 0 ] && echo hugetlb || echo ext4).scn
    else
        scn=$work/signal-$([ $((i % 2)) = 0 ] && echo hugetlb || echo ext4).scn
    fi
    delay=$(awk -v s=$RANDOM -v a="$delay_min" -v b="$delay_max" 'BEGIN { srand(s); printf "%.2f", a + rand() * (b - a) }')
    out=$results/out-$i dir=$results/dir-$i
    # A non-interactive shell starts background commands with SIGINT ignored; a user's Ctrl-C reaches a foreground one.
    if [ -n "$has_output" ]; then
        env --default-signal=INT "$bridge" run --target "$target" --tap --output "$dir" "$scn" >"$out" 2>"$out.err" &
    else
        env --default-signal=INT "$bridge" run --target "$target" --tap "$scn" >"$out" 2>"$out.err" &
    fi
    pid=$!
    pids+=("$pid")
    sleep "$delay"
    sent=$(now)
    case $signal in
        # The second SIGINT finds the run gone when it obeyed the first within 0.2 s.
        INT2) kill -INT "$pid" 2>/dev/null && tried=$((tried + 1)) && sleep 0.2 && kill -INT "$pid" 2>/dev/null ;;
        *) kill "-$signal" "$pid" 2>/dev/null && tried=$((tried + 1)) ;;
    esac
    wait "$pid" 2>/dev/null
    status=$?
    took=$(awk -v a="$sent" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')
    note=
    if [ "$signal" != KILL ]; then
        times+=("$took")
        [ "$status" = 130 ] && exit130=$((exit130 + 1))
        if valid_partial "$out" "$dir"; then partial=$((partial + 1)); note="partial results valid"; else note="no valid partial results"; fi
        echo "run $i: SIG$signal after ${delay}s ($(basename "$scn")): exit $status after ${took}s; $note"
    fi
    sleep 0.3
    after=$(state | sort)
    if [ "$after" != "$before" ]; then
        leaked_after_kill=$((leaked_after_kill + 1))
        echo "run $i after ${delay}s ($(basename "$scn")): left" $(comm -13 <(echo "$before") <(echo "$after") | tr '\n' ';')
    fi
    # The next run sweeps what the signalled one left; it must leave the machine as it was before.
    "$bridge" run --target "$target" "$work/tmpfs.scn" >/dev/null 2>&1
    again=$(state | sort)
    if [ "$again" != "$before" ]; then
        leaked_after_next=$((leaked_after_next + 1))
        echo "run $i: after the next run still" $(comm -3 <(echo "$before") <(echo "$again") | tr '\n' ';')
    fi
done
if [ "$signal" = KILL ]; then
    echo "target $target: kills tried $tried, leaks after the kill $leaked_after_kill, leaks after the next run $leaked_after_next"
else
    sorted=$(printf '%s\n' "${times[@]}" | sort -n)
    echo "target $target SIG$signal: signals sent $tried, exit 130 $exit130," \
        "time to exit median $(echo "$sorted" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')s max $(echo "$sorted" | tail -1)s," \
        "leaks after the signal $leaked_after_kill, leaks after the next run $leaked_after_next," \
        "interrupted runs with valid partial results $partial of $tried ($([ -n "$has_output" ] && echo "--output DIR" || echo "TAP on stdout"))"
fi
