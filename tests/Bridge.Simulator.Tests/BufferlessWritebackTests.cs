using Bridge.Core.Observations;
using Bridge.Simulator.Execution;
using Bridge.Simulator.Policies;

namespace Bridge.Simulator.Tests;

/// <summary>The 2019 era's ext4 BUG on a dirty page without buffers (policy/buffers-stripped-under-pin.scn) where it
/// happens: in the caller's fsync, the call hangs with the reason; in the flusher, the kworker dies holding the page
/// lock and the next fsync that reaches the page waits on it forever.</summary>
public class BufferlessWritebackTests
{
    private const int Fsync = 7; // the scenario's last fsync, after unpin dirtied the page without buffers

    [Fact]
    public void An_fsync_that_meets_the_page_without_buffers_hangs_in_the_BUG_and_says_so()
    {
        var observation = Simulator.Run(Repo.Load("policy/buffers-stripped-under-pin.scn"), PolicyCatalog.Legacy2019, 42, SimOptions.Default);

        var fsync = observation.ResultOf(Fsync)!;
        Assert.Equal(Outcome.Timeout, fsync.Outcome);
        Assert.Contains("kernel BUG in writeback", fsync.Detail);
        Assert.Contains("dirty without buffers", fsync.Detail);
        Assert.Single(observation.KernelLog, l => l.StartsWith("kernel BUG at", StringComparison.Ordinal));
    }

    [Fact]
    public void After_the_flusher_died_in_the_BUG_the_next_fsync_waits_on_the_page_it_left_locked()
    {
        var scenario = Repo.Load("policy/buffers-stripped-under-pin.scn");
        var observation = Simulator.Run(scenario, PolicyCatalog.Legacy2019, 42, new SimOptions(FlusherChance: 1));

        var fsync = observation.ResultOf(Fsync)!;
        Assert.Equal(Outcome.Timeout, fsync.Outcome);
        Assert.Contains("locked by a task that died in a kernel BUG", fsync.Detail);
        // One BUG per page, all the kworker's: the fsync found the first page locked and never reached ext4_writepage.
        var pages = (int)(scenario.Geometry.FileSize / Model.Frame.Size);
        Assert.Equal(pages, observation.KernelLog.Count(l => l.StartsWith("kernel BUG at", StringComparison.Ordinal)));
    }
}
