using System.Globalization;
using Bridge.Linux.Host;

namespace Bridge.Targets.Container;

/// <summary>The capabilities of a bounding set, by name, and the ones the kernel knows that the set lacks.</summary>
/// <param name="Mask">The raw bounding set, bit n = capability n.</param>
/// <param name="Present">Names (CAP_…) of the set bits that libcap can name.</param>
/// <param name="Missing">Capabilities up to the kernel's last one that the set lacks (here: CAP_SYS_RESOURCE).
/// Any of them makes <c>Privileged=true</c> fail under runc, which asks for every capability it knows.</param>
/// <param name="UnnamedBits">Set bits libcap has no name for: a newer kernel's capabilities no engine could be asked for.</param>
public sealed record CapabilitySet(ulong Mask, IReadOnlyList<string> Present, IReadOnlyList<string> Missing, IReadOnlyList<int> UnnamedBits);

/// <summary>Capability sets as the Docker Engine API takes them in CapAdd: names, decoded from bits by libcap's own
/// table (<c>capsh --decode</c>, libcap2-bin) rather than a copy of linux/capability.h.</summary>
public static class Capabilities
{
    /// <summary>The bounding set of this process (<c>CapBnd</c> of /proc/self/status): a container can hold no
    /// capability outside it, whatever the engine is asked for.</summary>
    public static CapabilitySet HostBoundingSet() =>
        Describe(ParseBoundingSet(File.ReadAllText("/proc/self/status")), int.Parse(File.ReadAllText("/proc/sys/kernel/cap_last_cap").Trim(), CultureInfo.InvariantCulture));

    /// <summary>Reads the <c>CapBnd:</c> line of a /proc/PID/status text.</summary>
    /// <exception cref="FormatException">No such line, or its value is not 1–16 hex digits.</exception>
    public static ulong ParseBoundingSet(string procStatus)
    {
        var line = procStatus.Split('\n').FirstOrDefault(l => l.StartsWith("CapBnd:", StringComparison.Ordinal))
            ?? throw new FormatException("no 'CapBnd:' line in the status text (expected the contents of /proc/self/status)");
        var hex = line["CapBnd:".Length..].Trim();
        return hex.Length is > 0 and <= 16 && ulong.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var mask)
            ? mask
            : throw new FormatException($"CapBnd value '{hex}' is not a hexadecimal capability mask (expected 1-16 hex digits, e.g. 000001ffffffffff)");
    }

    /// <summary>Names the bits of <paramref name="mask"/>; <paramref name="lastCap"/> is the highest capability the
    /// kernel knows (/proc/sys/kernel/cap_last_cap), which bounds what counts as missing.</summary>
    /// <exception cref="ToolException">capsh is not installed.</exception>
    public static CapabilitySet Describe(ulong mask, int lastCap)
    {
        var known = lastCap >= 63 ? ulong.MaxValue : (1UL << (lastCap + 1)) - 1;
        var present = Decode(mask);
        return new CapabilitySet(mask,
            [.. present.Where(n => n.StartsWith("CAP_", StringComparison.Ordinal))],
            [.. Decode(~mask & known).Where(n => n.StartsWith("CAP_", StringComparison.Ordinal))],
            [.. present.Where(n => !n.StartsWith("CAP_", StringComparison.Ordinal)).Select(n => int.Parse(n, CultureInfo.InvariantCulture))]);
    }

    /// <summary>libcap's names for the bits, upper-cased as the Engine API spells them; a bit libcap has no name for
    /// stays its number. <c>capsh --decode=0x…</c> prints <c>0x…=cap_chown,cap_dac_override,…</c>.</summary>
    public static IReadOnlyList<string> Decode(ulong mask)
    {
        if (mask == 0)
            return [];
        var said = Tool.Run("capsh", $"--decode=0x{mask:x16}").Trim();
        return [.. said[(said.IndexOf('=') + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(n => n.ToUpperInvariant())];
    }
}
