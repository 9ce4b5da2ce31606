using Bridge.Core.Observations;
using Bridge.Core.Scenarios;
using Bridge.Simulator.Analysis;
using Bridge.Targets.Sim;

namespace Bridge.Targets.Analysis;

/// <summary>One scenario on a real target and on the model: every disagreement (step results, per-block verdict
/// classes), or why it was not compared (the real target could not run it).</summary>
public sealed record ScenarioComparison(Scenario Scenario, IReadOnlyList<Disagreement> Disagreements, string? NotCompared)
{
    public bool Agrees => NotCompared is null && Disagreements.Count == 0;

    /// <summary>The disagreements as lines a kernel developer reads: steps by their text and line, consecutive blocks
    /// that disagree alike as one range.</summary>
    public IReadOnlyList<string> Lines => [.. DisagreementText.Lines(Scenario, Disagreements)];
}

/// <summary>The same scenarios on a real kernel and on the simulator, compared step by step and block by block.
/// Where they disagree, either the model or the kernel is wrong: that is a finding.</summary>
public static class ModelComparison
{
    /// <param name="progress">Called with each target's name and observation as it arrives (a progress line).</param>
    public static async Task<IReadOnlyList<ScenarioComparison>> CompareAsync(ITarget real, ITarget model, IReadOnlyList<Scenario> scenarios,
        Action<string, Observation>? progress, CancellationToken ct)
    {
        var observed = await CollectAsync(real, scenarios, progress, ct);
        var modelled = await CollectAsync(model, scenarios, progress, ct);
        var policy = (model as SimulatorTarget)?.Policy;
        return [.. scenarios.Select(s => Describe(s, Comparison.Compare(observed[s.Name], modelled[s.Name], s, policy)))];
    }

    /// <summary>Each scenario's observation on <paramref name="target"/>, by scenario name.</summary>
    public static async Task<Dictionary<string, Observation>> CollectAsync(ITarget target, IReadOnlyList<Scenario> scenarios,
        Action<string, Observation>? progress, CancellationToken ct)
    {
        var byName = new Dictionary<string, Observation>();
        await foreach (var o in target.RunAsync(scenarios, ct))
        {
            byName[o.Scenario] = o;
            progress?.Invoke(target.Name, o);
        }
        return byName;
    }

    private static ScenarioComparison Describe(Scenario scenario, IReadOnlyList<Disagreement> found) =>
        found is [{ Kind: DisagreementKind.Skipped } only]
            ? new ScenarioComparison(scenario, [], only.Note)
            : new ScenarioComparison(scenario, found, null);
}
