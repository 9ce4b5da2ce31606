using Bridge.Cli.Output;
using Bridge.Cli.Terminal;
using Bridge.Core.Oracle;
using Bridge.Core.Reports;
using Bridge.Targets.Bisect;
using Bridge.Targets.Sim;

namespace Bridge.Cli.Tests;

/// <summary>bisect's text output for a real bisection — the simulator's eras as the candidates, judged by the oracle —
/// of scenarios whose names have brackets (which Spectre.Console would otherwise read as markup).</summary>
public sealed class BisectTableTests
{
    [Fact]
    public async Task TheTableNamesEveryCandidateAndTheChangeWithEachStepOnBothSides()
    {
        var cwd = Directory.GetCurrentDirectory();
        Directory.SetCurrentDirectory(BridgeProcess.RepoRoot);
        var scenarios = ScenarioSelection.Select(ScenarioLoader.Load(["scenarios/seed/lost-write-after-writeback.scn", "scenarios/default/races.scn"], []), ["lost-write-after-writeback", "races[ext4,fsync]"]);
        Directory.SetCurrentDirectory(cwd);
        string[] eras = ["linux-2019-legacy", "linux-6.1", "linux-6.5+"];
        var plan = new BisectPlan([.. eras.Select(e => new BisectCandidate(e, e))], 0, 2, false, false, Every: true);
        var rules = new VerdictRules(ByErrno: true, RefusedIsVerdict: true);
        var outcome = await Bisection.RunAsync(plan, rules, async (c, _, ct) =>
        {
            await using var sim = SimulatorTarget.ForPolicy(c.Spec);
            var report = await JudgedRun.RunAsync(sim, scenarios, null, ct);
            return new CandidateRun([report], report.KernelRelease);
        }, null, TestContext.Current.CancellationToken);
        Assert.Equal(ConclusionKind.Changed, outcome.Conclusion.Kind);

        var text = new StringWriter();
        BisectTables.Print(TerminalConsole.For(text, isTerminal: false), outcome, "eras", "seed + races", [.. scenarios.Select(s => s.Name)], rules, 1);
        var output = text.ToString();

        var (old, @new) = (outcome.At(outcome.Conclusion.LastOld)!, outcome.At(outcome.Conclusion.FirstNew)!);
        Assert.Contains($"the verdict changed between {old.Candidate.Name} and {@new.Candidate.Name}: {@new.Candidate.Name} is the first with the new verdict", output, StringComparison.Ordinal);
        Assert.Contains("races[ext4,fsync]", output, StringComparison.Ordinal);
        foreach (var era in eras)
            Assert.Contains(era, output, StringComparison.Ordinal);
        // The step that changed is marked, with its file:line and both results.
        var seed = scenarios.First(s => s.Name == "lost-write-after-writeback");
        var changed = @new.Verdicts.First(v => v.Scenario == seed.Name).Steps
            .Zip(old.Verdicts.First(v => v.Scenario == seed.Name).Steps).First(p => p.First.Result != p.Second.Result);
        Assert.Contains(output.Split('\n'), l => l.Contains($"≠ {changed.First.At}", StringComparison.Ordinal)
            && l.Contains(changed.First.Result, StringComparison.Ordinal) && l.Contains(changed.Second.Result, StringComparison.Ordinal));
    }
}
