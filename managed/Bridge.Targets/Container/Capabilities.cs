using System.Globalization;

namespace Bridge.Targets.Container;

/// <summary>The capabilities of a bounding set, by name, and the ones the kernel knows that the set lacks.</summary>
/// <param name="Mask">The raw bounding set, bit n = capability n.</param>
/// <param name="Present">Names of the set bits that have a name in <see cref="Capabilities.NameByBit"/>.</param>
/// <param name="Missing">Named capabilities up to the kernel's last one that the set lacks (here: CAP_SYS_RESOURCE).
/// Any of them makes <c>Privileged=true</c> fail under runc, which asks for every capability it knows.</param>
/// <param name="UnnamedBits">Set bits beyond the table: a newer kernel's capabilities no engine could be asked for.</param>
public sealed record CapabilitySet(ulong Mask, IReadOnlyList<string> Present, IReadOnlyList<string> Missing, IReadOnlyList<int> UnnamedBits);

/// <summary>Maps capability bits (linux/capability.h) to the names the Docker Engine API takes in CapAdd.</summary>
public static class Capabilities
{
    /// <summary>Index = capability number, as in include/uapi/linux/capability.h.</summary>
    public static IReadOnlyList<string> NameByBit { get; } =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN",
        "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
        "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE",
        "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
        "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND",
        "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    ];

    /// <summary>The bounding set of this process (<c>CapBnd</c> of /proc/self/status): a container can hold no
    /// capability outside it, whatever the engine is asked for.</summary>
    public static CapabilitySet HostBoundingSet()
    {
        var mask = ParseBoundingSet(File.ReadAllText("/proc/self/status"));
        return Describe(mask, ReadLastCap());
    }

    /// <summary>Reads the <c>CapBnd:</c> line of a /proc/PID/status text.</summary>
    /// <exception cref="FormatException">No such line, or its value is not 1–16 hex digits.</exception>
    public static ulong ParseBoundingSet(string procStatus)
    {
        foreach (var line in procStatus.Split('\n'))
        {
            if (!line.StartsWith("CapBnd:", StringComparison.Ordinal))
                continue;
            var hex = line["CapBnd:".Length..].Trim();
            if (hex.Length is 0 or > 16 || !ulong.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var mask))
                throw new FormatException($"CapBnd value '{hex}' is not a hexadecimal capability mask (expected 1-16 hex digits, e.g. 000001ffffffffff)");
            return mask;
        }
        throw new FormatException("no 'CapBnd:' line in the status text (expected the contents of /proc/self/status)");
    }

    /// <summary>Names the bits of <paramref name="mask"/>; <paramref name="lastCap"/> is the highest capability the
    /// kernel knows (/proc/sys/kernel/cap_last_cap), which bounds what counts as missing.</summary>
    public static CapabilitySet Describe(ulong mask, int lastCap)
    {
        var present = new List<string>();
        var missing = new List<string>();
        var unnamed = new List<int>();
        for (var bit = 0; bit < 64; bit++)
        {
            var set = (mask & (1UL << bit)) != 0;
            if (bit < NameByBit.Count)
            {
                if (set)
                    present.Add(NameByBit[bit]);
                else if (bit <= lastCap)
                    missing.Add(NameByBit[bit]);
            }
            else if (set)
                unnamed.Add(bit);
        }
        return new CapabilitySet(mask, present, missing, unnamed);
    }

    private static int ReadLastCap()
    {
        // Absent on very old kernels; then every named capability is taken as known.
        const string path = "/proc/sys/kernel/cap_last_cap";
        return File.Exists(path) && int.TryParse(File.ReadAllText(path).Trim(), CultureInfo.InvariantCulture, out var last)
            ? last
            : NameByBit.Count - 1;
    }
}
