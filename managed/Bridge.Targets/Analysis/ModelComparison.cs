using Bridge.Core.Observations;
using Bridge.Core.Scenarios;
using Bridge.Simulator.Analysis;

namespace Bridge.Targets.Analysis;

/// <summary>One scenario on a real target and on the model: every disagreement (step results, per-block verdict
/// classes), or why it was not compared (the real target could not run it).</summary>
public sealed record ScenarioComparison(Scenario Scenario, IReadOnlyList<string> Disagreements, string? NotCompared);

/// <summary>The same scenarios on a real kernel and on the simulator, compared step by step and block by block.
/// Where they disagree, either the model or the kernel is wrong: that is a finding.</summary>
public static class ModelComparison
{
    public static async Task<IReadOnlyList<ScenarioComparison>> CompareAsync(ITarget real, ITarget model, IReadOnlyList<Scenario> scenarios, CancellationToken ct)
    {
        var observed = await CollectAsync(real, scenarios, ct);
        var modelled = await CollectAsync(model, scenarios, ct);
        return [.. scenarios.Select(s => Describe(s, Comparison.Compare(observed[s.Name], modelled[s.Name], s)))];
    }

    /// <summary>Each scenario's observation on <paramref name="target"/>, by scenario name.</summary>
    public static async Task<Dictionary<string, Observation>> CollectAsync(ITarget target, IReadOnlyList<Scenario> scenarios, CancellationToken ct)
    {
        var byName = new Dictionary<string, Observation>();
        await foreach (var o in target.RunAsync(scenarios, ct))
            byName[o.Scenario] = o;
        return byName;
    }

    private static ScenarioComparison Describe(Scenario scenario, IReadOnlyList<Disagreement> found) =>
        found is [{ Kind: DisagreementKind.Skipped } only]
            ? new ScenarioComparison(scenario, [], only.Note)
            : new ScenarioComparison(scenario, [.. found.Select(d => d.ToString())], null);
}
