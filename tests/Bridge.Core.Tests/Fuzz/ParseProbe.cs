using System.Diagnostics;
using Bridge.Core.Scenarios;

namespace Bridge.Core.Tests.Fuzz;

/// <summary>What parsing one input did.</summary>
internal enum ProbeKind { Parsed, Rejected, Crash, Hang, Exhausted, BadPosition }

internal sealed record ProbeResult(ProbeKind Kind, string Detail, TimeSpan Elapsed, long Allocated)
{
    public bool Failed => Kind is not (ProbeKind.Parsed or ProbeKind.Rejected);
}

/// <summary>
/// Parses one input the way `pinbridge run` does and judges the outcome: either scenarios (each of which an agent can
/// re-parse from its own text) or a <see cref="ScenarioException"/> whose every error names this file and a line and
/// column inside it. Anything else — another exception type, more than <see cref="TimeBound"/> of the parsing
/// thread's CPU time (CPU, not wall time: a loaded CI machine must not make a fast parse look slow), more than
/// <see cref="AllocationBound"/> allocated, still running after <see cref="HangBound"/> — is a failure.
/// </summary>
internal static class ParseProbe
{
    public const string File = "fuzz.scn";
    public static readonly TimeSpan TimeBound = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan HangBound = TimeSpan.FromSeconds(60);
    public const long AllocationBound = 256L << 20;

    public static ProbeResult Run(string text)
    {
        ProbeResult? result = null;
        var worker = new Thread(() => result = Parse(text), 64 << 20) { IsBackground = true, Name = "fuzz parse" };
        var clock = Stopwatch.StartNew();
        worker.Start();
        // A parse still running at the bound is a hang: it is left to finish on its own (background thread).
        return worker.Join(HangBound) ? result! : new ProbeResult(ProbeKind.Hang, $"still parsing after {HangBound.TotalSeconds:0} s", clock.Elapsed, 0);
    }

    private static ProbeResult Parse(string text)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var cpu = ThreadCpuTime();
        var (kind, detail, errors) = Outcome(text);
        var (elapsed, allocated) = (ThreadCpuTime() - cpu, GC.GetAllocatedBytesForCurrentThread() - before);
        if (kind == ProbeKind.Rejected && BadPosition(text, errors!) is { } bad)
            (kind, detail) = (ProbeKind.BadPosition, bad);
        if (kind is ProbeKind.Parsed or ProbeKind.Rejected && elapsed > TimeBound)
            (kind, detail) = (ProbeKind.Hang, $"took {elapsed.TotalSeconds:0.0} s of CPU");
        if (kind is ProbeKind.Parsed or ProbeKind.Rejected && allocated > AllocationBound)
            (kind, detail) = (ProbeKind.Exhausted, $"allocated {allocated >> 20} MiB");
        return new ProbeResult(kind, detail, elapsed, allocated);
    }

    /// <summary>This thread's user and system CPU time, from /proc/thread-self/stat (fields 14 and 15, in the
    /// USER_HZ ticks of 10 ms that /proc always reports in).</summary>
    private static TimeSpan ThreadCpuTime()
    {
        var stat = System.IO.File.ReadAllText("/proc/thread-self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
        return TimeSpan.FromMilliseconds(ticks * 10);
    }

    /// <summary>What the parser did, measured alone (the judging of its errors below allocates too).</summary>
    private static (ProbeKind, string, IReadOnlyList<ScenarioError>?) Outcome(string text)
    {
        try
        {
            var scenarios = ScenarioFile.Parse(text, File);
            if (scenarios.Count == 0)
                return (ProbeKind.Crash, "no scenarios and no errors", null);
            foreach (var s in scenarios)
                ScenarioFile.ParseOne(s.Text, s.SourceFile, s.Name); // what an agent does with it
            return (ProbeKind.Parsed, $"{scenarios.Count} scenarios", null);
        }
        catch (ScenarioException e)
        {
            return e.Errors.Count == 0 ? (ProbeKind.BadPosition, "a ScenarioException without errors", null) : (ProbeKind.Rejected, $"{e.Errors.Count} errors", e.Errors);
        }
        catch (OutOfMemoryException e)
        {
            return (ProbeKind.Exhausted, e.Message, null);
        }
        catch (Exception e)
        {
            return (ProbeKind.Crash, $"{e.GetType().Name}: {e.Message}", null);
        }
    }

    /// <summary>The first error not at a line of the input and a column of that line (or just past its end).</summary>
    private static string? BadPosition(string text, IReadOnlyList<ScenarioError> errors)
    {
        var lines = text.Split('\n');
        foreach (var error in errors)
        {
            var at = error.At;
            if (at.File != File || at.Line < 1 || at.Line > lines.Length + 1 || at.Column < 1 ||
                (at.Line <= lines.Length && at.Column > lines[at.Line - 1].TrimEnd('\r').Length + 1 && at.Column != 1))
                return $"error at {at} outside the input ({lines.Length} lines): {error.Message}";
            if (string.IsNullOrWhiteSpace(error.Message))
                return $"error at {at} without a message";
        }
        return null;
    }
}
