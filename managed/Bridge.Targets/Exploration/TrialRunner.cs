using System.Runtime.CompilerServices;
using Bridge.Core.Exploration;
using Bridge.Core.Observations;
using Bridge.Core.Scenarios;
using Bridge.Simulator.Policies;
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

    /// <summary>Candidates per batch once a round's first batch had none failing (default: <see cref="Batch"/>). Such a
    /// round is likely the last, where every candidate runs and none fails: on a VM, where each batch is a boot, a
    /// larger one saves boots for a few candidates run in vain when one does fail.</summary>
    public int LaterBatch { get; init; }

    public string TargetName => target.Name;

    /// <summary>What the target says it cannot run (<see cref="ITarget.LimitsAsync"/>).</summary>
    public ValueTask<TargetLimits> LimitsAsync(CancellationToken ct) => target.LimitsAsync(ct);
    public string? ModelName => model?.Name;

    /// <summary>The era the model runs, when it is the simulator.</summary>
    private Policy? ModelPolicy => (model as SimulatorTarget)?.Policy;

    /// <summary>Called with every trial as it is judged (a progress line).</summary>
    public Action<Trial>? OnTrial { get; init; }

    /// <summary>Each scenario on the target and on the model, judged, in the order the target ran them.</summary>
    public async Task<IReadOnlyList<Trial>> RunAsync(IReadOnlyList<Scenario> scenarios, CancellationToken ct)
    {
        var trials = new List<Trial>();
        await foreach (var trial in StreamAsync(scenarios, ct))
            trials.Add(trial);
        return trials;
    }

    /// <summary>Each scenario on the target and on the model, judged as soon as the target reports it: a batch of
    /// hundreds in one boot is counted as it goes, and what was judged before an interruption is kept. The target may
    /// run them in another order than given (a VM runs the scenarios that cut the power last).</summary>
    public async IAsyncEnumerable<Trial> StreamAsync(IReadOnlyList<Scenario> scenarios, [EnumeratorCancellation] CancellationToken ct)
    {
        var byName = scenarios.ToDictionary(s => s.Name);
        var modelled = ModelsAhead(scenarios, ct);
        await foreach (var real in target.RunAsync(scenarios, ct))
        {
            var scenario = byName[real.Scenario];
            var trial = Trial.Judge(scenario, real, await modelled[scenario.Name], ModelPolicy);
            OnTrial?.Invoke(trial);
            yield return trial;
        }
    }

    /// <summary>The model's runs of the batch, one after another on a thread of their own, while the target runs the
    /// scenarios: a kernel's scenario mostly waits for I/O, so the model's CPU time hides behind it instead of adding
    /// to every trial (bench/explore: with --policy, the model beside each scenario had cost 47% over the kernel's
    /// time on a loaded 2-core machine).</summary>
    private Dictionary<string, Task<Observation?>> ModelsAhead(IReadOnlyList<Scenario> scenarios, CancellationToken ct)
    {
        var pending = scenarios.ToDictionary(s => s.Name, _ => new TaskCompletionSource<Observation?>(TaskCreationOptions.RunContinuationsAsynchronously));
        _ = Task.Run(async () =>
        {
            foreach (var scenario in scenarios)
            {
                try
                {
                    pending[scenario.Name].SetResult(await ModelAsync(scenario, ct));
                }
                catch (Exception e)
                {
                    // The model failed (or the run was cancelled): every trial still waiting gets the same exception.
                    foreach (var waiting in pending.Values)
                        waiting.TrySetException(e);
                    return;
                }
            }
        }, CancellationToken.None);
        return pending.ToDictionary(p => p.Key, p => p.Value.Task);
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
        // The run that kept the last reduction is a run of the minimal scenario: without a race it is the result (a run
        // of its own would cost a boot on a VM); with one, the reproduction runs say how often it fails.
        var kept = found;
        var shrunk = await Shrinker.ShrinkAsync(found.Scenario, async (candidates, token) =>
        {
            var (first, trial) = await FirstFailingAsync(candidates, failure, token);
            kept = trial ?? kept;
            return first;
        }, ct);
        if (!HasRace(shrunk.Minimal))
            return new ExploredFinding(failure, found, index, kept, shrunk, Shows(kept, failure) ? 1 : 0, 1);
        var trials = await RunCopiesAsync([.. Enumerable.Range(0, reproductionRuns).Select(k => (Copy(shrunk.Minimal, k), shrunk.Minimal))], ct);
        var minimal = trials.First(t => t.Scenario.Name == shrunk.Minimal.Name);
        return new ExploredFinding(failure, found, index, minimal, shrunk, trials.Count(t => Shows(t, failure)), reproductionRuns);
    }

    /// <summary>The first candidate that fails the same way, and a run of it that did (its own name's when that run failed).</summary>
    private async Task<(int? Index, Trial? Trial)> FirstFailingAsync(IReadOnlyList<Scenario> candidates, FindingSignature failure, CancellationToken ct)
    {
        for (int start = 0, size = Batch; start < candidates.Count; start += size, size = Math.Max(Batch, LaterBatch))
        {
            var chunk = candidates.Skip(start).Take(size).ToList();
            var runs = chunk.SelectMany((c, i) => Enumerable.Range(0, HasRace(c) ? RaceRuns : 1).Select(k => (Index: i, Run: Copy(c, k)))).ToList();
            var trials = await RunCopiesAsync([.. runs.Select(r => (r.Run, chunk[r.Index]))], ct);
            var shown = trials.Where(t => Shows(t, failure)).ToDictionary(t => t.Scenario.Name);
            var failing = runs.Where(r => shown.ContainsKey(r.Run.Name)).Select(r => r.Index).DefaultIfEmpty(-1).Min();
            if (failing < 0)
                continue;
            var run = runs.Where(r => r.Index == failing && shown.ContainsKey(r.Run.Name)).Select(r => shown[r.Run.Name]).First();
            return (start + failing, run with { Scenario = chunk[failing] });
        }
        return (null, null);
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
            var trial = Trial.Judge(copy, real, modelled[original.Name] is { } m ? m with { Scenario = real.Scenario } : null, ModelPolicy);
            OnTrial?.Invoke(trial);
            trials.Add(trial);
        }
        return trials;
    }

    private static bool Shows(Trial trial, FindingSignature failure) => trial.Failures.Any(f => f.SameFailure(failure));

    private static bool HasRace(Scenario s) => s.Steps.Any(x => x.Effect == Effect.Race);

    private static Scenario Copy(Scenario s, int k) => k == 0 ? s : s with { Name = $"{s.Name}.r{k}" };
}
