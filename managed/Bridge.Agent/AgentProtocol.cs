using System.Text.Json;
using System.Text.Json.Serialization;
using Bridge.Core.Blocks;
using Bridge.Core.Execution;
using Bridge.Core.Observations;
using Bridge.Core.Scenarios;
using Bridge.Linux.Execution;

namespace Bridge.Agent;

/// <summary>A scenario as it travels to an agent: its (expanded) source text, file name for errors, and name.</summary>
public sealed record ScenarioText(string Name, string File, string Text)
{
    public static ScenarioText From(Scenario s) => new(s.Name, s.SourceFile, s.Text);

    public Scenario Parse() => ScenarioFile.ParseOne(Text, File, Name);
}

/// <summary>What the host asks of an agent: the scenarios, the target name to record in observations, how long a step
/// may take before it is a hang (<c>--timeout</c>; a race: its bound plus this), and which file images to keep where
/// (a path as the agent sees it).</summary>
/// <param name="CutsPower">The host cuts the power when asked (a VM: it kills qemu and boots again on the same disks):
/// at a crash step the agent reports a <c>power-cut</c> message and waits for it.</param>
/// <param name="Resume">This boot goes on after a power cut: the first scenario resumes at that point
/// (<see cref="ScenarioRunner.Resume"/>), the others run after it as usual.</param>
public sealed record AgentRequest(string Target, IReadOnlyList<ScenarioText> Scenarios, TimeSpan StepTimeout, ImageKeeping? KeepImages = null,
    bool CutsPower = false, PowerCutPoint? Resume = null);

/// <summary>
/// One line of the agent's output stream. The agent writes one JSON object per line and flushes after each, so the
/// host has every finished scenario even if the kernel panics during the next one:
/// <c>hello</c> (kernel release) → <c>observation</c> per scenario → <c>done</c>; <c>error</c> on a failure;
/// <c>power-cut</c> at a crash step: the scenario's steps so far and where to go on (<see cref="PowerCut"/>), after
/// which the agent waits for the host to cut the power.
/// </summary>
public sealed record AgentMessage(string Kind, string? Release = null, Observation? Observation = null, string? Error = null, PowerCutPoint? PowerCut = null)
{
    public const string Marker = "@bridge ";
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AgentRequest))]
[JsonSerializable(typeof(AgentMessage))]
[JsonSerializable(typeof(List<BlockRun>))]
internal sealed partial class AgentJsonContext : JsonSerializerContext;

public static class AgentProtocol
{
    /// <summary>Messages are prefixed with a marker so they can share a stream (a console) with other output.</summary>
    public static string Encode(AgentMessage message) => AgentMessage.Marker + JsonSerializer.Serialize(message, AgentJsonContext.Default.AgentMessage);

    public static AgentMessage? Decode(string line)
    {
        var at = line.IndexOf(AgentMessage.Marker, StringComparison.Ordinal);
        return at < 0 ? null : JsonSerializer.Deserialize(line[(at + AgentMessage.Marker.Length)..], AgentJsonContext.Default.AgentMessage);
    }

    /// <summary>
    /// Serializes a message that reaches every type an observation holds, to nowhere. The first serialization builds
    /// the JSON metadata of that whole graph, ~1.7 s of guest time under TCG; an agent starts this on another CPU
    /// while it reads its request, so its first real message does not wait for it.
    /// </summary>
    public static Task PrepareAsync() => Task.Run(() =>
    {
        var mixed = new BlockRead(1, ReadState.Mixed, default, Sectors: [new SectorRead(SectorKind.Valid, default)]);
        var view = new ViewRead(CheckPlan.DataFile, ReadPath.Disk, [BlockRead.Eof(0), mixed]);
        var observation = new Observation("warm-up", 0, new RunEnvironment("", "", null),
            [new StepResult(0, Outcome.Ok, Race: new RaceStats(0, 0, 0, 0, 0))], [new CheckObservation(1, [view])], [], null);
        JsonSerializer.Serialize(Stream.Null, new AgentMessage("observation", Observation: observation), AgentJsonContext.Default.AgentMessage);
    });

    public static string EncodeRequest(AgentRequest request) => JsonSerializer.Serialize(request, AgentJsonContext.Default.AgentRequest);

    public static AgentRequest DecodeRequest(string json) =>
        JsonSerializer.Deserialize(json, AgentJsonContext.Default.AgentRequest) ?? throw new InvalidDataException("empty agent request");
}
