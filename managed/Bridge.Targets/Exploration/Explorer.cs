using System.Diagnostics;
using Bridge.Core.Exploration;
using Bridge.Core.Scenarios;

namespace Bridge.Targets.Exploration;

/// <summary>How long exploration goes on and from where it starts.</summary>
/// <param name="Seed">Seeds the generator: the same seed and target give the same scenario sequence.</param>
/// <param name="Count">Scenarios to generate at most (null: until <paramref name="For"/> has passed).</param>
/// <param name="For">Generate no new batch after this long (null: until <paramref name="Count"/>).</param>
/// <param name="Batch">Scenarios per run on the target (a VM boots once per batch).</param>
/// <param name="ReproductionRuns">Runs of a shrunk scenario with a race, to state how often it reproduces.</param>
/// <param name="Shrink">Which new failures to shrink (null: all): a finding whose verdict class, or a disagreement whose
/// kind (<see cref="FindingSignature.ShrinkName"/>), is in the set; the others are kept as found. On a VM, where each
/// shrink costs boots, a hunt for one kind of bug shrinks only that.</param>
public sealed record ExploreOptions(ulong Seed, int? Count, TimeSpan? For, int Batch = 16, int ReproductionRuns = 5, IReadOnlySet<string>? Shrink = null);

/// <summary>A new failure: where exploration met it, the scenario shrinking left and how often that one fails.</summary>
/// <param name="Index">The generated scenario's number in the seed's sequence.</param>
/// <param name="Reproduced">Runs of <see cref="Minimal"/> that showed the failure, of <paramref name="Runs"/>.</param>
public sealed record ExploredFinding(FindingSignature Signature, Trial First, int Index, Trial Minimal, ShrinkResult Shrink, int Reproduced, int Runs)
{
    /// <summary>Later scenarios that failed with the same signature.</summary>
    public int Duplicates { get; set; }
}

/// <summary>Counts for the live line and the summary.</summary>
/// <param name="Shrinking">The part of <paramref name="Elapsed"/> spent shrinking (and re-running) failures.</param>
public sealed record ExplorationProgress(int Scenarios, int Skipped, int WithFindings, int WithDisagreements, int Unique, TimeSpan Elapsed, TimeSpan Shrinking)
{
    public double PerSecond => Elapsed.TotalSeconds > 0 ? Scenarios / Elapsed.TotalSeconds : 0;
}

/// <summary>
/// Exploration: scenarios from the <see cref="ScenarioGenerator"/>, batch after batch, on the target and on the model
/// (<see cref="TrialRunner"/>); every failure is named by its <see cref="FindingSignature"/>, and the first of each
/// signature is shrunk on the same target (<see cref="Shrinker"/>) and handed to <c>onFinding</c> at once (so a run
/// stopped later loses nothing found); later ones only count as duplicates. What it reached is in <see cref="Coverage"/>.
/// </summary>
public sealed class Explorer(TrialRunner runner, ExploreOptions options)
{
    private readonly Stopwatch _clock = new();
    private readonly Stopwatch _shrinking = new();
    private readonly Dictionary<FindingSignature, ExploredFinding> _found = [];
    private readonly Dictionary<string, int> _skipReasons = [];
    private int _scenarios, _skipped, _withFindings, _withDisagreements;

    /// <summary>What exploration reached, and what it left out because the target cannot run it.</summary>
    public Coverage Coverage { get; private set; } = new();

    public IReadOnlyList<ExploredFinding> Found => [.. _found.Values];

    /// <summary>Why the target skipped scenarios (its reason, or where it was interrupted), with how many, most first:
    /// a VM's agent that dies leaves every later scenario of its boot "not run", and the count alone hid that once
    /// (55 of a 732-scenario boot on Debian 6.1, the lost write among them).</summary>
    public IReadOnlyList<(string Reason, int Count)> SkipReasons => [.. _skipReasons.OrderByDescending(r => r.Value).ThenBy(r => r.Key, StringComparer.Ordinal).Select(r => (r.Key, r.Value))];

