using System.Text.Json;
using System.Text.Json.Serialization;
using Bridge.Core.Blocks;
using Bridge.Core.Observations;
using Bridge.Core.Oracle;

namespace Bridge.Core.Reports;

/// <summary>An enum as a report writes it: kebab-case (<c>lost-write</c>, <c>not-run</c>, <c>o-direct</c>), the names
/// the text reports use, not the C# ones. A value without a name (a header byte from a newer build) stays a number.</summary>
public sealed class KebabCaseEnum<T>() : JsonStringEnumConverter<T>(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: true)
    where T : struct, Enum;

/// <summary>The JSON shape of reports: observations and verdicts, enums in kebab-case, run ids as hex strings.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters =
    [
        typeof(KebabCaseEnum<VerdictClass>), typeof(KebabCaseEnum<Outcome>), typeof(KebabCaseEnum<ReadPath>), typeof(KebabCaseEnum<ReadState>),
        typeof(KebabCaseEnum<ContentKind>), typeof(KebabCaseEnum<Writer>), typeof(KebabCaseEnum<SectorKind>),
    ])]
[JsonSerializable(typeof(Observation))]
[JsonSerializable(typeof(ScenarioVerdict))]
[JsonSerializable(typeof(JsonScenarioRun))]
[JsonSerializable(typeof(List<BlockRun>))]
public sealed partial class BridgeJsonContext : JsonSerializerContext;

/// <summary>A scenario in a JSON report: its name, source and label, the steps in a line, the findings as the text
/// reports print them, how long its steps took, its evidence folder relative to the results (when one was written),
/// the verdict (class, findings block by block, refusals, skip reason) and the observation.</summary>
public sealed record JsonScenarioRun(
    string Name, string Source, string Backing, string Map, string Steps, IReadOnlyList<string> Report,
    double Seconds, string? Evidence, ScenarioVerdict Verdict, Observation Observation);

/// <summary>
/// results.json and <c>--json</c>: ONE document for a whole command, whatever the number of targets —
/// <code>
/// {"tool": "pinbridge", "schema": 1, "command": "regress", "complete": true, "interrupted": null, "exitCode": 1,
///  "targets": [{"target": "host", "kernelRelease": "6.18.4", "planned": 3, "finished": 3, "exitCode": 0,
///               "counts": {"intact": 3}, "scenarios": [{…}, …]}, …]}
/// </code>
/// Each scenario is one line (a JSON object), so the document grows by appending and stays greppable; every
/// identifier is a string (run ids as 16 hex digits) and every number is below 2^53.
/// </summary>
public static class JsonReport
{
    public const int Schema = 1;

    /// <summary>Strings as they are (<c>linux-6.5+</c>, not <c>linux-6.5\u002B</c>): the documents are files and
    /// standard output, never embedded in HTML, and every consumer reads UTF-8.</summary>
    public static readonly System.Text.Encodings.Web.JavaScriptEncoder Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    /// <summary>The report context with <see cref="Encoder"/>.</summary>
    public static readonly BridgeJsonContext Context = new(new JsonSerializerOptions(BridgeJsonContext.Default.Options) { Encoder = Encoder });

    /// <summary>One scenario's object, on one line: reports of growing runs keep these and rebuild only the rest.</summary>
    public static string Scenario(ScenarioRun run, string? evidence = null) => JsonSerializer.Serialize(
        new JsonScenarioRun(run.Scenario.Name, run.Scenario.SourceFile, run.Scenario.Backing.Name, run.Scenario.Map.ToString().ToLowerInvariant(),
            FindingText.Steps(run), FindingText.Lines(run), Math.Round(run.Elapsed.TotalSeconds, 6), evidence, run.Verdict, run.Observation),
        Context.JsonScenarioRun);

    /// <summary>The whole document; <paramref name="scenario"/> gives each scenario's object (default: rendered now).</summary>
    public static string Render(Results results, Func<ScenarioRun, string>? scenario = null)
    {
        scenario ??= r => Scenario(r);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = Encoder }))
        {
            w.WriteStartObject();
            w.WriteString("tool", "pinbridge");
            w.WriteNumber("schema", Schema);
            w.WriteString("command", results.Command);
            w.WriteBoolean("complete", results.Complete);
            if (results.Interrupted is { } why)
                w.WriteString("interrupted", why);
            else
                w.WriteNull("interrupted");
            w.WriteNumber("exitCode", results.ExitCode);
            w.WriteStartArray("plannedTargets");
            foreach (var t in results.PlannedTargets)
                w.WriteStringValue(t);
            w.WriteEndArray();
            w.WriteStartArray("targets");
            foreach (var target in results.Targets)
            {
                w.WriteStartObject();
                w.WriteString("target", target.Target);
                w.WriteString("kernelRelease", target.KernelRelease);
                w.WriteNumber("planned", target.Planned);
                w.WriteNumber("finished", target.Runs.Count);
                w.WriteNumber("exitCode", target.ExitCode);
                w.WriteStartObject("counts");
                foreach (var (c, n) in target.Counts)
                    w.WriteNumber(c.Name(), n);
                w.WriteEndObject();
                w.WriteStartArray("scenarios");
                foreach (var run in target.Runs)
                    w.WriteRawValue(scenario(run), skipInputValidation: true);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
