using System.Text.RegularExpressions;

namespace Bridge.Targets.Vm;

/// <summary>The guest's serial console as qemu wrote it to a file: its tail for results, and the kernel's and
/// init's own words about what went wrong.</summary>
internal static partial class ConsoleLog
{
    public const int TailLines = 40;
    public const int ReportLines = 200;
    private const string InitErrorPrefix = "bridge-vm: error: ";
    private const string InsmodWarningPrefix = "bridge-vm: warning: insmod ";

    public static IReadOnlyList<string> Read(string path)
    {
        try
        {
            // The kernel writes CR LF; a guest that dies mid-line leaves a partial last line, which is kept.
            // The firmware clears the screen with escape sequences, which are noise in a log.
            return File.Exists(path)
                ? [.. TerminalEscape().Replace(File.ReadAllText(path), "").ReplaceLineEndings("\n").Split('\n')]
                : [];
        }
        catch (IOException)
        {
            return [];
        }
    }

    /// <summary>The last <see cref="TailLines"/> lines, reaching further back (up to <see cref="ReportLines"/>) to
    /// where the kernel's report of a crash begins, so its first line ("BUG: …", "Kernel panic - …") is never cut
    /// off by a long call trace after it.</summary>
    public static IReadOnlyList<string> Tail(IReadOnlyList<string> lines)
    {
        var end = lines.Count;
        while (end > 0 && lines[end - 1].Length == 0)
            end--;
        var start = Math.Max(0, end - TailLines);
        for (var i = Math.Max(0, end - ReportLines); i < start; i++)
        {
            if (ReportStart().IsMatch(lines[i]))
            {
                start = i;
                break;
            }
        }
        return [.. lines.Take(end).Skip(start)];
    }

    /// <summary>The panic line ("Kernel panic - not syncing: …"), if the kernel panicked.</summary>
    public static string? Panic(IReadOnlyList<string> lines) =>
        lines.FirstOrDefault(l => l.Contains("Kernel panic", StringComparison.Ordinal))?.Trim();

    /// <summary>What init said it could not do, if it said so ("bridge-vm: error: …").</summary>
    public static string? InitError(IReadOnlyList<string> lines) =>
        lines.LastOrDefault(l => l.Contains(InitErrorPrefix, StringComparison.Ordinal)) is { } line
            ? line[(line.IndexOf(InitErrorPrefix, StringComparison.Ordinal) + InitErrorPrefix.Length)..]
            : null;

    /// <summary>The modules init could not load ("bridge-vm: warning: insmod …"), each with the kernel's reason.</summary>
    public static IReadOnlyList<string> ModuleWarnings(IReadOnlyList<string> lines) =>
        [.. lines.Where(l => l.Contains(InsmodWarningPrefix, StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf(InsmodWarningPrefix, StringComparison.Ordinal) + InsmodWarningPrefix.Length)..].Trim())];

    [GeneratedRegex(@"Kernel panic|BUG: |Oops|general protection fault|sysrq: Trigger a crash|bridge-vm: error: ")]
    private static partial Regex ReportStart();

    [GeneratedRegex(@"\x1b(\[[0-9;?]*[A-Za-z]|c)")]
    private static partial Regex TerminalEscape();

    /// <summary>The last line that says something, to quote in a one-line message.</summary>
    public static string? LastWords(IReadOnlyList<string> lines) => lines.LastOrDefault(l => l.Trim().Length > 0)?.Trim();
}