    public ExplorationProgress Progress => new(_scenarios, _skipped, _withFindings, _withDisagreements, _found.Count, _clock.Elapsed, _shrinking.Elapsed);

    /// <summary>The name of the seed's <paramref name="index"/>th scenario.</summary>
    public static string NameOf(ulong seed, int index) => $"explore-{seed}-{index}";

    /// <summary>The seed's first <paramref name="count"/> scenarios, parsed: what exploration runs, in order, on a
    /// target with <paramref name="limits"/>.</summary>
    public static IEnumerable<Scenario> Generate(ulong seed, int count = int.MaxValue, TargetLimits? limits = null)
    {
        var generator = new ScenarioGenerator(seed, limits);
        for (var i = 0; i < count; i++)
        {
            var form = generator.Next(NameOf(seed, i));
            yield return form.TryParse($"{form.Name}.scn")
                         ?? throw new InvalidOperationException($"the generator wrote text the parser rejects:\n{form.Render()}");
        }
    }

    /// <param name="onTrial">Called with every explored scenario as it is judged.</param>
    /// <param name="onFinding">Called with each new failure once it is shrunk.</param>
    public async Task RunAsync(Action<Trial>? onTrial, Func<ExploredFinding, Task> onFinding, CancellationToken ct)
    {
        _clock.Start();
        var limits = await runner.LimitsAsync(ct);
        Coverage = new Coverage(limits);
        using var scenarios = Generate(options.Seed, limits: limits).GetEnumerator();
        var index = 0;
        while ((options.Count is not { } count || index < count) && (options.For is not { } limit || _clock.Elapsed < limit))
        {
            var batch = new List<Scenario>();
            while (batch.Count < Math.Max(1, options.Batch) && (options.Count is not { } c || index + batch.Count < c) && scenarios.MoveNext())
                batch.Add(scenarios.Current);
            var indexOf = batch.Select((s, k) => (s.Name, Index: index + k)).ToDictionary(x => x.Name, x => x.Index);
            index += batch.Count;
            var fresh = new List<(FindingSignature Signature, Trial Trial, int Index)>();
            await foreach (var trial in runner.StreamAsync(batch, ct))
            {
                var i = indexOf[trial.Scenario.Name];
                Count(trial);
                onTrial?.Invoke(trial);
                foreach (var signature in trial.Failures)
                {
                    if (_found.TryGetValue(signature, out var known))
                        known.Duplicates++;
                    else if (!fresh.Any(f => f.Signature == signature))
                        fresh.Add((signature, trial, i));
                }
            }
            // Shrinking runs after the batch (a target runs one batch at a time), the kernel's own findings first and
            // the gravest of them first: on a VM a batch can hold many, and each shrink costs boots.
            foreach (var (signature, trial, i) in fresh.OrderBy(f => f.Signature.Kind).ThenByDescending(f => f.Trial.RealVerdict.Class))
            {
                _shrinking.Start();
                var finding = options.Shrink is { } wanted && !wanted.Contains(signature.ShrinkName)
                    ? new ExploredFinding(signature, trial, i, trial, new ShrinkResult(trial.Scenario, 0, 0), 1, 1)
                    : await runner.ShrinkAsync(trial, signature, i, options.ReproductionRuns, ct);
                _shrinking.Stop();
                _found[signature] = finding;
                await onFinding(finding);
            }
        }
        _clock.Stop();
    }

    private void Count(Trial trial)
    {
        _scenarios++;
        if (!trial.Judged)
        {
            _skipped++;
            var why = trial.Real.Skip ?? $"interrupted: {trial.Real.Interrupted}";
            _skipReasons[why] = _skipReasons.GetValueOrDefault(why) + 1;
        }
        Coverage.Add(trial.Scenario, trial.Real);
        _withFindings += trial.Judged && trial.RealVerdict.HasFindings ? 1 : 0;
        _withDisagreements += trial.Disagreements.Count > 0 ? 1 : 0;
    }
}
