#!/usr/bin/env bash
# Signal → exit of `pinbridge run`, per target (issue 13's goal: the current step stops, cleanup runs and the tool
# exits 130 within one second). The signal lands at a random point of a run that is inside a minute-long race
# (tests/leaks/signal-*.scn). Peer in the same run: the same signal to something that only has to exit: `sleep` on
# the host; for the VM, `pinbridge exec -- sleep` on the same kernel (qemu's teardown with no run's cleanup). SIGNAL_TARGETS picks the targets (default: host container vm:debian-6.12),
# SIGNAL_REPEAT the runs per signal (3). Needs root (loop mounts, huge pages, the private dockerd).
set -euo pipefail
cd "$(dirname "$0")/../.."
BRIDGE=artifacts/pinbridge/pinbridge
exec python3 - "$BRIDGE" "${SIGNAL_REPEAT:-3}" ${SIGNAL_TARGETS:-host container vm:debian-6.12} <<'PY'
import os, random, signal, subprocess, sys, time

bridge, repeat, targets = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
# Window of the signal after start: past set-up (the VM boots in 4-10 s under TCG) and inside the 60 s race.
windows = {"host": ("tests/leaks/signal-hugetlb.scn", 1, 5), "container": ("tests/leaks/signal-hugetlb.scn", 2, 8)}
env = dict(os.environ)

def interrupt(argv, delay, signum):
    """Starts argv, signals it after delay and returns (seconds from signal to exit, exit status)."""
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         env=env, preexec_fn=lambda: signal.pthread_sigmask(signal.SIG_SETMASK, []))
    try:
        p.wait(timeout=delay)
        log = f"/tmp/bridge-bench-signal-{os.getpid()}.log"
        with open(log, "wb") as f:
            f.write(p.stderr.read())
        sys.exit(f"{' '.join(argv)}: ended before the signal (exit {p.returncode}); its standard error is in {log}")
    except subprocess.TimeoutExpired:
        pass
    start = time.monotonic()
    p.send_signal(signum)
    p.wait(timeout=60)
    took = time.monotonic() - start
    p.stderr.read()
    return took, p.returncode

def warm(target):
    """One short run first, so that a kernel download or an image build is not what the signal lands in."""
    r = subprocess.run([bridge, "run", "--target", target, "tests/leaks/tmpfs.scn"], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"{target}: warm-up run exited {r.returncode}: {r.stdout[-400:]}{r.stderr[-400:]}")

if "container" in targets:
    subprocess.run([bridge, "engine", "up"], check=True, capture_output=True)
for target in targets:
    warm(target)
    scenario, lo, hi = windows.get(target, ("tests/leaks/signal-ext4.scn", 12, 30))
    for name, signum in (("SIGINT", signal.SIGINT), ("SIGTERM", signal.SIGTERM)):
        runs, peers = [], []
        for _ in range(repeat):
            took, rc = interrupt([bridge, "run", "--target", target, scenario], random.uniform(lo, hi), signum)
            if rc != 130:
                sys.exit(f"{target} {name}: exit {rc}, not 130")
            runs.append(took)
            if target.startswith("vm:"):
                peer = [bridge, "exec", "--target", target, "--", "sleep", "600"]
            else:
                peer = ["sleep", "600"]
            peers.append(interrupt(peer, lo, signum)[0])
        print(f"{target:16} {name:7}  exit after {min(runs):5.2f} s min, {sum(runs)/len(runs):5.2f} mean, {max(runs):5.2f} max "
              f"(goal ≤ 1.00)   peer {'exec sleep' if peer[0] == bridge else 'sleep'} {min(peers):5.2f} s min")
PY
