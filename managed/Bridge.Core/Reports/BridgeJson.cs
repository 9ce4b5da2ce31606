using System.Text.Json;
using System.Text.Json.Serialization;
using Bridge.Core.Observations;
using Bridge.Core.Oracle;

namespace Bridge.Core.Reports;

/// <summary>The JSON shape of reports and of the agent protocol: observations and verdicts, enums by name.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Observation))]
[JsonSerializable(typeof(ScenarioVerdict))]
[JsonSerializable(typeof(JsonRunReport))]
[JsonSerializable(typeof(List<BlockRun>))]
public sealed partial class BridgeJsonContext : JsonSerializerContext;

/// <summary>A scenario in a JSON report: its name, source and label, the observation and the verdict.</summary>
public sealed record JsonScenarioRun(string Name, string Source, string Backing, string Map, Observation Observation, ScenarioVerdict Verdict);

public sealed record JsonRunReport(int ExitCode, IReadOnlyList<JsonScenarioRun> Scenarios);

public static class JsonReport
{
    public static string Render(RunReport report)
    {
        var json = new JsonRunReport(report.ExitCode, report.Runs.Select(r => new JsonScenarioRun(
            r.Scenario.Name, r.Scenario.SourceFile, r.Scenario.Backing.Name, r.Scenario.Map.ToString().ToLowerInvariant(), r.Observation, r.Verdict)).ToList());
        return JsonSerializer.Serialize(json, new BridgeJsonContext(new JsonSerializerOptions(BridgeJsonContext.Default.Options) { WriteIndented = true }).JsonRunReport);
    }
}
