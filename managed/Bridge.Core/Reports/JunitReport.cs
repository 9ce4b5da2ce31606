using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Bridge.Core.Oracle;

namespace Bridge.Core.Reports;

/// <summary>
/// junit.xml as CI servers read it (the Jenkins/Ant schema): one <c>&lt;testsuite&gt;</c> per target (kernel), one
/// <c>&lt;testcase&gt;</c> per scenario, <c>&lt;failure type="lost-write" message="…"&gt;</c> with the finding's text,
/// <c>&lt;skipped message="reason"/&gt;</c>, and the steps and kernel log in <c>&lt;system-out&gt;</c>.
/// </summary>
public static class JunitReport
{
    /// <summary>One scenario's test case: reports of growing runs keep these and rebuild only the suites.</summary>
    public static XElement TestCase(RunReport target, ScenarioRun run)
    {
        var v = run.Verdict;
        var element = new XElement("testcase",
            new XAttribute("name", Text(run.Scenario.Name)),
            new XAttribute("classname", Text($"{target.Target}.{System.IO.Path.GetFileNameWithoutExtension(run.Scenario.SourceFile)}")),
            new XAttribute("time", Seconds(run.Elapsed)));
        var report = FindingText.Lines(run);
        if (v.HasFindings)
        {
            var headline = report.FirstOrDefault() ?? v.Class.Name();
            element.Add(new XElement("failure",
                new XAttribute("type", v.Class.Name()),
                new XAttribute("message", Text(headline)),
                Text(string.Join('\n', report))));
        }
        else if (v.Class is VerdictClass.Skipped or VerdictClass.Interrupted)
        {
            // JUnit has no "interrupted": the scenario was neither passed nor failed, as a skip.
            var why = v.SkipReason ?? "no reason given";
            element.Add(new XElement("skipped", new XAttribute("message", Text(v.Class == VerdictClass.Interrupted ? "interrupted: " + why : why))));
        }
        var output = new StringBuilder($"verdict: {run.VerdictName}\nsteps: {FindingText.Steps(run)}\n");
        foreach (var r in v.Refusals)
            output.Append(CultureInfo.InvariantCulture, $"refused: '{r.Text}' returned {r.Errno}\n");
        foreach (var note in v.Notes)
            output.Append("note: ").Append(note).Append('\n');
        foreach (var line in FindingText.Orphaned(run))
            output.Append(line.TrimStart()).Append('\n');
        foreach (var line in run.Observation.KernelLog)
            output.Append("kernel: ").Append(line).Append('\n');
        element.Add(new XElement("system-out", Text(output.ToString())));
        return element;
    }

    /// <summary>The whole document; <paramref name="testCase"/> gives each scenario's element (default: built now).</summary>
    public static string Render(Results results, Func<RunReport, ScenarioRun, XElement>? testCase = null)
    {
        testCase ??= TestCase;
        var suites = results.Targets.Select(t =>
        {
            var cases = t.Runs.Select(r => testCase(t, r)).ToList();
            return new XElement("testsuite",
                new XAttribute("name", Text(t.KernelRelease is { } k ? $"{t.Target} ({k})" : t.Target)),
                new XAttribute("tests", t.Runs.Count),
                new XAttribute("failures", t.Runs.Count(r => r.Verdict.HasFindings)),
                new XAttribute("errors", 0),
                new XAttribute("skipped", t.Runs.Count(r => r.Verdict.Class is VerdictClass.Skipped or VerdictClass.Interrupted)),
                new XAttribute("time", Seconds(TimeSpan.FromTicks(t.Runs.Sum(r => r.Elapsed.Ticks)))),
                new XElement("properties",
                    new XElement("property", new XAttribute("name", "target"), new XAttribute("value", Text(t.Target))),
                    new XElement("property", new XAttribute("name", "kernel"), new XAttribute("value", Text(t.KernelRelease ?? "unknown"))),
                    new XElement("property", new XAttribute("name", "planned"), new XAttribute("value", t.Planned))),
                cases);
        }).ToList();
        var root = new XElement("testsuites",
            new XAttribute("name", $"pinbridge {results.Command}"),
            new XAttribute("tests", results.Targets.Sum(t => t.Runs.Count)),
            new XAttribute("failures", results.Targets.Sum(t => t.Runs.Count(r => r.Verdict.HasFindings))),
            new XAttribute("errors", 0),
            new XAttribute("skipped", results.Targets.Sum(t => t.Runs.Count(r => r.Verdict.Class is VerdictClass.Skipped or VerdictClass.Interrupted))),
            suites);
        if (results.Interrupted is { } why)
            root.AddFirst(new XComment($" interrupted: {Text(why).Replace("--", "- -", StringComparison.Ordinal)}; the suites hold what finished "));
        var sb = new StringBuilder();
        using (var writer = XmlWriter.Create(new StringWriter(sb, CultureInfo.InvariantCulture), new XmlWriterSettings { Indent = true, OmitXmlDeclaration = true }))
            new XDocument(root).Save(writer);
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + sb + "\n";
    }

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture);

    /// <summary>XML 1.0 cannot carry most control characters (nor lone surrogates), even escaped: a kernel log line
    /// may hold them. Each becomes '?'.</summary>
    private static string Text(string text)
    {
        StringBuilder? clean = null;
        for (var i = 0; i < text.Length; i++)
        {
            var pair = i + 1 < text.Length && XmlConvert.IsXmlSurrogatePair(text[i + 1], text[i]);
            var ok = pair || XmlConvert.IsXmlChar(text[i]);
            if (!ok && clean is null)
                clean = new StringBuilder(text, 0, i, text.Length);
            clean?.Append(ok ? text[i] : '?');
            if (pair)
            {
                clean?.Append(text[i + 1]);
                i++;
            }
        }
        return clean?.ToString() ?? text;
    }
}
