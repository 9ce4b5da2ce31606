using Bridge.Core.Blocks;
using Bridge.Core.Observations;
using Bridge.Simulator.Policies;

namespace Bridge.Simulator.Tests;

/// <summary>A parent's store after fork on anonymous memory with a writable pin (tools/testing/selftests/mm/cow.c's
/// "fork() with an iouring fixed buffer"): where the era copies pinned pages at fork (page_needs_cow_for_dma, v5.9),
/// the child gets the copy and the parent's store stays in the pinned page the device reads; before, the page was
/// COW-shared with the child and the parent's store copied it away from the pin.</summary>
public class ForkModelTests
{
    public static TheoryData<string> Eras() => EraData.Eras();

    [Theory]
    [MemberData(nameof(Eras))]
    public void The_device_reads_the_parents_store_after_fork_only_where_the_era_copies_pinned_pages_at_fork(string era)
    {
        var policy = PolicyCatalog.Find(era)!;
        var scenario = Repo.Parse("backing anon\nmap private\nfile size=16K\nstore gen=1\npin uring-register\nfork gen=2\nstore gen=3\ndma-read to=out\ncheck\n");
        var (observation, _) = Repo.Judge(scenario, policy);

        var views = observation.Checks.Single().Views;
        var deviceRead = views.Single(v => v is { File: "out", Path: ReadPath.Disk }).Blocks.Select(b => b.Content).Distinct().Single();
        var mapping = views.Single(v => v is { File: "data", Path: ReadPath.Mapping }).Blocks.Select(b => b.Content).Distinct().Single();
        Assert.Equal(Content.Data(3), mapping);
        Assert.Equal(policy.Is(Switch.ForkCopiesPinnedPages) ? Content.Data(3) : Content.Data(1), deviceRead);
    }
}
