using Bridge.Agent;
using Bridge.Core.Observations;
using Bridge.Core.Exploration;
using Bridge.Core.Scenarios;
using Bridge.Targets.Exploration;
using Bridge.Targets.Sim;

namespace Bridge.Targets.Tests.Exploration;

/// <summary>Exploration on the model as a target: reproducible from its seed, de-duplicated by signature, and its
/// coverage counted against the tables (every executed verb row, backing and pin path reached by one fixed seed).</summary>
public class ExplorerTests
{
    private static async Task<(Explorer Explorer, List<Trial> Trials, List<ExploredFinding> Saved)> Explore(string policy, ulong seed, int count, string? model = null)
    {
        var runner = new TrialRunner(SimulatorTarget.ForPolicy(policy), model is null ? null : SimulatorTarget.ForPolicy(model));
        var explorer = new Explorer(runner, new ExploreOptions(seed, count, null));
        var trials = new List<Trial>();
        var saved = new List<ExploredFinding>();
        await explorer.RunAsync(trials.Add, f =>
        {
            saved.Add(f);
            return Task.CompletedTask;
        }, CancellationToken.None);
        return (explorer, trials, saved);
    }

    [Fact]
    public async Task The_same_seed_runs_the_same_scenarios_and_finds_the_same_failures()
    {
        var a = await Explore("linux-2019-legacy", seed: 7, count: 120);
        var b = await Explore("linux-2019-legacy", seed: 7, count: 120);

        Assert.Equal(Explorer.Generate(7, 120).Select(s => s.Text), a.Trials.Select(t => t.Scenario.Text));
        Assert.Equal(a.Trials.Select(t => t.Scenario.Text), b.Trials.Select(t => t.Scenario.Text));
        Assert.Equal(a.Saved.Select(f => (f.Signature, f.Index, f.Shrink.Minimal.Text)), b.Saved.Select(f => (f.Signature, f.Index, f.Shrink.Minimal.Text)));
        Assert.NotEqual(a.Trials.Select(t => t.Scenario.Text), (await Explore("linux-2019-legacy", seed: 8, count: 120)).Trials.Select(t => t.Scenario.Text));
    }

    [Fact]
    public async Task Each_signature_is_saved_once_and_later_ones_count_as_duplicates()
    {
        // 600: the first 300 held only the oracle's errors after refused io_uring pins (fixed); legacy's first
        // finding of seed 1 is now scenario 519 (a pin and its process parting after fork).
        var (explorer, trials, saved) = await Explore("linux-2019-legacy", seed: 1, count: 600);

        var signatures = trials.SelectMany(t => t.Failures).ToList();
        Assert.NotEmpty(saved);
        Assert.Equal(signatures.Distinct().Select(s => s.ToString()).Order(), saved.Select(f => f.Signature.ToString()).Order());
        Assert.Equal(signatures.Count, saved.Sum(f => 1 + f.Duplicates));
        Assert.Equal(explorer.Found.Count, explorer.Progress.Unique);
        Assert.Equal(trials.Count(t => t.RealVerdict.HasFindings), explorer.Progress.WithFindings);
        // The shrunk scenario of each is the one that fails the same way; the one found is where it was met.
        foreach (var f in saved)
        {
            Assert.Contains(f.Signature, trials[f.Index].Failures);
            // A minimal scenario with a race fails in some interleavings: its reproduction runs say how often, at
            // least once (the run that kept it is one of them); without a race its one run is the result.
            if (f.Shrink.Minimal.Steps.Any(s => s.Effect == Effect.Race))
                Assert.InRange(f.Reproduced, 1, f.Runs);
            else
                Assert.Contains(f.Minimal.Failures, s => s.SameFailure(f.Signature));
            Assert.True(f.Shrink.Minimal.StepCount <= f.First.Scenario.StepCount);
        }
    }

    [Fact]
    public async Task A_kernel_era_that_keeps_the_contract_yields_no_oracle_finding()
    {
        // linux-6.5+ refuses the pins that break persistence: over many scenarios the oracle finds nothing to report.
        var (explorer, _, saved) = await Explore("linux-6.5+", seed: 3, count: 400);
        Assert.Empty(saved);
        Assert.Equal(0, explorer.Progress.WithFindings);
    }

