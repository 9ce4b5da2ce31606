using Bridge.Core.Oracle;
using Bridge.Simulator.Analysis;
using Bridge.Simulator.Policies;

namespace Bridge.Simulator.Tests;

public class RandomWalkTests
{
    private static bool LostWrite(ScenarioVerdict v) => v.Findings.Any(f => f.Class == VerdictClass.LostWrite);

    [Fact]
    public void Walk_finds_the_lost_write_under_the_legacy_policy()
    {
        var found = RandomWalk.Find(PolicyCatalog.Legacy2019, seed: 1, budget: 2000, LostWrite);

        Assert.NotNull(found);
        Assert.Contains(found.Verdict.Findings, f => f is { Class: VerdictClass.LostWrite, Path: Core.Observations.ReadPath.Disk });
        Assert.Contains(found.Scenario.AllSteps(), s => s.Keyword == "dma"); // the device's write is the one lost
    }

    [Fact]
    public void Walk_is_reproducible_from_its_seed()
    {
        var a = RandomWalk.Find(PolicyCatalog.Legacy2019, seed: 9, budget: 2000, LostWrite)!;
        var b = RandomWalk.Find(PolicyCatalog.Legacy2019, seed: 9, budget: 2000, LostWrite)!;
        Assert.Equal(a.Scenario.Text, b.Scenario.Text);
        Assert.Equal(a.Tried, b.Tried);
        Assert.Equal(Repo.Fingerprint(a.Observation), Repo.Fingerprint(b.Observation));
    }

    [Fact]
    public void Walk_finds_nothing_on_a_kernel_that_keeps_the_contract()
    {
        // linux-6.5+ refuses the pins that break persistence; the oracle must then find nothing to report.
        Assert.Null(RandomWalk.Find(PolicyCatalog.Linux65Plus, seed: 3, budget: 1500));
    }

    [Fact]
    public void Walk_finds_the_lost_write_on_6_1_too()
    {
        Assert.NotNull(RandomWalk.Find(PolicyCatalog.Linux61, seed: 2, budget: 2000, LostWrite));
    }
}
