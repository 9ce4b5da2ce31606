#!/bin/busybox sh
# /init of Bridge's VM boot image (busybox sh as PID 1). Embedded in Bridge.Targets.dll; InitramfsBuilder puts it
# next to /bin/busybox, the modules (/lib/modules/..., load order in /bridge/modules) and the per-run files:
# /bridge/run.env, which sets BRIDGE_NONCE, BRIDGE_DISK_COUNT, BRIDGE_SHARED (optional) and defines bridge_run (env -i … chroot /host …).
#
# Protocol with the host (Bridge.Targets.Vm.GuestChannel), four virtio-serial ports found by name:
#   bridge.ctl  guest→host "ready RELEASE", "error TEXT", "exit CODE"; host→guest "ack" once it has read everything.
#   bridge.out  the command's stdout, then "\nNONCE\n"   (the host strips that end mark; see GuestStreamDecoder)
#   bridge.err  the command's stderr, then "\nNONCE\n"
#   bridge.in   the command's stdin, streamed by the host; end of file when the host has sent all of it
# The ports and not the console carry results: data the guest has written reaches the host before a panic stops it.
# Boot-stage problems are also printed on the console as "bridge-vm: error: …" because the ports may not exist yet.

PATH=/sbin:/bin:/usr/sbin:/usr/bin
export PATH
/bin/busybox mkdir -p /proc /sys /dev /host /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# The run owns this kernel: lift the global printk rate limit (printk_ratelimit() callers, many filesystems' and
# drivers' warnings), so that the log captured for each scenario keeps every warning. Limits a call site keeps for
# itself (btrfs's csum-error lines) cannot be lifted; the report counts the lines they drop ("callbacks suppressed").
echo 0 >/proc/sys/kernel/printk_ratelimit
echo 1000000 >/proc/sys/kernel/printk_ratelimit_burst

ctl_open=
stop() {
    poweroff -f
    # poweroff only returns if the machine cannot power off; PID 1 must not exit (that panics the kernel).
    while :; do sleep 3600; done
}
fail() {
    echo "bridge-vm: error: $*"
    [ -n "$ctl_open" ] && echo "error $*" >&3
    stop
}

. /bridge/run.env || fail "cannot read /bridge/run.env"

while read -r module; do
    [ -n "$module" ] || continue
    # A module that refuses to load (e.g. a CPU-specific crc32c on a CPU without the instruction) is reported and
    # skipped: whatever really needs it fails visibly later with a clearer message.
    out=$(insmod "/lib/modules/$module" 2>&1) || echo "bridge-vm: warning: insmod $module: $out"
done < /bridge/modules

# virtio-serial ports are announced by qemu through the control queue, asynchronously to the driver load.
port_device() {
    for p in /sys/class/virtio-ports/*; do
        [ "$(cat "$p/name" 2>/dev/null)" = "$1" ] && { echo "/dev/${p##*/}"; return 0; }
    done
    return 1
}
tries=0
until ctl=$(port_device bridge.ctl) && out=$(port_device bridge.out) && err=$(port_device bridge.err) && in=$(port_device bridge.in) \
      && [ -c "$ctl" ] && [ -c "$out" ] && [ -c "$err" ] && [ -c "$in" ]; do
    tries=$((tries + 1))
    [ $tries -le 200 ] || fail "virtio-serial ports bridge.ctl/out/err/in did not appear (is virtio_console loaded?)"
    sleep 0.05
done
exec 3<>"$ctl" 4>"$out" 5>"$err"
ctl_open=1

tries=0
until mount -t 9p -o trans=virtio,version=9p2000.L,cache=loose,msize=512000,ro hostroot /host 2>/dev/null; do
    tries=$((tries + 1))
    [ $tries -le 40 ] || fail "cannot mount the host root over 9p (mount_tag hostroot; are 9p and 9pnet_virtio loaded?)"
    sleep 0.05
done
mount -t tmpfs -o mode=755 tmpfs /host/run || fail "cannot mount tmpfs on /host/run"
# The guest's /tmp is its own tmpfs; the host's /tmp (where a build or a CI clone may live) stays readable at
# /run/bridge-host-tmp, and the host side maps such paths there (Bridge.Targets.Vm.GuestPaths).
mkdir -p /host/run/bridge-host-tmp
mount --bind /host/tmp /host/run/bridge-host-tmp || fail "cannot bind the host's /tmp to /host/run/bridge-host-tmp"
mount -t tmpfs -o mode=1777 tmpfs /host/tmp || fail "cannot mount tmpfs on /host/tmp"
# A writable host directory (VmSpec.SharedDirectory), over the same path of the read-only host root.
if [ -n "$BRIDGE_SHARED" ]; then
    mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 shared "/host$BRIDGE_SHARED" \
        || fail "cannot mount the shared directory (mount_tag shared) on /host$BRIDGE_SHARED"
fi
mount -t proc proc /host/proc || fail "cannot mount proc on /host/proc"
mount -t sysfs sysfs /host/sys || fail "cannot mount sysfs on /host/sys"
mount -t devtmpfs devtmpfs /host/dev || fail "cannot mount devtmpfs on /host/dev"
mkdir -p /host/dev/shm /host/dev/pts
mount -t tmpfs -o mode=1777 tmpfs /host/dev/shm || fail "cannot mount tmpfs on /host/dev/shm"
mount -t devpts devpts /host/dev/pts || fail "cannot mount devpts on /host/dev/pts"

# Scratch disks: virtio_blk names them vda, vdb, … in the order qemu was given them.
tries=0
while :; do
    BRIDGE_DISKS=
    count=0
    for d in /sys/block/vd*; do
        [ -e "$d" ] || continue
        BRIDGE_DISKS="$BRIDGE_DISKS${BRIDGE_DISKS:+ }/dev/${d##*/}"
        count=$((count + 1))
    done
    [ $count -ge "$BRIDGE_DISK_COUNT" ] && break
    tries=$((tries + 1))
    [ $tries -le 100 ] || fail "expected $BRIDGE_DISK_COUNT virtio disks, found $count (is virtio_blk loaded?)"
    sleep 0.05
done
export BRIDGE_DISKS

echo "ready $(uname -r)" >&3
bridge_run <"$in" >&4 2>&5 3>&- 4>&- 5>&-
rc=$?
printf '\n%s\n' "$BRIDGE_NONCE" >&4
printf '\n%s\n' "$BRIDGE_NONCE" >&5
echo "exit $rc" >&3
# Power off only after the host has read both streams to their end marks: qemu drops data it still buffers.
read -t 30 -r ack <&3
stop
