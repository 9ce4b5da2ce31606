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
/// Parses one input the way `bridge run` does and judges the outcome: either scenarios (each of which an agent can
/// re-parse from its own text) or a <see cref="ScenarioException"/> whose every error names this file and a line and
/// column inside it. Anything else — another exception type, more than <see cref="TimeBound"/> of CPU, more than
/// <see cref="AllocationBound"/> allocated — is a failure.
/// </summary>
internal static class ParseProbe
{
    public const string File = "fuzz.scn";
    public static readonly TimeSpan TimeBound = TimeSpan.FromSeconds(3);
    public const long AllocationBound = 256L << 20;

    public static ProbeResult Run(string text)
    {
        ProbeResult? result = null;
        var worker = new Thread(() => result = Parse(text), 64 << 20) { IsBackground = true, Name = "fuzz parse" };
        var clock = Stopwatch.StartNew();
        worker.Start();
        // A parse still running at the bound is a hang: it is left to finish on its own (background thread).
        return worker.Join(TimeBound) ? result! : new ProbeResult(ProbeKind.Hang, $"still parsing after {TimeBound.TotalSeconds:0} s", clock.Elapsed, 0);
    }

    private static ProbeResult Parse(string text)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        var (kind, detail) = Judge(text);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        if (kind is ProbeKind.Parsed or ProbeKind.Rejected && clock.Elapsed > TimeBound)
            (kind, detail) = (ProbeKind.Hang, $"took {clock.Elapsed.TotalSeconds:0.0} s");
        if (kind is ProbeKind.Parsed or ProbeKind.Rejected && allocated > AllocationBound)
            (kind, detail) = (ProbeKind.Exhausted, $"allocated {allocated >> 20} MiB");
        return new ProbeResult(kind, detail, clock.Elapsed, allocated);
    }

    private static (ProbeKind, string) Judge(string text)
    {
        var lines = text.Split('\n');
        try
        {
            var scenarios = ScenarioFile.Parse(text, File);
            if (scenarios.Count == 0)
                return (ProbeKind.Crash, "no scenarios and no errors");
            foreach (var s in scenarios)
                ScenarioFile.ParseOne(s.Text, s.SourceFile, s.Name); // what an agent does with it
            return (ProbeKind.Parsed, $"{scenarios.Count} scenarios");
        }
        catch (ScenarioException e)
        {
            if (e.Errors.Count == 0)
                return (ProbeKind.BadPosition, "a ScenarioException without errors");
            foreach (var error in e.Errors)
            {
                var at = error.At;
                if (at.File != File || at.Line < 1 || at.Line > lines.Length + 1 || at.Column < 1 ||
                    (at.Line <= lines.Length && at.Column > lines[at.Line - 1].Length + 1 && at.Column != 1))
                    return (ProbeKind.BadPosition, $"error at {at} outside the input ({lines.Length} lines): {error.Message}");
                if (string.IsNullOrWhiteSpace(error.Message))
                    return (ProbeKind.BadPosition, $"error at {at} without a message");
            }
            return (ProbeKind.Rejected, $"{e.Errors.Count} errors");
        }
        catch (OutOfMemoryException e)
        {
            return (ProbeKind.Exhausted, e.Message);
        }
        catch (Exception e)
        {
            return (ProbeKind.Crash, $"{e.GetType().Name}: {e.Message}");
        }
    }
}
