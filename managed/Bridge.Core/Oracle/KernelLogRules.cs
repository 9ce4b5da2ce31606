using System.Globalization;
using System.Text.RegularExpressions;

namespace Bridge.Core.Oracle;

/// <summary>Kernel log lines that make a scenario's verdict kernel-warn: what lib/bug.c, kernel/panic.c and the
/// oops path print (WARN_ON → "WARNING: CPU: …", BUG_ON → "kernel BUG at", page-fault oops, lockdep, KASAN); and the
/// lines that say the log is incomplete: lib/ratelimit.c's "FUNC: N callbacks suppressed" (a rate-limited call site,
/// such as btrfs's csum-error warning, dropped N lines).</summary>
public static partial class KernelLogRules
{
    public static bool IsWarning(string line) => Pattern().IsMatch(line);

    /// <summary>What a log says of itself being incomplete, or null: how many lines rate limits dropped, and where.</summary>
    public static string? SuppressedNote(IEnumerable<string> log)
    {
        var dropped = log.Select(l => Suppressed().Match(l)).Where(m => m.Success)
            .Select(m => (Where: m.Groups["where"].Value.Trim(), Count: long.Parse(m.Groups["count"].Value, CultureInfo.InvariantCulture)))
            .ToList();
        if (dropped.Count == 0)
            return null;
        var sites = dropped.GroupBy(d => d.Where).Select(g => $"{g.Key} {g.Sum(d => d.Count)}");
        return $"the kernel's rate limits dropped {dropped.Sum(d => d.Count)} log lines during the scenario ({string.Join(", ", sites)}): " +
               "warnings may be missing from the captured log";
    }

    [GeneratedRegex(@"WARNING: CPU:|kernel BUG at|BUG: |Oops|general protection fault|Call Trace:|possible circular locking|KASAN:|UBSAN:|list_add corruption|Kernel panic")]
    private static partial Regex Pattern();

    [GeneratedRegex(@"^(?<where>.*?):? (?<count>\d{1,18}) (?:callbacks|messages|output lines) suppressed")]
    private static partial Regex Suppressed();
}
