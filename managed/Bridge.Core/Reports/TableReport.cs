using System.Text;
using Bridge.Core.Observations;
using Bridge.Core.Oracle;

namespace Bridge.Core.Reports;

/// <summary>The human table: one row per scenario with its kernel, backing, filesystem, step results and verdict;
/// each finding below its row with expected vs observed and the culprit step's line.</summary>
public static class TableReport
{
    public static string Render(RunReport report)
    {
        var rows = report.Runs.Select(r => new[]
        {
            r.Scenario.Name,
            r.Scenario.Label,
            r.Observation.Environment.FsType ?? "-",
            StepSummary(r),
            r.Verdict.Class.Name() + (r.Verdict.SkipReason is { } why ? $" ({why})" : ""),
        }).ToList();
        string[] header = ["scenario", "backing", "fs", "steps", "verdict"];
        var widths = header.Select((h, i) => Math.Min(72, rows.Select(r => r[i].Length).Prepend(h.Length).Max())).ToArray();
        var sb = new StringBuilder();
        foreach (var env in report.Environments.DistinctBy(e => (e.Target, e.KernelRelease)))
            sb.AppendLine($"kernel {env.KernelRelease} on {env.Target}");
        sb.AppendLine(Line(header, widths));
        sb.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var (row, run) in rows.Zip(report.Runs))
        {
            sb.AppendLine(Line(row, widths));
            foreach (var f in run.Verdict.Findings.Take(8))
                sb.AppendLine("    " + Describe(run, f));
            if (run.Verdict.Findings.Count > 8)
                sb.AppendLine($"    … {run.Verdict.Findings.Count - 8} more findings (--json has all)");
            foreach (var note in run.Verdict.Notes)
                sb.AppendLine($"    note: {note}");
        }
        var counts = report.Runs.GroupBy(r => r.Verdict.Class).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key.Name()}");
        sb.AppendLine($"{report.Runs.Count} scenarios: {string.Join(", ", counts)}");
        return sb.ToString();
    }

    /// <summary>A finding as a kernel developer reads it: class, where, expected vs observed, which line to blame.</summary>
    public static string Describe(ScenarioRun run, Finding f)
    {
        var where = f.Block is { } b ? $"{f.File} block {b} via {f.Path?.ToString().ToLowerInvariant()}" : "step";
        var culprit = f.Culprit is { } c && c >= 0 ? $"; culprit {run.Scenario.StepAt(c)}" : "";
        var at = f.Check >= 0 ? $" at {run.Scenario.StepAt(f.Check).At}" : "";
        return $"{f.Class.Name()}: {where}{at}: expected {f.Expected}, saw {f.Observed} — {f.Note}{culprit}";
    }

    /// <summary>Compact per-step results: ok steps are counted, anything else is named with its errno.</summary>
    private static string StepSummary(ScenarioRun run)
    {
        var results = run.Observation.Steps;
        var ok = results.Count(s => s.Outcome == Outcome.Ok);
        var other = results.Where(s => s.Outcome != Outcome.Ok)
            .Select(s => $"{run.Scenario.StepAt(s.Step).Keyword}={s}");
        return string.Join(" ", other.Prepend($"{ok}/{results.Count} ok"));
    }

    private static string Line(string[] cells, int[] widths) =>
        string.Join("  ", cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i]))).TrimEnd();
}
