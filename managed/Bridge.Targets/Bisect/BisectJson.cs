using System.Globalization;
using System.Text;
using System.Text.Json;
using Bridge.Core.Oracle;
using Bridge.Core.Reports;

namespace Bridge.Targets.Bisect;

/// <summary>
/// <c>pinbridge bisect --json</c>: one document in the shape of results.json's header (tool, schema, command,
/// exitCode), then what was searched (<c>over</c>: the line or the tree, the scenarios, the range's ends), the
/// <c>result</c> (kind changed | no-change | cannot-test | interrupted, the last candidate with the old verdict and the
/// first with the new, the untestable ones between — when interrupted, <c>untested</c>: the ones between not yet
/// tested — every change when every candidate was tested, the reason), and every
/// candidate <c>tested</c>, in the order tested: name, title, release (uname -r), verdict key or why it could not be
/// tested, seconds, and per scenario its verdict, errno and steps (file:line, text, result).
/// </summary>
public static class BisectJson
{
    public static string Render(BisectOutcome outcome, string over, string source, IReadOnlyList<string> scenarios, VerdictRules rules, int repeat)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JsonReport.Encoder }))
        {
            var plan = outcome.Plan;
            w.WriteStartObject();
            w.WriteString("tool", "pinbridge");
            w.WriteNumber("schema", JsonReport.Schema);
            w.WriteString("command", "bisect");
            w.WriteNumber("exitCode", outcome.ExitCode);
            w.WriteString("over", over);
            w.WriteString("source", source);
            Strings(w, "scenarios", scenarios);
            w.WriteStartObject("rules");
            w.WriteBoolean("byErrno", rules.ByErrno);
            w.WriteBoolean("refusedIsVerdict", rules.RefusedIsVerdict);
            w.WriteNumber("repeat", repeat);
            w.WriteBoolean("every", plan.Every);
            w.WriteEndObject();
            Strings(w, "candidates", [.. plan.Candidates.Select(c => c.Name)]);
            w.WriteString("old", plan.Candidates[plan.Low].Name);
            w.WriteString("new", plan.Candidates[plan.High].Name);
            w.WriteStartObject("result");
            var c = outcome.Conclusion;
            w.WriteString("kind", c.Kind switch
            {
                ConclusionKind.Changed => "changed",
                ConclusionKind.NoChange => "no-change",
                ConclusionKind.Interrupted => "interrupted",
                _ => "cannot-test",
            });
            Name(w, "lastOld", plan, c.LastOld);
            Name(w, "firstNew", plan, c.FirstNew);
            Strings(w, c.Kind == ConclusionKind.Interrupted ? "untested" : "untestableBetween", [.. c.Between.Select(i => plan.Candidates[i].Name)]);
            w.WriteStartArray("changes");
            foreach (var (before, after) in c.Changes)
            {
                w.WriteStartObject();
                w.WriteString("before", plan.Candidates[before].Name);
                w.WriteString("after", plan.Candidates[after].Name);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            if (c.Reason is not null)
                w.WriteString("reason", c.Reason);
            w.WriteEndObject();
            w.WriteNumber("seconds", Math.Round(outcome.Elapsed.TotalSeconds, 3));
            w.WriteStartArray("tested");
            foreach (var t in outcome.Tested)
                Tested(w, t);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Tested(Utf8JsonWriter w, TestedCandidate t)
    {
        w.WriteStartObject();
        w.WriteNumber("order", t.Order);
        w.WriteString("name", t.Candidate.Name);
        w.WriteString("spec", t.Candidate.Spec);
        if (t.Candidate.Title is { } title)
            w.WriteString("title", title);
        w.WriteString("release", t.Release);
        if (t.Result.Testable)
            w.WriteString("verdict", t.Result.Key);
        else
            w.WriteString("untestable", t.Result.Untestable);
        w.WriteNumber("runs", t.Runs.Count);
        w.WriteNumber("seconds", Math.Round(t.Elapsed.TotalSeconds, 3));
        w.WriteStartArray("scenarios");
        foreach (var s in t.Verdicts)
        {
            w.WriteStartObject();
            w.WriteString("name", s.Scenario);
            w.WriteString("verdict", s.Class.Name());
            if (s.Errno is not null)
                w.WriteString("errno", s.Errno);
            w.WriteStartArray("steps");
            foreach (var (at, text, result) in s.Steps)
            {
                w.WriteStartObject();
                w.WriteString("at", at);
                w.WriteString("step", text);
                w.WriteString("result", result);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            Strings(w, "report", FindingText.Lines(s.Run));
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void Name(Utf8JsonWriter w, string property, BisectPlan plan, int? index)
    {
        if (index is { } i)
            w.WriteString(property, plan.Candidates[i].Name);
        else
            w.WriteNull(property);
    }

    private static void Strings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
            w.WriteStringValue(v);
        w.WriteEndArray();
    }

    /// <summary>Seconds as a table prints them.</summary>
    public static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
}
