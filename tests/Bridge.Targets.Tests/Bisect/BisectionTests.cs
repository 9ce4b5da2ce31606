using Bridge.Cli.Output;
using Bridge.Core.Oracle;
using Bridge.Core.Reports;
using Bridge.Core.Scenarios;
using Bridge.Targets.Bisect;
using Bridge.Targets.Sim;
using Bridge.Targets.Vm.Kernels;
using Bridge.Targets.Vm.Recipe;

namespace Bridge.Targets.Tests.Bisect;

/// <summary>
/// The bisection driver over real runs: the "versions" are the simulator's eras (oldest first), each run and judged
/// by the oracle like a kernel — the seed scenario loses the write on linux-2019-legacy and linux-6.1 and the pin is
/// refused from linux-6.5+ on (the policy tables say so; the test asks the same runs) — and the candidates of a kernel
/// line come from a Packages index in dpkg's order.
/// </summary>
public sealed class BisectionTests
{
    private static readonly string[] Eras = ["linux-2019-legacy", "linux-6.1", "linux-6.5+"];

    private static IReadOnlyList<Scenario> Seed() =>
        ScenarioFile.Parse(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "scenarios", "seed", "lost-write-after-writeback.scn")),
            "scenarios/seed/lost-write-after-writeback.scn");

    private static async Task<RunReport> Judge(string era, IReadOnlyList<Scenario> scenarios)
    {
        await using var target = SimulatorTarget.ForPolicy(era);
        return await JudgedRun.RunAsync(target, scenarios, null, TestContext.Current.CancellationToken);
    }

    private static Task<BisectOutcome> BisectEras(VerdictRules rules, bool every = false)
    {
        var scenarios = Seed();
        var plan = new BisectPlan([.. Eras.Select(e => new BisectCandidate(e, e))], 0, Eras.Length - 1, false, false, every);
        return Bisection.RunAsync(plan, rules, async (c, _, _) =>
        {
            var report = await Judge(c.Spec, scenarios);
            return new CandidateRun([report], report.KernelRelease);
        }, null, TestContext.Current.CancellationToken);
    }

    /// <summary>SIGINT while the second candidate runs: the bisection ends at once with the first candidate as
    /// tested, the half-run one left out (its interrupted scenario is no verdict), and the range still open.</summary>
    [Fact]
    public async Task AStopDuringACandidateEndsWithWhatWasTestedAndTheRangeStillOpen()
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var scenarios = Seed();
        var plan = new BisectPlan([.. Eras.Select(e => new BisectCandidate(e, e))], 0, Eras.Length - 1, false, false, false);
        var outcome = await Bisection.RunAsync(plan, new VerdictRules(), async (c, order, ct) =>
        {
            if (order == 2)
                await stop.CancelAsync();
            await using var target = SimulatorTarget.ForPolicy(c.Spec);
            var report = await JudgedRun.RunAsync(target, scenarios, null, ct);
            return new CandidateRun([report], report.KernelRelease);
        }, null, stop.Token);

        Assert.Equal(ConclusionKind.Interrupted, outcome.Conclusion.Kind);
        Assert.Equal(BisectOutcome.Interrupted, outcome.ExitCode);
        Assert.Equal([Eras[0]], outcome.Tested.Select(t => t.Candidate.Name));
        Assert.Equal((0, (int?)null), (outcome.Conclusion.LastOld, outcome.Conclusion.FirstNew));
        Assert.Equal([1, 2], outcome.Conclusion.Between);
    }

    [Fact]
    public async Task RefusalsAsVerdictsFindTheEraThatStartedRefusingThePin()
    {
        var verdicts = new Dictionary<string, VerdictClass>();
        foreach (var era in Eras)
            verdicts[era] = (await Judge(era, Seed())).Runs.Single().Verdict.Class;
        var firstRefusing = Array.FindIndex(Eras, e => verdicts[e] == VerdictClass.Refused);
        Assert.True(firstRefusing > 0, string.Join(", ", verdicts));

        var outcome = await BisectEras(new VerdictRules(RefusedIsVerdict: true));

        Assert.Equal(ConclusionKind.Changed, outcome.Conclusion.Kind);
        Assert.Equal(BisectOutcome.ChangeFound, outcome.ExitCode);
        Assert.Equal((firstRefusing - 1, firstRefusing), (outcome.Conclusion.LastOld, outcome.Conclusion.FirstNew));
        var @new = outcome.At(firstRefusing)!;
        Assert.Equal(VerdictClass.Refused, @new.Verdicts.Single().Class);
        Assert.Equal($"{Seed()[0].Name}={verdicts[Eras[firstRefusing - 1]].Name()}", outcome.At(firstRefusing - 1)!.Result.Key);
        // Each step of the scenario, with its file:line, on both sides of the change.
        Assert.Equal(Seed()[0].AllSteps().Count(), @new.Verdicts.Single().Steps.Count);
        Assert.Contains(@new.Verdicts.Single().Steps, s => s.Result == "EFAULT" && s.At.StartsWith("scenarios/seed/lost-write-after-writeback.scn:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ARefusedPinCannotBeTestedByDefaultSoTheOldEndsAgree()
    {
        var outcome = await BisectEras(new VerdictRules());

        Assert.Equal(ConclusionKind.NoChange, outcome.Conclusion.Kind);
        Assert.Equal(BisectOutcome.NoChange, outcome.ExitCode);
        var refused = outcome.Tested.Single(t => t.Candidate.Name == "linux-6.5+");
        Assert.False(refused.Result.Testable);
        Assert.Contains("refused", refused.Result.Untestable, StringComparison.Ordinal);
        Assert.Equal((0, 1), (outcome.Conclusion.LastOld, outcome.Conclusion.FirstNew));
    }

    [Fact]
    public async Task ErrnosTellVerdictsApartOnlyWhenAsked()
    {
        var report = await Judge("linux-6.5+", Seed());
        var run = report.Runs.Single();
        var refusal = run.Verdict.Refusals.Single();
        Assert.Equal($"{run.Scenario.Name}=refused", VersionVerdict.Key(VersionVerdict.Scenarios([report], new VerdictRules())));
        Assert.Equal($"{run.Scenario.Name}=refused({refusal.Errno})", VersionVerdict.Key(VersionVerdict.Scenarios([report], new VerdictRules(ByErrno: true))));
        var legacy = (await Judge("linux-6.1", Seed())).Runs.Single();
        Assert.True(legacy.Verdict.HasFindings);
        var culprit = legacy.Verdict.Findings.First(f => f.Class == legacy.Verdict.Class).Culprit!.Value;
        Assert.Equal(legacy.Observation.ResultOf(culprit)!.Errno, VersionVerdict.CulpritErrno(legacy));
    }

    [Fact]
    public void ACandidateThatDidNotRunEveryScenarioCannotBeTested()
    {
        var scenarios = Seed();
        var empty = new RunReport("vm:x", scenarios.Count, []);
        Assert.Equal("0 of 1 scenarios finished", VersionVerdict.Classify([empty], new VerdictRules()).Untestable);
        Assert.Equal("nothing ran", VersionVerdict.Classify([], new VerdictRules()).Untestable);
    }

    [Fact]
    public void LineCandidatesAreEveryVersionTheIndexOffersInDpkgOrder()
    {
        var index = string.Join("\n", new[] { "6.12.9", "6.12.117", "6.12.100", "6.12.111" }.Select(v =>
            $"Package: linux-image-{v}+deb12-amd64-unsigned\nVersion: {v}-1~deb12u1\nSize: 100\n"));
        var recipe = VmRecipe.Default;
        var packages = PackagesFile.Read(new StringReader(index), "bookworm-security", AptArchive.IsKernelPackage, "Packages").ToList();
        var versions = KernelIndex.Versions(recipe.Line("debian-6.12"), recipe.Archive, packages);

        var plan = LineCandidates.Plan(versions, null, null, every: false);
        Assert.Equal(["6.12.9+deb12", "6.12.100+deb12", "6.12.111+deb12", "6.12.117+deb12"], plan.Candidates.Select(c => c.Name));
        Assert.Equal("debian-6.12@6.12.100+deb12", plan.Candidates[1].Spec);
        Assert.Equal((0, 3, false, false), (plan.Low, plan.High, plan.LowNamed, plan.HighNamed));

        var named = LineCandidates.Plan(versions, "6.12.100", "6.12.111+deb12-amd64", every: false);
        Assert.Equal((1, 2, true, true), (named.Low, named.High, named.LowNamed, named.HighNamed));
        Assert.Contains("expected one of 6.12.9+deb12, 6.12.100+deb12", Assert.Throws<ArgumentException>(() => LineCandidates.Plan(versions, "6.12.50", null, false)).Message, StringComparison.Ordinal);
        Assert.Contains("newer than --bad", Assert.Throws<ArgumentException>(() => LineCandidates.Plan(versions, "6.12.117", "6.12.9", false)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => LineCandidates.Plan([], null, null, false));
    }
}
