using System.Text;
using Bridge.Core.Observations;
using Bridge.Core.Oracle;

namespace Bridge.Core.Reports;

/// <summary>The same scenarios on several kernels: one run report per target, side by side.</summary>
public sealed record RegressReport(IReadOnlyList<RunReport> Targets)
{
    /// <summary>0 when no target has findings, 1 otherwise (differences between kernels are the point, not an error).</summary>
    public int ExitCode => Targets.Any(t => t.ExitCode != 0) ? 1 : 0;

    /// <summary>What a kernel did with a scenario, in a few words: the verdict, and every step that did not succeed.</summary>
    public static string Cell(ScenarioRun? run)
    {
        if (run is null)
            return "-";
        if (run.Verdict.Class == VerdictClass.Skipped)
            return "skipped";
        var steps = run.Observation.Steps.Where(s => s.Outcome is Outcome.Errno or Outcome.Timeout)
            .Select(s => $"{run.Scenario.StepAt(s.Step).Keyword}={s}")
            .Distinct();
        return string.Join(' ', steps.Prepend(run.Verdict.Class.Name()));
    }

    /// <summary>Scenario × kernel; a row whose cells differ between the kernels that ran it is marked with '*'.</summary>
    public string RenderTable()
    {
        var names = Targets.SelectMany(t => t.Runs).Select(r => r.Scenario.Name).Distinct().ToList();
        var headers = Targets.Select(t => t.Environments.FirstOrDefault() is { } e ? $"{e.Target} ({e.KernelRelease})" : "?").ToList();
        var rows = names.Select(n => Targets.Select(t => Cell(t.Runs.FirstOrDefault(r => r.Scenario.Name == n))).ToList()).ToList();
        var nameWidth = names.Select(n => n.Length).Append(8).Max();
        var widths = headers.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToList();
        var sb = new StringBuilder();
        sb.AppendLine("  " + "scenario".PadRight(nameWidth) + "  " + string.Join("  ", headers.Select((h, i) => h.PadRight(widths[i]))).TrimEnd());
        var differing = 0;
        for (var i = 0; i < names.Count; i++)
        {
            // Kernels that could not run a scenario (no RDMA device on the host) are left out of the comparison.
            var differs = rows[i].Where(c => c is not ("skipped" or "-")).Distinct().Count() > 1;
            differing += differs ? 1 : 0;
            sb.AppendLine((differs ? "* " : "  ") + names[i].PadRight(nameWidth) + "  " + string.Join("  ", rows[i].Select((c, j) => c.PadRight(widths[j]))).TrimEnd());
        }
        sb.AppendLine($"{names.Count} scenarios on {Targets.Count} kernels: {differing} differ between kernels (*)");
        foreach (var t in Targets)
        {
            var counts = t.Runs.GroupBy(r => r.Verdict.Class).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key.Name()}");
            sb.AppendLine($"  {t.Environments.FirstOrDefault()?.Target}: {string.Join(", ", counts)}");
        }
        return sb.ToString();
    }
}
