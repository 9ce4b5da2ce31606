using System.Globalization;
using System.Text.RegularExpressions;

namespace Bridge.Core.Oracle;

/// <summary>Kernel log lines that make a scenario's verdict kernel-warn: what lib/bug.c, kernel/panic.c and the
/// oops path print (WARN_ON → "WARNING: CPU: …", BUG_ON → "kernel BUG at", page-fault oops, lockdep, KASAN), the
/// hung-task detector ("INFO: task … blocked for more than N seconds", kernel/hung_task.c) and RCU stalls; and the
/// lines that say the log is incomplete: lib/ratelimit.c's "FUNC: N callbacks suppressed" (a rate-limited call site,
/// such as btrfs's csum-error warning, dropped N lines).</summary>
public static partial class KernelLogRules
{
    public static bool IsWarning(string line) => Pattern().IsMatch(line);

    /// <summary>The lines of <paramref name="log"/> that begin a report: a warning line, except the "Call Trace:" of
    /// a report already begun (a WARNING or an Oops prints its own, then "---[ end trace … ]---"), so one WARN_ON is one
    /// finding; a trace with no report line before it is one too.</summary>
    public static IEnumerable<string> Reports(IEnumerable<string> log)
    {
        var sinceReport = int.MaxValue; // lines since the open report's first line
        foreach (var line in log)
        {
            sinceReport = sinceReport == int.MaxValue ? sinceReport : sinceReport + 1;
            if (line.Contains(EndOfReport, StringComparison.Ordinal))
                sinceReport = int.MaxValue;
            else if (IsWarning(line))
            {
                if (!(sinceReport <= ReportLines && line.Contains(TraceStart, StringComparison.Ordinal)))
                {
                    yield return line;
                    sinceReport = 0;
                }
            }
        }
    }

    /// <summary>How far a report's own trace may follow its first line: a WARNING's registers and modules take about
    /// 20 lines; a hung task's report has no end marker.</summary>
    private const int ReportLines = 50;

    private const string TraceStart = "Call Trace:";

    /// <summary>What lib/bug.c and the oops path print when a report ends (kernel/panic.c print_oops_end_marker).</summary>
    private const string EndOfReport = "---[ end trace";

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

    [GeneratedRegex(@"WARNING: CPU:|kernel BUG at|BUG: |Oops|general protection fault|Call Trace:|possible circular locking|KASAN:|UBSAN:|list_add corruption|Kernel panic|blocked for more than \d+ seconds|detected stalls")]
    private static partial Regex Pattern();

    [GeneratedRegex(@"^(?<where>.*?):? (?<count>\d{1,18}) (?:callbacks|messages|output lines) suppressed")]
    private static partial Regex Suppressed();
}
