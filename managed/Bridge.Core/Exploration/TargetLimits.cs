using Bridge.Core.Scenarios;

namespace Bridge.Core.Exploration;

/// <summary>
/// What a target says it cannot run, row by row, each with the reason it would skip a scenario for (a pin path
/// without its device — "no RDMA device …" —, a verb without its kernel interface, a power cut where there is no
/// power to cut). The generator leaves these rows out, so exploration spends no scenario on a skip, and coverage says
/// what was left out and why. Rows only: which rows a target lacks is the target's question, never a verb's name.
/// </summary>
public sealed record TargetLimits(
    IReadOnlyDictionary<VerbInfo, string> Verbs,
    IReadOnlyDictionary<BackingInfo, string> Backings,
    IReadOnlyDictionary<PinPathInfo, string> PinPaths)
{
    /// <summary>A target that runs every row (a VM, the model).</summary>
    public static readonly TargetLimits None = new(new Dictionary<VerbInfo, string>(), new Dictionary<BackingInfo, string>(), new Dictionary<PinPathInfo, string>());

    public bool IsEmpty => Verbs.Count == 0 && Backings.Count == 0 && PinPaths.Count == 0;

    /// <summary>Why <paramref name="scenario"/> would be skipped for a row it uses, or null.</summary>
    public string? Excludes(Scenario scenario) =>
        Backings.GetValueOrDefault(scenario.Backing)
        ?? scenario.AllSteps().Select(s => Verbs.GetValueOrDefault(s.Verb) ?? (s.Effect == Effect.Pin ? PinPaths.GetValueOrDefault(s.PinPath) : null))
            .FirstOrDefault(why => why is not null);
}
