using System.Text.Json;
using Bridge.Core.Exploration;
using Bridge.Core.Oracle;
using Bridge.Core.Scenarios;
using Bridge.Targets.Analysis;

namespace Bridge.Targets.Exploration;

/// <summary><c>explore --json</c> and <c>shrink --json</c>: one document each, in the shape of compare's (tool,
/// schema, command, exitCode); the seed as a string (a ulong passes 2^53).</summary>
public static class ExplorationJson
{
    /// <param name="files">Per finding's signature, the files it was saved to (none without -o).</param>
    public static string Explore(Explorer explorer, ulong seed, string target, string? kernel, string? model, int exitCode,
        IReadOnlyDictionary<FindingSignature, IReadOnlyList<string>> files, bool interrupted) => AnalysisJson.Document("explore", exitCode, w =>
    {
        var p = explorer.Progress;
        w.WriteString("target", target);
        w.WriteString("kernelRelease", kernel);
        w.WriteString("model", model);
        w.WriteString("seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture));
        w.WriteBoolean("interrupted", interrupted);
        w.WriteNumber("scenarios", p.Scenarios);
        w.WriteNumber("skipped", p.Skipped);
        w.WriteStartArray("skipReasons");
        foreach (var (reason, count) in explorer.SkipReasons)
        {
            w.WriteStartObject();
            w.WriteString("reason", reason);
            w.WriteNumber("count", count);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteNumber("seconds", Math.Round(p.Elapsed.TotalSeconds, 3));
        w.WriteNumber("shrinkSeconds", Math.Round(p.Shrinking.TotalSeconds, 3));
        w.WriteNumber("perSecond", Math.Round(p.PerSecond, 2));
        w.WriteNumber("withFindings", p.WithFindings);
        w.WriteNumber("withDisagreements", p.WithDisagreements);
        w.WriteStartArray("findings");
        foreach (var f in explorer.Found)
        {
            w.WriteStartObject();
            Finding(w, f);
            w.WriteNumber("index", f.Index);
            w.WriteNumber("duplicates", f.Duplicates);
            AnalysisJson.WriteLines(w, "files", files.TryGetValue(f.Signature, out var saved) ? saved : []);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartObject("coverage");
        foreach (var line in explorer.Coverage.Lines())
        {
            w.WriteStartObject(line.Key);
            w.WriteNumber("exercised", line.Exercised.Count);
            w.WriteNumber("total", line.Total);
            AnalysisJson.WriteLines(w, "missing", line.Missing);
            w.WriteStartArray("leftOut");
            foreach (var row in line.LeftOut)
            {
                w.WriteStartObject();
                w.WriteString("name", row.Name);
                w.WriteString("why", row.Why);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndObject();
    });

    public static string Shrink(ExploredFinding f, int exitCode) => AnalysisJson.Document("shrink", exitCode, w => Finding(w, f));

    public static string Replay(IReadOnlyList<Trial> trials, string target, string? model, int exitCode) => AnalysisJson.Document("explore", exitCode, w =>
    {
        w.WriteString("target", target);
        w.WriteString("model", model);
        w.WriteStartArray("replay");
        foreach (var t in trials)
        {
            w.WriteStartObject();
            Trial(w, t);
            w.WriteStartArray("failures");
            foreach (var f in t.Failures)
                Signature(w, f, null);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
    });

    private static void Signature(Utf8JsonWriter w, FindingSignature s, string? name = "signature")
    {
        if (name is null)
            w.WriteStartObject();
        else
            w.WriteStartObject(name);
        w.WriteString("kind", s.Kind == FailureKind.Finding ? "finding" : "disagreement");
        w.WriteString("class", s.Class);
        w.WriteString("culprit", s.Culprit);
        w.WriteString("backing", s.Backing);
        w.WriteString("pinPath", s.PinPath);
        w.WriteString("errno", s.Errno);
        w.WriteEndObject();
    }

    private static void Trial(Utf8JsonWriter w, Trial t)
    {
        w.WriteString("name", t.Scenario.Name);
        w.WriteNumber("steps", t.Scenario.StepCount);
        w.WriteString("kernel", t.Real.Skip is null ? t.RealVerdict.Class.Name() : VerdictClass.Skipped.Name());
        if (t.ModelVerdict is { } m)
            w.WriteString("model", m.Class.Name());
        w.WriteString("text", ScenarioForm.Of(t.Scenario).Render());
        AnalysisJson.WriteLines(w, "disagreements", [.. DisagreementText.Lines(t.Scenario, t.Disagreements)]);
    }

    private static void Finding(Utf8JsonWriter w, ExploredFinding f)
    {
        Signature(w, f.Signature);
        w.WriteStartObject("found");
        Trial(w, f.First);
        w.WriteEndObject();
        w.WriteStartObject("minimal");
        Trial(w, f.Minimal);
        w.WriteEndObject();
        w.WriteNumber("rounds", f.Shrink.Rounds);
        w.WriteNumber("candidatesRun", f.Shrink.Tried);
        w.WriteNumber("reproduced", f.Reproduced);
        w.WriteNumber("runs", f.Runs);
    }
}
