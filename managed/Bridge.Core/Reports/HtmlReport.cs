using System.Globalization;
using System.Net;
using System.Text;
using Bridge.Core.Observations;
using Bridge.Core.Oracle;

namespace Bridge.Core.Reports;

/// <summary>
/// report.html: the scenario × kernel matrix, one colour per verdict, every finding expandable (<c>&lt;details&gt;</c>)
/// to its blocks and steps. One self-contained file: inline CSS, no script, no font, image or stylesheet to fetch —
/// its Content-Security-Policy forbids the browser to load anything — so it opens from a CI artifact store or a mail.
/// Each matrix cell is a <c>td.cell</c>: a row per scenario, a column per target.
/// </summary>
public static class HtmlReport
{
    /// <summary>Colour per verdict: green for what the oracle allows, grey for skips, warm to dark for findings.</summary>
    public static readonly IReadOnlyDictionary<VerdictClass, string> Colours = new Dictionary<VerdictClass, string>
    {
        [VerdictClass.Intact] = "#b7e4c7",
        [VerdictClass.Refused] = "#cfe2ff",
        [VerdictClass.OrphanedWrite] = "#d0bfff",
        [VerdictClass.Skipped] = "#e9ecef",
        [VerdictClass.Interrupted] = "#fff3bf",
        [VerdictClass.Stale] = "#ffe8a1",
        [VerdictClass.Zeroed] = "#ffd19a",
        [VerdictClass.Misplaced] = "#ffc078",
        [VerdictClass.Torn] = "#ffa94d",
        [VerdictClass.Phantom] = "#ff8787",
        [VerdictClass.LostWrite] = "#f03e3e",
        [VerdictClass.IoError] = "#c92a2a",
        [VerdictClass.KernelWarn] = "#b197fc",
        [VerdictClass.Hang] = "#495057",
    };

    /// <summary>One cell's content for a finished scenario: reports of growing runs keep these.</summary>
    public static string Cell(ScenarioRun run)
    {
        var v = run.Verdict;
        var sb = new StringBuilder();
        sb.Append("<details><summary>").Append(E(run.VerdictName)).Append("</summary>");
        if (v.Class is VerdictClass.Skipped or VerdictClass.Interrupted)
            sb.Append("<p>").Append(E(v.SkipReason ?? "no reason given")).Append("</p>");
        foreach (var r in v.Refusals)
            sb.Append("<p>refused: <code>").Append(E(r.Text)).Append("</code> returned ").Append(E(r.Errno)).Append("</p>");
        if (v.HasFindings || v.Notes.Count > 0 || v.OrphanedWrites.Count > 0)
            sb.Append("<pre class=\"finding\">").Append(E(string.Join('\n', FindingText.Lines(run)))).Append("</pre>");
        sb.Append(Steps(run));
        sb.Append("</details>");
        return sb.ToString();
    }