    [Fact]
    public async Task Exploring_this_host_generates_nothing_it_would_skip_and_coverage_says_what_was_left_out()
    {
        Assert.SkipUnless(Linux.Interop.SystemInfo.IsRoot, "loop-mounted filesystems and drop_caches need root");
        await using var host = new Host.HostTarget();
        var limits = await ((ITarget)host).LimitsAsync(CancellationToken.None);
        // What this host lacks, as its own runs say when they skip a scenario: a pin path without its device (no RDMA
        // here), and the power cut only a VM has.
        Assert.All(limits.PinPaths, p => Assert.Equal(Linux.PinPaths.PinPathRegistry.For(p.Key).Unavailable, p.Value));
        Assert.Equal(Verbs.All.Where(v => v.CutsPower), limits.Verbs.Keys.Where(v => v.CutsPower));
        Assert.SkipWhen(limits.PinPaths.Count == 0, "this host has every pin path's device (RDMA too): nothing to leave out of the pin paths");

        const int count = 24;
        var runner = new TrialRunner(host, null);
        var explorer = new Explorer(runner, new ExploreOptions(1, count, null));
        var trials = new List<Trial>();
        await explorer.RunAsync(trials.Add, _ => Task.CompletedTask, CancellationToken.None);

        Assert.Equal(count, trials.Count);
        Assert.All(trials, t => Assert.Null(limits.Excludes(t.Scenario)));
        Assert.All(trials, t => Assert.DoesNotContain(t.Scenario.AllSteps(), s => s.Effect == Effect.Pin && limits.PinPaths.ContainsKey(s.PinPath)));
        Assert.DoesNotContain(trials, t => t.Real.Skip is not null && limits.PinPaths.Values.Contains(t.Real.Skip));
        var pinPaths = explorer.Coverage.Lines().Single(l => l.Key == "pinPaths");
        Assert.Equal(limits.PinPaths.Select(p => (p.Key.Name, p.Value)), pinPaths.LeftOut.Select(r => (r.Name, r.Why)));
        Assert.DoesNotContain(pinPaths.Missing, name => limits.PinPaths.Keys.Any(p => p.Name == name));

        // The model runs every row: the same seed's scenarios for it use what the host left out.
        var modelled = Explorer.Generate(1, 400).ToList();
        Assert.Contains(modelled, s => limits.Excludes(s) is not null);
        Assert.Equal(TargetLimits.None, await ((ITarget)SimulatorTarget.ForPolicy("linux-6.1")).LimitsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Coverage_reaches_every_executed_verb_backing_and_pin_path_of_the_tables()
    {
        var (explorer, _, _) = await Explore("linux-6.1", seed: 11, count: 600);
        var lines = explorer.Coverage.Lines().ToDictionary(l => l.Key);

        Assert.Equal(Verbs.Executed.Select(v => v.Keyword).Order(), lines["verbs"].Exercised.Order());
        Assert.Equal(BackingTable.All.Select(b => b.Name).Order(), lines["backings"].Exercised.Order());
        Assert.Equal(PinPathTable.All.Select(p => p.Name).Order(), lines["pinPaths"].Exercised.Order());
        Assert.Equal(Verbs.Executed.Count() * Verbs.Executed.Count(), lines["verbPairs"].Total);
        Assert.Contains("pin>dma", lines["verbPairs"].Exercised);
        Assert.Empty(lines["verbsUnderPin"].Missing);
    }

    /// <summary>The model as a target whose agent "died" after the 5th scenario of each run: the rest are not run.</summary>
    private sealed class DyingTarget(ITarget inner) : ITarget
    {
        public string Name => inner.Name;

        public ImageKeeping? KeepImages { get; set; }

        public async IAsyncEnumerable<Observation> RunAsync(IReadOnlyList<Scenario> scenarios, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var k = 0;
            await foreach (var o in inner.RunAsync(scenarios, cancellationToken))
                yield return k++ < 5 ? o : o with { Skip = "not run: Exited: the command exited with status 134" };
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    [Fact]
    public async Task Skipped_scenarios_are_counted_by_their_reason()
    {
        var explorer = new Explorer(new TrialRunner(new DyingTarget(SimulatorTarget.ForPolicy("linux-6.5+")), null), new ExploreOptions(3, 40, null, Batch: 16, Shrink: new HashSet<string>()));
        await explorer.RunAsync(null, _ => Task.CompletedTask, CancellationToken.None);

        // Batches of 16, 16 and 8: 11 + 11 + 3 not run.
        Assert.Equal(25, explorer.Progress.Skipped);
        Assert.Equal([("not run: Exited: the command exited with status 134", 25)], explorer.SkipReasons);
        Assert.Contains("  skipped 25×: not run: Exited: the command exited with status 134",
            ExplorationText.Summary(explorer, 3, "dying", null, null, 3));
    }
}
