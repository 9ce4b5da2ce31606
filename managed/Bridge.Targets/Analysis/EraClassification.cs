using Bridge.Core.Observations;
using Bridge.Core.Oracle;
using Bridge.Core.Scenarios;
using Bridge.Simulator.Analysis;
using Bridge.Simulator.Policies;

namespace Bridge.Targets.Analysis;

/// <summary>What one discriminating scenario showed: the kernel's outcome and each era's prediction, in the same
/// words — the results of the steps on which the eras (or the kernel) differ, and the verdict.</summary>
public sealed record EraEvidence(Scenario Scenario, string Kernel, IReadOnlyDictionary<string, string> Predictions, string? Skipped)
{
    public bool Agrees(string era) => Skipped is null && Predictions[era] == Kernel;
}

/// <summary>Which modelled era a target's kernel follows: the kernel release, the evidence scenario by scenario,
/// every era's fit, and whether exactly one era matches.</summary>
public sealed record EraClassification(string KernelRelease, IReadOnlyList<string> Eras, IReadOnlyList<EraEvidence> Evidence, Classification Fits)
{
    public int DiscriminatingScenarios => Evidence.Count;
    public string Summary => Fits.Summary();
    public bool OneEraMatches => Fits.Matches.Count == 1;
    public bool NothingCompared => Evidence.All(e => e.Skipped is not null);

    /// <summary>The scenarios among <paramref name="candidates"/> on which the eras' models differ: the ones to run.</summary>
    public static IReadOnlyList<Scenario> Discriminating(IReadOnlyList<Scenario> candidates) => PolicyClassifier.Discriminating(candidates);

    /// <summary>Runs the <paramref name="discriminating"/> scenarios on the target and names the policy its kernel
    /// matches, or where it deviates from each.</summary>
    public static async Task<EraClassification> ClassifyAsync(ITarget target, IReadOnlyList<Scenario> discriminating, bool includeVerdicts,
        Action<string, Observation>? progress, CancellationToken ct)
    {
        var observed = await ModelComparison.CollectAsync(target, discriminating, progress, ct);
        var fits = PolicyClassifier.Classify([.. discriminating.Select(s => (s, observed[s.Name]))], includeVerdicts: includeVerdicts);
        var release = observed.Values.Select(o => o.Environment.KernelRelease).FirstOrDefault(k => k is not "unknown") ?? "?";
        var evidence = discriminating.Select(s => EvidenceOf(s, observed[s.Name], includeVerdicts)).ToList();
        return new EraClassification(release, [.. PolicyCatalog.All.Select(p => p.Name)], evidence, fits);
    }

    /// <summary>The kernel's outcome and each era's prediction (simulated with the kernel's run id, as the classifier
    /// does), over the steps whose results differ between any of them; with verdicts, the verdict too.</summary>
    private static EraEvidence EvidenceOf(Scenario scenario, Observation real, bool includeVerdicts)
    {
        var predicted = PolicyCatalog.All.ToDictionary(p => p.Name, p => Simulator.Simulator.Run(scenario, p, real.RunId));
        // A kernel that skipped the scenario shows nothing; the eras' predictions still show how they differ.
        var all = real.Skip is null ? predicted.Values.Prepend(real).ToList() : [.. predicted.Values];
        var varying = scenario.AllSteps()
            .Where(step => all.Select(o => o.ResultOf(step.Index)?.ToString() ?? "missing").Distinct().Count() > 1)
            .ToList();
        // A read path one of them could not use (O_DIRECT on tmpfs) and another could: each says which it did.
        var paths = all.SelectMany(Unavailable).Distinct().Where(p => !all.All(o => Unavailable(o).Contains(p))).ToList();
        var predictions = predicted.ToDictionary(kv => kv.Key, kv => Outcome(scenario, kv.Value, varying, paths, includeVerdicts));
        return real.Skip is { } skip
            ? new EraEvidence(scenario, "skipped", predictions, skip)
            : new EraEvidence(scenario, Outcome(scenario, real, varying, paths, includeVerdicts), predictions, null);
    }

    private static HashSet<string> Unavailable(Observation o) =>
        [.. o.Checks.SelectMany(c => c.Views).Where(v => v.Unavailable is not null).Select(v => v.Path.ToString().ToLowerInvariant())];

    private static string Outcome(Scenario scenario, Observation o, IReadOnlyList<Step> steps, IReadOnlyList<string> paths, bool includeVerdicts)
    {
        var parts = steps.Select(s => $"{s.Keyword}={o.ResultOf(s.Index)?.ToString() ?? "missing"}").ToList();
        var unavailable = Unavailable(o);
        parts.AddRange(paths.Select(p => unavailable.Contains(p) ? $"no {p} read" : $"{p} read"));
        if (includeVerdicts)
            parts.Add(Oracle.Judge(scenario, o).Class.Name());
        return parts.Count == 0 ? "same step results" : string.Join(' ', parts);
    }
}
