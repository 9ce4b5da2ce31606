using Bridge.Core.Blocks;
using Bridge.Core.Execution;
using Bridge.Simulator.Model;

namespace Bridge.Simulator.Tests;

/// <summary>The model's bookkeeping that a run shows to a person: how a call's result is made when several things go
/// wrong in it (the first explanation wins), and how a frame prints in the model's log and a debugger.</summary>
public class ModelStateTests
{
    [Fact]
    public void The_first_reason_not_to_run_a_call_is_the_one_reported()
    {
        var status = new CallStatus();
        status.NotRun("first");
        status.NotRun("second");
        Assert.Equal(CallResult.NotRun("first", 5), status.ToCall(5, 9));
    }

    [Fact]
    public void A_call_that_failed_twice_reports_its_first_errno_and_explanation()
    {
        var status = new CallStatus();
        status.Fail("EIO", "the first write-back failed");
        status.Fail("ENOSPC", "the second found no space");
        Assert.Equal(CallResult.Failed("EIO", 5, 9, "the first write-back failed"), status.ToCall(5, 9));
    }

    [Fact]
    public void A_call_that_failed_and_then_hung_is_a_hang_explained_by_its_first_failure()
    {
        var status = new CallStatus();
        status.Fail("EIO", "the page's writeback failed");
        status.Hang("the page is locked by a task that died");
        Assert.Equal(CallResult.Hang("the page's writeback failed", 5, 9), status.ToCall(5, 9));
    }

    [Fact]
    public void A_frame_prints_its_owner_index_content_flags_mappings_and_pins()
    {
        var busy = new Frame(FrameOwner.PageCache, 3, new Stamp(Content.Data(7), Writer.Cpu, 2))
        {
            Dirty = true,
            Writeback = true,
            HasBuffers = true,
            MapCount = 2,
            LongPins = 1,
            ShortPins = 3,
        };
        Assert.Equal("PageCache#3 g7 dirty wb bufs map=2 pins=1/3", busy.ToString());
        Assert.Equal("Anon#0 hole map=0 pins=0/0", new Frame(FrameOwner.Anon, 0, Stamp.Hole).ToString());
    }
}
