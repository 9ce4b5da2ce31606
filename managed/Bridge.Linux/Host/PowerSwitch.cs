namespace Bridge.Linux.Host;

/// <summary>
/// Cuts this machine's power as a power failure would: SysRq 'b' (emergency_restart) resets the machine at once —
/// no sync, no unmount, no device shutdown that could flush a disk's write cache. A VM started with qemu's
/// <c>-no-reboot</c> then ends, and its host boots the kernel again on the same disk images. Writing
/// /proc/sysrq-trigger works as root whatever the kernel.sysrq setting (which only masks the keyboard).
/// </summary>
public static class PowerSwitch
{
    public const string Trigger = "/proc/sysrq-trigger";

    /// <summary>Resets the machine; returns only if the kernel did not (then throws with why).</summary>
    public static void CutNow()
    {
        File.WriteAllText(Trigger, "b");
        throw new IOException($"writing 'b' to {Trigger} returned: the machine was not reset");
    }
}
