using Bridge.Core.Observations;
using Bridge.Simulator.Policies;

namespace Bridge.Simulator.Tests;

/// <summary>posix_fadvise(DONTNEED) invalidates its range and nothing beyond it: in the 2019 era, where invalidation
/// strips the buffers of a clean page a pin holds (policy/buffers-stripped-under-pin.scn), a pinned page inside the
/// range later BUGs ext4's writeback, one outside it is written normally.</summary>
public class InvalidationRangeTests
{
    [Theory]
    [InlineData(0, false)] // block 0 is not pinned: the pinned pages 1-3 keep their buffers
    [InlineData(1, true)] // block 1 is pinned: its buffers go, and the fsync after unpin meets it without them
    public void Fadvise_dontneed_strips_the_buffers_of_pinned_pages_only_inside_its_range(int block, bool bug)
    {
        var scenario = Repo.Parse($"backing ext4\nmap shared\nfile size=16K block=4K\nstore gen=1\npin rdma-mr access=local-write,remote-write blocks=1-3\nfsync\nmunmap\nfadvise-dontneed blocks={block}\ndma gen=2 blocks=1-3\nunpin\nfsync\ncheck\n");
        var (observation, _) = Repo.Judge(scenario, PolicyCatalog.Legacy2019);

        var fsync = observation.ResultOf(7)!; // the fsync after unpin
        Assert.Equal(bug ? Outcome.Timeout : Outcome.Ok, fsync.Outcome);
        Assert.Equal(bug, observation.KernelLog.Any(l => l.StartsWith("kernel BUG at", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_pin_refused_after_GUP_says_that_GUP_faulted_the_pages_in()
    {
        // 6.1's io_uring checks the VMA after GUP (FaultsFirst): the refusal comes with the pages already faulted in.
        var policy = PolicyCatalog.Find("linux-6.1")!;
        var scenario = Repo.Parse("backing ext4\nmap private\nfile size=16K block=4K\npin uring-register blocks=0-1\ncheck\n");
        var (observation, _) = Repo.Judge(scenario, policy);

        var pin = observation.ResultOf(0)!;
        Assert.Equal(Outcome.Errno, pin.Outcome);
        Assert.Contains("after GUP faulted the pages in", pin.Detail);
    }
}
