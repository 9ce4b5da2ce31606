using Bridge.Core.Oracle;
using Bridge.Simulator.Policies;

namespace Bridge.Simulator.Tests;

/// <summary>The seed thread's cases, judged by Bridge.Core's oracle on each policy's model.</summary>
public class SeedScenarioTests
{
    public static TheoryData<string, string, VerdictClass> Verdicts => new()
    {
        { "seed/lost-write-after-writeback.scn", "linux-2019-legacy", VerdictClass.LostWrite },
        { "seed/lost-write-after-writeback.scn", "linux-6.1", VerdictClass.LostWrite },
        { "seed/lost-write-after-writeback.scn", "linux-6.5+", VerdictClass.Refused },
        // Truncate orphans the pinned page on every era; what the device writes into the orphan never comes back
        // into a page-cache file (the phantom the seed worried about needs FS-DAX, where the page is the block), but
        // it never reaches the file either: an orphaned write.
        { "seed/dma-into-truncated-page.scn", "linux-2019-legacy", VerdictClass.OrphanedWrite },
        { "seed/dma-into-truncated-page.scn", "linux-6.1", VerdictClass.OrphanedWrite },
        { "seed/dma-into-truncated-page.scn", "linux-6.5+", VerdictClass.Refused },
        { "seed/stable-page-violation.scn", "linux-2019-legacy", VerdictClass.LostWrite },
        { "seed/stable-page-violation.scn", "linux-6.1", VerdictClass.LostWrite },
        { "seed/stable-page-violation.scn", "linux-6.5+", VerdictClass.Refused },
    };

    [Theory]
    [MemberData(nameof(Verdicts))]
    public void Seed_scenario_gets_the_verdict_of_its_era(string file, string policy, VerdictClass expected)
    {
        var (_, verdict) = Repo.Judge(Repo.Load(file), PolicyCatalog.Find(policy)!);
        Assert.Equal(expected, verdict.Class);
    }

    [Fact]
    public void Lost_write_names_the_device_write_that_never_reached_the_disk()
    {
        var scenario = Repo.Load("seed/lost-write-after-writeback.scn");
        var (_, verdict) = Repo.Judge(scenario, PolicyCatalog.Legacy2019);
        var lost = verdict.Findings.Where(f => f.Class == VerdictClass.LostWrite).ToList();
        Assert.Equal([0, 1, 2, 3], lost.Select(f => f.Block!.Value).Order());
        Assert.All(lost, f => Assert.Equal("g3", f.Expected));
        Assert.All(lost, f => Assert.Equal("g2", f.Observed));
        Assert.All(lost, f => Assert.Equal(7, f.Check)); // the first check; unpin dirties the pages, so the second is intact
    }

    [Fact]
    public void Stable_page_violation_leaves_sectors_of_several_device_writes_on_disk()
    {
        var (observation, verdict) = Repo.Judge(Repo.Load("seed/stable-page-violation.scn"), PolicyCatalog.Legacy2019);
        var disk = observation.Checks.Single().Views.Single(v => v is { File: "data", Path: Core.Observations.ReadPath.Disk });
        Assert.Contains(disk.Blocks, b => b.State == Core.Blocks.ReadState.Mixed);
        Assert.Contains(verdict.Findings, f => f.Class == VerdictClass.Torn && f.Note.Contains("older write", StringComparison.Ordinal));
        Assert.Contains(verdict.Findings, f => f.Class == VerdictClass.LostWrite);
    }

    [Fact]
    public void Refused_pin_means_its_device_steps_never_ran()
    {
        var (observation, verdict) = Repo.Judge(Repo.Load("seed/lost-write-after-writeback.scn"), PolicyCatalog.Linux65Plus);
        Assert.Equal("EFAULT", Assert.Single(verdict.Refusals).Errno);
        Assert.All(new[] { 3, 5, 8 }, i => Assert.Equal(Core.Observations.Outcome.NotRun, observation.ResultOf(i)!.Outcome));
    }
}