    /// <summary>The whole page; <paramref name="cell"/> gives each finished scenario's cell content.</summary>
    public static string Render(Results results, Func<ScenarioRun, string>? cell = null)
    {
        cell ??= Cell;
        var columns = results.PlannedTargets;
        var byTarget = results.Targets.ToDictionary(t => t.Target, t => t.Runs.ToDictionary(r => r.Scenario.Name));
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
            .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n")
            .Append("<title>pinbridge ").Append(E(results.Command)).Append("</title>\n<style>\n").Append(Style()).Append("</style></head>\n<body>\n")
            .Append("<h1>pinbridge ").Append(E(results.Command)).Append("</h1>\n<p class=\"status\">")
            .Append(E(results.Interrupted is { } why ? $"interrupted ({why}): the matrix holds what finished"
                : results.Complete ? $"complete; exit code {results.ExitCode}" : "running: the matrix holds what has finished so far"))
            .Append("</p>\n<table class=\"matrix\">\n<thead><tr><th>scenario</th><th>backing</th>");
        foreach (var t in columns)
        {
            var kernel = results.Targets.FirstOrDefault(r => r.Target == t)?.KernelRelease;
            sb.Append("<th>").Append(E(t)).Append(kernel is null ? "" : "<br><span class=\"kernel\">" + E(kernel) + "</span>").Append("</th>");
        }
        sb.Append("</tr></thead>\n<tbody>\n");
        foreach (var scenario in results.Scenarios)
        {
            var runs = columns.Select(t => byTarget.TryGetValue(t, out var m) && m.TryGetValue(scenario.Name, out var r) ? r : null).ToList();
            var differs = runs.OfType<ScenarioRun>().Where(r => r.Verdict.Class != VerdictClass.Skipped).Select(r => r.Verdict.Class).Distinct().Count() > 1;
            sb.Append(differs ? "<tr class=\"differs\">" : "<tr>").Append("<th scope=\"row\">").Append(E(scenario.Name))
                .Append("<br><span class=\"source\">").Append(E(scenario.SourceFile)).Append("</span></th><td>").Append(E(scenario.Label)).Append("</td>");
            foreach (var run in runs)
            {
                if (run is null)
                    sb.Append("<td class=\"cell pending\">not run</td>");
                else
                    sb.Append("<td class=\"cell v-").Append(run.VerdictName).Append("\">").Append(cell(run)).Append("</td>");
            }
            sb.Append("</tr>\n");
        }
        sb.Append("</tbody></table>\n<p class=\"legend\">");
        foreach (var (verdict, colour) in Colours)
            sb.Append("<span class=\"v-").Append(verdict.Name()).Append("\">").Append(verdict.Name()).Append("</span> ");
        sb.Append("</p>\n<ul class=\"counts\">");
        foreach (var t in results.Targets)
            sb.Append("<li>").Append(E($"{t.Target}{(t.KernelRelease is { } k ? $" ({k})" : "")}: {t.Runs.Count} of {t.Planned} scenarios, {t.CountsText}")).Append("</li>");
        sb.Append("</ul>\n</body></html>\n");
        return sb.ToString();
    }

    private static string Steps(ScenarioRun run)
    {
        var sb = new StringBuilder("<table class=\"steps\"><tr><th>line</th><th>step</th><th>result</th><th>µs</th></tr>");
        foreach (var step in run.Scenario.AllSteps())
        {
            var result = run.Observation.ResultOf(step.Index);
            var text = result is null ? "no result" : result.Outcome == Outcome.NotRun ? $"not run: {result.Detail}" : result.ToString() + (result.Detail is { } d && result.Outcome != Outcome.Ok ? $" ({d})" : "");
            var micros = result is { Outcome: not Outcome.NotRun } ? ((result.End - result.Start) / 1000).ToString(CultureInfo.InvariantCulture) : "";
            sb.Append("<tr class=\"").Append(result?.Outcome == Outcome.Ok ? "ok" : "not-ok").Append("\"><td>").Append(step.At.Line).Append("</td><td><code>")
                .Append(E(step.Text)).Append("</code></td><td>").Append(E(text)).Append("</td><td>").Append(micros).Append("</td></tr>");
        }
        return sb.Append("</table>").ToString();
    }

    private static string Style()
    {
        var sb = new StringBuilder("""
            body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #212529; }
            table.matrix { border-collapse: collapse; }
            table.matrix th, table.matrix td { border: 1px solid #adb5bd; padding: 4px 8px; vertical-align: top; text-align: left; }
            tr.differs > th::before { content: "* "; color: #c92a2a; }
            .source, .kernel { font-size: 11px; color: #495057; font-weight: normal; }
            td.pending { color: #868e96; font-style: italic; }
            details > summary { cursor: pointer; font-weight: 600; }
            pre.finding { white-space: pre-wrap; max-width: 70em; font-size: 12px; background: #fffffff0; color: #212529; padding: 4px; }
            table.steps { border-collapse: collapse; font-size: 12px; margin-top: 4px; background: #fffffff0; color: #212529; }
            table.steps td, table.steps th { border: 1px solid #ced4da; padding: 1px 4px; }
            table.steps tr.not-ok { font-weight: 600; }
            .legend span { padding: 2px 6px; margin-right: 4px; border: 1px solid #adb5bd; }

            """);
        foreach (var (verdict, colour) in Colours)
            sb.Append(CultureInfo.InvariantCulture, $".v-{verdict.Name()} {{ background: {colour};{(verdict is VerdictClass.Hang or VerdictClass.IoError or VerdictClass.LostWrite ? " color: #fff;" : "")} }}\n");
        return sb.ToString();
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
