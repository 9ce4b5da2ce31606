using Bridge.Core.Exploration;
using Bridge.Core.Observations;
using Bridge.Core.Scenarios;
using Bridge.Targets.Sim;

namespace Bridge.Targets.Exploration;

/// <summary>
/// Runs scenarios on a target — a batch per <see cref="ITarget.RunAsync"/>, so a VM boots once for all of them —
/// and each on the model beside it, and judges every pair (<see cref="Trial"/>). For shrinking it answers "which is
/// the first candidate that still fails this way?": a candidate with a race runs <see cref="RaceRuns"/> times
/// (copies in the same batch) and counts as failing when any run fails, since a race's outcome varies from run to run.
/// </summary>
public sealed class TrialRunner(ITarget target, SimulatorTarget? model)
{
    /// <summary>Runs of a candidate with a race. A failure that shows in at least half of a race's runs is missed by
    /// all of them with probability at most 2^-RaceRuns.</summary>
    public int RaceRuns { get; init; } = 3;

    /// <summary>Candidates per batch: 1 runs them one at a time and stops at the first failing; a VM wants many.</summary>
    public int Batch { get; init; } = 16;

    public string TargetName => target.Name;
    public string? ModelName => model?.Name;

    /// <summary>Called with every trial as it is judged (a progress line).</summary>
    public Action<Trial>? OnTrial { get; init; }

    /// <summary>Each scenario on the target and on the model, judged, in order.</summary>
    public async Task<IReadOnlyList<Trial>> RunAsync(IReadOnlyList<Scenario> scenarios, CancellationToken ct)
    {
        var byName = scenarios.ToDictionary(s => s.Name);
        var trials = new List<Trial>();
        await foreach (var real in target.RunAsync(scenarios, ct))
        {
            var scenario = byName[real.Scenario];
            var trial = Trial.Judge(scenario, real, await ModelAsync(scenario, ct));
            OnTrial?.Invoke(trial);
            trials.Add(trial);
        }
        return trials;
    }

    private async Task<Observation?> ModelAsync(Scenario scenario, CancellationToken ct)
    {
        if (model is null)
            return null;
        await foreach (var o in model.RunAsync([scenario], ct))
            return o;
        return null;
    }

    /// <summary>Shrinks the scenario of <paramref name="found"/> on this target while it keeps <paramref name="failure"/>,
    /// runs the result again (a result with a race <paramref name="reproductionRuns"/> times) and says how often it failed.</summary>
    /// <param name="index">Where exploration met it (its number in the seed's sequence).</param>
    public async Task<ExploredFinding> ShrinkAsync(Trial found, FindingSignature failure, int index, int reproductionRuns, CancellationToken ct)
    {
        var shrunk = await Shrinker.ShrinkAsync(found.Scenario, (candidates, token) => FirstFailingAsync(candidates, failure, token), ct);
        var minimal = (await RunAsync([shrunk.Minimal], ct))[0];
        var runs = HasRace(shrunk.Minimal) ? reproductionRuns : 1;
        var reproduced = runs == 1 ? (Shows(minimal, failure) ? 1 : 0) : await ReproducedAsync(shrunk.Minimal, failure, runs, ct);
        return new ExploredFinding(failure, found, index, minimal, shrunk, reproduced, runs);
    }

    /// <summary>How many of <paramref name="runs"/> runs of <paramref name="scenario"/> show <paramref name="failure"/>
    /// (copies named NAME.rK in one batch; the model runs the scenario under its own name).</summary>
    private async Task<int> ReproducedAsync(Scenario scenario, FindingSignature failure, int runs, CancellationToken ct)
    {
        var trials = await RunCopiesAsync([.. Enumerable.Range(0, runs).Select(k => (Copy(scenario, k), scenario))], ct);
        return trials.Count(t => Shows(t, failure));
    }

    private async Task<int?> FirstFailingAsync(IReadOnlyList<Scenario> candidates, FindingSignature failure, CancellationToken ct)
    {
        for (var start = 0; start < candidates.Count; start += Batch)
        {
            var chunk = candidates.Skip(start).Take(Batch).ToList();
            var runs = chunk.SelectMany((c, i) => Enumerable.Range(0, HasRace(c) ? RaceRuns : 1).Select(k => (Index: i, Run: Copy(c, k)))).ToList();
            var trials = await RunCopiesAsync([.. runs.Select(r => (r.Run, chunk[r.Index]))], ct);
            var shown = trials.Where(t => Shows(t, failure)).Select(t => t.Scenario.Name).ToHashSet();
            var failing = runs.Where(r => shown.Contains(r.Run.Name)).Select(r => r.Index).DefaultIfEmpty(-1).Min();
            if (failing >= 0)
                return start + failing;
        }
        return null;
    }

    /// <summary>Runs the copies on the target in one batch and compares each with the model's run of its original
    /// (the model's run depends on the scenario's name: the original's is the one a replay gets).</summary>
    private async Task<List<Trial>> RunCopiesAsync(IReadOnlyList<(Scenario Copy, Scenario Original)> runs, CancellationToken ct)
    {
        var modelled = new Dictionary<string, Observation?>();
        foreach (var original in runs.Select(r => r.Original).DistinctBy(o => o.Name))
            modelled[original.Name] = await ModelAsync(original, ct);
        var byName = runs.ToDictionary(r => r.Copy.Name);
        var trials = new List<Trial>();
        await foreach (var real in target.RunAsync([.. runs.Select(r => r.Copy)], ct))
        {
            var (copy, original) = byName[real.Scenario];
            var trial = Trial.Judge(copy, real, modelled[original.Name] is { } m ? m with { Scenario = real.Scenario } : null);
            OnTrial?.Invoke(trial);
            trials.Add(trial);
        }
        return trials;
    }

    private static bool Shows(Trial trial, FindingSignature failure) => trial.Failures.Any(f => f.SameFailure(failure));

    private static bool HasRace(Scenario s) => s.Steps.Any(x => x.Effect == Effect.Race);

    private static Scenario Copy(Scenario s, int k) => k == 0 ? s : s with { Name = $"{s.Name}.r{k}" };
}
