using Bridge.Core.Scenarios;
using Bridge.Simulator.Analysis;

namespace Bridge.Targets.Analysis;

/// <summary>Which modelled era a target's kernel follows: the kernel release, how many discriminating scenarios ran,
/// the evidence per era, and whether exactly one era matches.</summary>
public sealed record EraClassification(string KernelRelease, int DiscriminatingScenarios, string Summary, bool OneEraMatches)
{
    /// <summary>Runs the scenarios among <paramref name="candidates"/> that tell the eras apart on the target and
    /// names the policy its kernel matches, or where it deviates from each.</summary>
    public static async Task<EraClassification> ClassifyAsync(ITarget target, IReadOnlyList<Scenario> candidates, bool includeVerdicts, CancellationToken ct)
    {
        var discriminating = PolicyClassifier.Discriminating(candidates);
        var observed = await ModelComparison.CollectAsync(target, discriminating, ct);
        var classification = PolicyClassifier.Classify([.. discriminating.Select(s => (s, observed[s.Name]))], includeVerdicts: includeVerdicts);
        var release = observed.Values.FirstOrDefault()?.Environment.KernelRelease ?? "?";
        return new EraClassification(release, discriminating.Count, classification.Summary(), classification.Matches.Count == 1);
    }
}
