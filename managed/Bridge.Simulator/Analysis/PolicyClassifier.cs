using Bridge.Core.Observations;
using Bridge.Core.Scenarios;
using Bridge.Simulator.Policies;

namespace Bridge.Simulator.Analysis;

/// <summary>How one policy fares against a kernel's observations: the disagreements, scenario by scenario.</summary>
public sealed record PolicyFit(Policy Policy, IReadOnlyList<(string Scenario, Disagreement Disagreement)> Deviations, int Compared)
{
    public bool Matches => Compared > 0 && Deviations.Count == 0;
}

/// <summary>The classifier's answer: every policy's fit, best first, and the policies that match.</summary>
public sealed record Classification(IReadOnlyList<PolicyFit> Fits, IReadOnlyList<string> Skipped)
{
    public IReadOnlyList<Policy> Matches => Fits.Where(f => f.Matches).Select(f => f.Policy).ToList();

    public string Summary()
    {
        var matches = Matches;
        if (matches.Count > 0)
            return $"matches {string.Join(" and ", matches.Select(p => p.Name))} on {Fits[0].Compared} scenario(s)";
        if (Fits.Count == 0 || Fits[0].Compared == 0)
            return "nothing to compare: every discriminating scenario was skipped";
        var best = Fits[0];
        return $"matches none; closest is {best.Policy.Name}, which deviates at: " +
               string.Join("; ", best.Deviations.Select(d => $"{d.Scenario} {d.Disagreement}"));
    }
}

/// <summary>
/// Names the kernel policy a real kernel behaves like: each real observation of a policy-discriminating scenario
/// is compared with the simulation of the same scenario (same run id) under every policy. By default only what
/// the kernel decides is compared — step results (errnos) and which read paths were available; with
/// <c>includeVerdicts</c>, the oracle's block verdicts too.
/// </summary>
public static class PolicyClassifier
{
    public static Classification Classify(IReadOnlyList<(Scenario Scenario, Observation Real)> runs, IReadOnlyList<Policy>? policies = null, bool includeVerdicts = false)
    {
        policies ??= PolicyCatalog.All;
        var compared = runs.Where(r => r.Real.Skip is null).ToList();
        var skipped = runs.Where(r => r.Real.Skip is not null).Select(r => $"{r.Scenario.Name}: {r.Real.Skip}").ToList();
        var fits = policies.Select(policy => new PolicyFit(
                policy,
                compared.SelectMany(run => Comparison.Compare(run.Real, Simulator.Run(run.Scenario, policy, run.Real.RunId), run.Scenario, policy)
                        .Where(d => includeVerdicts || d.Kind is DisagreementKind.StepResult or DisagreementKind.ViewAvailability)
                        .Select(d => (run.Scenario.Name, d)))
                    .ToList(),
                compared.Count))
            .OrderBy(f => f.Deviations.Count)
            .ToList();
        return new Classification(fits, skipped);
    }

    /// <summary>The scenarios on which at least two policies' simulated step results or read paths differ: the
    /// ones worth running on a kernel to classify it.</summary>
    public static IReadOnlyList<Scenario> Discriminating(IEnumerable<Scenario> scenarios, IReadOnlyList<Policy>? policies = null)
    {
        policies ??= PolicyCatalog.All;
        return scenarios.Where(scenario =>
        {
            var observations = policies.Select(p => Simulator.Run(scenario, p, 1)).ToList();
            return observations.Skip(1).Any(o => Comparison.Compare(observations[0], o, scenario)
                .Any(d => d.Kind is DisagreementKind.StepResult or DisagreementKind.ViewAvailability));
        }).ToList();
    }
}
