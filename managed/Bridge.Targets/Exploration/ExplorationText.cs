using System.Globalization;
using Bridge.Core.Exploration;
using Bridge.Core.Oracle;
using Bridge.Core.Scenarios;

namespace Bridge.Targets.Exploration;

/// <summary>Explore's and shrink's results in words: the summary lines, and the saved .scn of a finding with the
/// comment header that says where it came from and how to replay it.</summary>
public static class ExplorationText
{
    /// <summary>What a race's repeated runs let one say about a candidate that did not fail.</summary>
    public static string RaceConfidence(int runs) =>
        $"each candidate with a race ran {runs} times and counted as failing if any run failed: a failure shown by at least half of a race's runs " +
        $"is missed with probability at most {Math.Pow(0.5, runs).ToString("0.###", CultureInfo.InvariantCulture)}";

    /// <summary>The kernel's and the model's verdicts of a trial, e.g. <c>host: lost-write; sim:linux-6.5+: refused</c>.</summary>
    public static string Verdicts(Trial trial, string target, string? model) =>
        $"{target}: {Verdict(trial.RealVerdict, trial.Real.Skip)}" + (trial.ModelVerdict is { } m && model is not null ? $"; {model}: {m.Class.Name()}" : "");

    private static string Verdict(ScenarioVerdict v, string? skip) => skip is null ? v.Class.Name() : $"skipped ({skip})";

    public static string Shrunk(Scenario from, ExploredFinding f) =>
        $"shrunk from {from.StepCount} steps to {f.Shrink.Minimal.StepCount} in {f.Shrink.Rounds} rounds ({f.Shrink.Tried} candidates run); " +
        $"reproduced {f.Reproduced}/{f.Runs}";

    /// <summary>The minimal scenario as a file: a comment header (seed, signature, both verdicts, shrinking, how to
    /// replay it), then the very text that ran.</summary>
    public static string SavedScenario(ExploredFinding f, ulong seed, string target, string? model, string replayPath)
    {
        var lines = new List<string>
        {
            $"# found by pinbridge explore --target {target}{(model is null ? "" : $" --policy {model["sim:".Length..]}")} --seed {seed} (scenario {f.Index}: {f.First.Scenario.Name})",
            $"# signature: {f.Signature}",
            $"# as found: {Verdicts(f.First, target, model)}",
            $"# shrunk:   {Verdicts(f.Minimal, target, model)}",
            $"# {Shrunk(f.First.Scenario, f)}",
            $"# replay: pinbridge explore --target {target}{(model is null ? "" : $" --policy {model["sim:".Length..]}")} --replay {replayPath}",
        };
        return string.Join('\n', lines) + "\n" + ScenarioForm.Of(f.Shrink.Minimal).Render();
    }

    /// <summary>The summary explore prints: counts, each finding, coverage.</summary>
    /// <param name="raceRuns">Runs of a shrinking candidate with a race (<see cref="TrialRunner.RaceRuns"/>).</param>
    public static IEnumerable<string> Summary(Explorer explorer, ulong seed, string target, string? kernel, string? model, int raceRuns)
    {
        var p = explorer.Progress;
        yield return $"explore {target}{(kernel is null ? "" : $" ({kernel})")}{(model is null ? "" : $" vs {model}")}, seed {seed}: " +
                     $"{p.Scenarios} scenarios in {p.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s " +
                     $"({p.PerSecond.ToString("0.0", CultureInfo.InvariantCulture)}/s), {p.Skipped} skipped";
        foreach (var (reason, count) in explorer.SkipReasons)
            yield return $"  skipped {count}×: {reason}";
        yield return $"{p.WithFindings} with kernel findings, {p.WithDisagreements} with disagreements: {p.Unique} unique";
        foreach (var f in explorer.Found)
        {
            yield return $"  {f.Signature}  ({1 + f.Duplicates}×, first {f.First.Scenario.Name})";
            yield return $"    {Shrunk(f.First.Scenario, f)}; {Verdicts(f.Minimal, target, model)}";
        }
        if (explorer.Found.Any(f => f.First.Scenario.Steps.Any(s => s.Effect == Effect.Race)))
            yield return $"  races: {RaceConfidence(raceRuns)}";
        yield return "coverage: " + string.Join(", ", explorer.Coverage.Lines());
        foreach (var line in explorer.Coverage.Lines().Where(l => l.Missing.Count > 0 && l.Missing.Count <= 12))
            yield return $"  not reached ({line.What}): {string.Join(' ', line.Missing)}";
        // Pairs repeat their verbs' reasons: the rows themselves say it once.
        foreach (var row in explorer.Coverage.Lines().Where(l => l.Key is "verbs" or "backings" or "pinPaths").SelectMany(l => l.LeftOut))
            yield return $"  left out (the target cannot run it): {row.Name}: {row.Why}";
    }
}
