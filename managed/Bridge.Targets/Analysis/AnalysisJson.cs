using System.Text;
using System.Text.Json;
using Bridge.Core.Reports;

namespace Bridge.Targets.Analysis;

/// <summary><c>compare --json</c> and <c>classify --json</c>: one document each, in the shape of results.json's header
/// (tool, schema, command, exitCode), steps named by their line and text, kinds and paths in kebab-case.</summary>
public static class AnalysisJson
{
    public static string Compare(string target, string? kernel, string model, IReadOnlyList<ScenarioComparison> comparisons, int exitCode) => Document("compare", exitCode, w =>
    {
        w.WriteString("target", target);
        w.WriteString("kernelRelease", kernel);
        w.WriteString("model", model);
        w.WriteStartObject("counts");
        w.WriteNumber("agree", comparisons.Count(c => c.Agrees));
        w.WriteNumber("disagree", comparisons.Count(c => c.NotCompared is null && !c.Agrees));
        w.WriteNumber("notCompared", comparisons.Count(c => c.NotCompared is not null));
        w.WriteEndObject();
        w.WriteStartArray("scenarios");
        foreach (var c in comparisons)
        {
            w.WriteStartObject();
            w.WriteString("name", c.Scenario.Name);
            w.WriteString("source", c.Scenario.SourceFile);
            w.WriteString("result", c.NotCompared is not null ? "not-compared" : c.Agrees ? "agree" : "disagree");
            if (c.NotCompared is { } why)
                w.WriteString("reason", why);
            w.WriteStartArray("disagreements");
            foreach (var d in c.Disagreements)
            {
                w.WriteStartObject();
                w.WriteString("kind", DisagreementText.Kind(d.Kind).Replace(' ', '-'));
                if (d.Step is { } s)
                {
                    w.WriteNumber("line", c.Scenario.StepAt(s).At.Line);
                    w.WriteString("step", c.Scenario.StepAt(s).Text);
                }
                if (d.File is not null)
                    w.WriteString("file", d.File);
                if (d.Path is { } p)
                    w.WriteString("path", JsonNamingPolicy.KebabCaseLower.ConvertName(p.ToString()));
                if (d.Block is { } b)
                    w.WriteNumber("block", b);
                w.WriteString("kernel", d.Real);
                w.WriteString("model", d.Simulated);
                w.WriteString("note", d.Note);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            WriteLines(w, "text", c.Lines);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    });

    public static string Classify(string target, EraClassification c, int exitCode) => Document("classify", exitCode, w =>
    {
        w.WriteString("target", target);
        w.WriteString("kernelRelease", c.KernelRelease);
        WriteLines(w, "matches", [.. c.Fits.Matches.Select(p => p.Name)]);
        w.WriteString("summary", c.Summary);
        w.WriteStartArray("eras");
        foreach (var fit in c.Fits.Fits)
        {
            w.WriteStartObject();
            w.WriteString("era", fit.Policy.Name);
            w.WriteBoolean("matches", fit.Matches);
            w.WriteNumber("compared", fit.Compared);
            w.WriteNumber("deviations", fit.Deviations.Count);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("scenarios");
        foreach (var e in c.Evidence)
        {
            w.WriteStartObject();
            w.WriteString("name", e.Scenario.Name);
            w.WriteString("source", e.Scenario.SourceFile);
            w.WriteString("kernel", e.Kernel);
            if (e.Skipped is { } skip)
                w.WriteString("skipped", skip);
            w.WriteStartObject("predictions");
            foreach (var era in c.Eras)
            {
                w.WriteStartObject(era);
                w.WriteString("outcome", e.Predictions[era]);
                w.WriteBoolean("agrees", e.Agrees(era));
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteEndArray();
    });

    internal static void WriteLines(Utf8JsonWriter w, string name, IReadOnlyList<string> lines)
    {
        w.WriteStartArray(name);
        foreach (var line in lines)
            w.WriteStringValue(line);
        w.WriteEndArray();
    }

    internal static string Document(string command, int exitCode, Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JsonReport.Encoder }))
        {
            w.WriteStartObject();
            w.WriteString("tool", "pinbridge");
            w.WriteNumber("schema", JsonReport.Schema);
            w.WriteString("command", command);
            w.WriteNumber("exitCode", exitCode);
            body(w);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
