using System.Text;
using Bridge.Core.Oracle;

namespace Bridge.Core.Reports;

/// <summary>TAP version 13 as kselftest prints it: <c>ok N name</c>, <c># SKIP reason</c>, and a YAML block of
/// findings under a failing test.</summary>
public static class TapReport
{
    public static string Render(RunReport report)
    {
        var sb = new StringBuilder();
        sb.AppendLine("TAP version 13");
        foreach (var env in report.Environments.DistinctBy(e => (e.Target, e.KernelRelease)))
            sb.AppendLine($"# kernel {env.KernelRelease} on {env.Target}");
        sb.AppendLine($"1..{report.Runs.Count}");
        var n = 0;
        foreach (var run in report.Runs)
        {
            n++;
            var v = run.Verdict;
            var directive = v.Class switch
            {
                VerdictClass.Skipped => $" # SKIP {v.SkipReason}",
                VerdictClass.Interrupted => $" # SKIP interrupted: {v.SkipReason}",
                VerdictClass.Refused => $" # refused: {string.Join("; ", v.Refusals.Select(r => $"{r.Text} -> {r.Errno}"))}",
                _ => "",
            };
            sb.AppendLine($"{(v.HasFindings ? "not ok" : "ok")} {n} {run.Scenario.Name} [{run.Scenario.Label}]{directive}");
            foreach (var note in v.Notes)
                sb.AppendLine($"# {run.Scenario.Name}: {note}");
            if (!v.HasFindings)
                continue;
            sb.AppendLine("  ---");
            sb.AppendLine($"  verdict: {v.Class.Name()}");
            sb.AppendLine("  findings:");
            foreach (var f in v.Findings)
                sb.AppendLine($"    - \"{TableReport.Describe(run, f).Replace("\"", "'", StringComparison.Ordinal)}\"");
            sb.AppendLine("  ...");
        }
        return sb.ToString();
    }
}
