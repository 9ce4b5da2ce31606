using Bridge.Agent;
using Bridge.Core.Exploration;
using Bridge.Core.Observations;
using Bridge.Core.Oracle;
using Bridge.Core.Scenarios;
using Bridge.Targets.Exploration;
using Bridge.Targets.Sim;

namespace Bridge.Targets.Tests.Exploration;

/// <summary>The shrinker on the simulator (deterministic: a scenario's model run depends on its text and name only):
/// a long generated scenario that fails is cut to its core, the result still fails the same way, and it is
/// 1-minimal — no single reduction of it (<see cref="Shrinker.Candidates"/>) still fails.</summary>
public class ShrinkerTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    /// <summary>The first generated scenario of <paramref name="seed"/> with at least <paramref name="steps"/> steps
    /// (and, with <paramref name="raceFree"/>, no race: its shrinking is then one run per candidate, deterministic)
    /// whose trial fails with a signature <paramref name="wanted"/> accepts.</summary>
    private static async Task<(Trial Trial, FindingSignature Signature)> FirstFailing(TrialRunner runner, ulong seed, int steps, Func<FindingSignature, bool> wanted, bool raceFree = false)
    {
        foreach (var scenario in Explorer.Generate(seed, 5000).Where(s => s.StepCount >= steps && !(raceFree && s.Steps.Any(x => x.Effect == Effect.Race))))
        {
            var trial = (await runner.RunAsync([scenario], None))[0];
            if (trial.Failures.FirstOrDefault(wanted) is { } signature)
                return (trial, signature);
        }
        throw new InvalidOperationException($"seed {seed}: no scenario of {steps}+ steps fails as wanted");
    }

    private static async Task AssertOneMinimal(TrialRunner runner, ExploredFinding finding)
    {
        var candidates = Shrinker.Candidates(finding.Shrink.Minimal, Shrinker.RootName(finding.First.Scenario.Name));
        Assert.NotEmpty(candidates);
        foreach (var candidate in candidates)
        {
            var trial = (await runner.RunAsync([candidate], None))[0];
            var stillFails = trial.Failures.Any(f => f.SameFailure(finding.Signature));
            Assert.False(stillFails, $"a single reduction still fails {finding.Signature}:\n{ScenarioForm.Of(candidate).Render()}");
        }
    }

    [Fact]
    public async Task A_long_legacy_lost_write_shrinks_to_its_core_and_is_one_minimal()
    {
        var runner = new TrialRunner(SimulatorTarget.ForPolicy("linux-2019-legacy"), null) { Batch = 1 };
        var (found, signature) = await FirstFailing(runner, seed: 1, steps: 12, s => s.Class == VerdictClass.LostWrite.Name(), raceFree: true);

        var finding = await runner.ShrinkAsync(found, signature, 0, reproductionRuns: 3, None);

        var minimal = finding.Shrink.Minimal;
        Assert.Contains(finding.Minimal.Failures, f => f.SameFailure(signature));
        Assert.Equal(finding.Runs, finding.Reproduced);
        Assert.True(minimal.StepCount < found.Scenario.StepCount, $"{found.Scenario.StepCount} -> {minimal.StepCount}");
        Assert.InRange(minimal.StepCount, 3, 8);
        // The core of a lost write: a pin, the device's write through it that went missing, a persistence point
        // that should have carried it, and the check that saw the disk.
        var verbs = minimal.AllSteps().Select(s => s.Effect).ToList();
        Assert.Contains(Effect.Pin, verbs);
        Assert.Contains(Effect.WriteThroughPin, verbs);
        Assert.Contains(Effect.Persist, verbs);
        Assert.Equal(Effect.Check, verbs[^1]);
        await AssertOneMinimal(runner, finding);
    }

    [Fact]
    public async Task A_disagreement_between_two_eras_shrinks_to_a_one_minimal_scenario_that_still_disagrees()
    {
        // The legacy model plays the kernel and linux-6.5+ the model: they disagree wherever the pin rules changed.
        var runner = new TrialRunner(SimulatorTarget.ForPolicy("linux-2019-legacy"), SimulatorTarget.ForPolicy("linux-6.5+")) { Batch = 4 };
        var (found, signature) = await FirstFailing(runner, seed: 2, steps: 10, s => s.Kind == FailureKind.Disagreement);

        var finding = await runner.ShrinkAsync(found, signature, 0, reproductionRuns: 3, None);

        Assert.Contains(finding.Minimal.Failures, f => f.SameFailure(signature));
        Assert.True(finding.Shrink.Minimal.StepCount < found.Scenario.StepCount);
        await AssertOneMinimal(runner, finding);
    }

    /// <summary>The model as a target that counts its runs (on a VM, each is a boot) and what each held.</summary>
    private sealed class CountingTarget(ITarget inner) : ITarget
    {
        public List<IReadOnlyList<string>> Runs { get; } = [];

        public string Name => inner.Name;

        public ImageKeeping? KeepImages { get; set; }

        public IAsyncEnumerable<Observation> RunAsync(IReadOnlyList<Scenario> scenarios, CancellationToken cancellationToken)
        {
            Runs.Add([.. scenarios.Select(s => s.Name)]);
            return inner.RunAsync(scenarios, cancellationToken);
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    [Fact]
    public async Task On_a_batching_target_the_minimal_scenario_costs_no_run_of_its_own_and_the_last_round_few()
    {
        var counting = new CountingTarget(SimulatorTarget.ForPolicy("linux-2019-legacy"));
        var runner = new TrialRunner(counting, null) { Batch = 4, LaterBatch = 12 };
        var (found, signature) = await FirstFailing(runner, seed: 1, steps: 12, s => s.Class == VerdictClass.LostWrite.Name(), raceFree: true);
        counting.Runs.Clear();

        var finding = await runner.ShrinkAsync(found, signature, 0, reproductionRuns: 3, None);
        var minimal = finding.Shrink.Minimal;
        Assert.DoesNotContain(minimal.Steps, s => s.Effect == Effect.Race); // else its reproduction runs it again, rightly

        // The minimal scenario ran once: in the round that kept it; its trial is that run, and it fails.
        Assert.Equal(1, counting.Runs.Count(r => r.Contains(minimal.Name)));
        Assert.Equal(minimal.Name, finding.Minimal.Scenario.Name);
        Assert.Contains(finding.Minimal.Failures, f => f.SameFailure(signature));
        Assert.Equal((1, 1), (finding.Reproduced, finding.Runs));
        // The last round ran every candidate of the minimal scenario, none failing: the first 4, then 12 at a time.
        var last = Shrinker.Candidates(minimal, Shrinker.RootName(found.Scenario.Name)).Select(c => c.Name).ToList();
        var expected = last.Count <= 4 ? 1 : 1 + (last.Count - 4 + 11) / 12;
        var tail = counting.Runs.TakeLast(expected).ToList();
        Assert.Equal(last, tail.SelectMany(r => r));
        var sizes = tail.Select(r => r.Count).ToList();
        Assert.Equal(Math.Min(4, last.Count), sizes[0]);
        Assert.All(sizes.Skip(1).SkipLast(1), n => Assert.Equal(12, n));
    }

    [Fact]
    public async Task Shrinking_is_deterministic_on_the_model()
    {
        var runner = new TrialRunner(SimulatorTarget.ForPolicy("linux-6.1"), null);
        var (found, signature) = await FirstFailing(runner, seed: 3, steps: 8, s => s.Kind == FailureKind.Finding);
        var a = await runner.ShrinkAsync(found, signature, 0, 3, None);
        var b = await runner.ShrinkAsync(found, signature, 0, 3, None);
        Assert.Equal(ScenarioForm.Of(a.Shrink.Minimal).Render(), ScenarioForm.Of(b.Shrink.Minimal).Render());
        Assert.Equal((a.Shrink.Rounds, a.Shrink.Tried), (b.Shrink.Rounds, b.Shrink.Tried));
    }

    [Fact]
    public void Every_kind_of_reduction_is_proposed_once_and_parses()
    {
        const string text = """
            scenario hand
            backing xfs
            map private
            file size=64K block=4K init=hole
            store gen=1 blocks=0-7
            pin rdma-mr access=local-write blocks=0-7
            race count=8
              dma gen=2 blocks=0-3
              msync sync blocks=0-3
            end
            fsync
            check
            """;
        var scenario = ScenarioFile.ParseOne(text, "hand.scn", "hand");
        var candidates = Shrinker.Candidates(scenario, "hand").Select(c => ScenarioForm.Of(c).Body()).ToList();
        var body = ScenarioForm.Of(scenario).Body();

        Assert.Equal(candidates.Count, candidates.Distinct().Count());
        Assert.DoesNotContain(body, candidates);
        string[] expected =
        [
            body.Replace("store gen=1 blocks=0-7\n", ""),                                   // a step dropped
            body.Replace("pin rdma-mr access=local-write blocks=0-7\n", "").Replace("  dma gen=2 blocks=0-3\n", ""), // a pin with what needs it
            body.Replace("race count=8\n  dma gen=2 blocks=0-3\n  msync sync blocks=0-3\nend\n", "dma gen=2 blocks=0-3\nmsync sync blocks=0-3\n"), // a race unwrapped
            body.Replace("  msync sync blocks=0-3\n", ""),                                   // a race member dropped
            body.Replace("count=8", "count=1"), body.Replace("count=8", "count=4"),         // a race's bound lowered
            body.Replace("dma gen=2 blocks=0-3", "dma gen=2 blocks=0"),                     // blocks narrowed
            body.Replace("dma gen=2 blocks=0-3", "dma gen=2 blocks=2-3"),
            body.Replace("size=64K", "size=32K"),                                           // the file cut to the blocks named
            body.Replace("backing xfs", "backing ext4"),                                    // an earlier backing row
            body.Replace("map private", "map shared"),
            body.Replace(" init=hole", ""),
            body.Replace(" access=local-write", ""),                                        // an optional word dropped
            body.Replace("msync sync", "msync"),
        ];
        foreach (var e in expected)
            Assert.Contains(e, candidates);
        Assert.All(Shrinker.Candidates(scenario, "hand"), c => Assert.Matches("^hand-[0-9a-f]{8}$", c.Name));
    }
}
