using Bridge.Core.Execution;
using Bridge.Core.Observations;
using Bridge.Core.Scenarios;

namespace Bridge.Core.Tests;

public class RaceTallyTests
{
    private static readonly Step Store = ScenarioFile.Parse("backing ext4\nfile size=16K\nrace count=9\n  store gen=1\nend\ncheck\n", "t.scn")[0].Steps[0].Body[0];

    [Fact]
    public void A_step_whose_first_call_is_not_attempted_is_not_run_with_no_iterations()
    {
        var tally = new RaceTally(Store);
        Assert.False(tally.Record(CallResult.NotRun("the mapping is read-only", 7)));
        Assert.Equal(StepResult.Skipped(Store.Index, "the mapping is read-only") with { Race = new RaceStats(0, 0, -1, 0, 0) }, tally.Result());
    }

    [Fact]
    public void A_call_not_attempted_after_others_ends_the_loop_and_the_result_is_theirs()
    {
        var tally = new RaceTally(Store);
        Assert.True(tally.Record(CallResult.Success(10, 20)));
        Assert.False(tally.Record(CallResult.NotRun("read-only now", 30)));
        Assert.Equal(StepResult.Success(Store.Index, 10, 30) with { Race = new RaceStats(1, 0, 0, 10, 20) }, tally.Result());
    }

    [Fact]
    public void A_call_that_returns_after_its_hang_was_recorded_changes_nothing()
    {
        var tally = new RaceTally(Store);
        tally.Record(CallResult.Success(10, 20));
        Assert.False(tally.Record(CallResult.Hang("still running 61s after the race began", 5, 100)));
        var hung = tally.Result();
        Assert.False(tally.Record(CallResult.Success(200, 300)));
        Assert.Equal(hung, tally.Result());
        Assert.Equal(new StepResult(Store.Index, Outcome.Timeout, Detail: "still running 61s after the race began", Start: 10, End: 100,
            Race: new RaceStats(2, 0, 0, 10, 20)), hung);
    }

    [Fact]
    public void The_first_failure_names_the_errno_and_the_last_success_times_the_step()
    {
        var tally = new RaceTally(Store);
        tally.Record(CallResult.Failed(5, 1, 2)); // EIO by number
        tally.Record(CallResult.Success(3, 4));
        tally.Record(CallResult.Failed("ENOSPC", 5, 6));
        tally.Record(CallResult.Success(7, 8));
        Assert.Equal(StepResult.Failure(Store.Index, "EIO", 5, 1, 8, "2 of 4 iterations failed") with { Race = new RaceStats(4, 2, 3, 7, 8) }, tally.Result());
    }
}
