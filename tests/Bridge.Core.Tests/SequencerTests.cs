using Bridge.Core.Execution;
using Bridge.Core.Observations;
using Bridge.Core.Scenarios;

namespace Bridge.Core.Tests;

/// <summary>The sequencing rules both executors share, on an executor that answers what each test tells it to.</summary>
public class SequencerTests
{
    private const string Head = "backing ext4\nfile size=64K block=4K\n";

    /// <summary>Answers every call from <see cref="Answer"/> (ok by default) and records which steps it was asked.</summary>
    private sealed class ScriptedExecutor : IStepExecutor
    {
        public Func<Step, CallResult> Answer { get; init; } = _ => CallResult.Success(1, 2);
        public Func<RaceTally, CallResult[]> RaceCalls { get; init; } = _ => [CallResult.Success(3, 4)];
        public Func<CheckPlan, IEnumerable<ViewRead>> Views { get; init; } = plan => plan.Views.Select(v => new ViewRead(v.File, v.Path, []));
        public List<int> Asked { get; } = [];
        public List<int> Between { get; } = [];

        public CallResult Run(Step step)
        {
            Asked.Add(step.Index);
            return Answer(step);
        }

        public CallResult Check(Step step, CheckPlan plan, List<ViewRead> views)
        {
            Asked.Add(step.Index);
            views.AddRange(Views(plan));
            return Answer(step);
        }

        public (long Start, long End) Race(Step race, IReadOnlyList<RaceTally> body)
        {
            foreach (var tally in body)
            {
                Asked.Add(tally.Step.Index);
                foreach (var call in RaceCalls(tally))
                    if (!tally.Record(call))
                        break;
            }
            return (10, 20);
        }

        public void BetweenSteps(Step finished) => Between.Add(finished.Index);
    }

    private static Scenario Parse(string steps) => ScenarioFile.Parse(Head + steps, "t.scn")[0];

    [Fact]
    public void A_hung_step_leaves_every_later_step_not_run_naming_it()
    {
        var scenario = Parse("store gen=1\nfsync\nstore gen=2\nrace count=2\n  msync\nend\ncheck\n");
        var executor = new ScriptedExecutor { Answer = s => s.Index == 1 ? CallResult.Hang("no return after 60s", 5, 9) : CallResult.Success(1, 2) };

        var sequence = Sequencer.Run(scenario, executor);

        Assert.True(sequence.Hung);
        Assert.Equal([0, 1], executor.Asked);
        Assert.Equal([0], executor.Between); // nothing runs between steps once one hung
        Assert.Equal(new StepResult(1, Outcome.Timeout, Detail: "no return after 60s", Start: 5, End: 9), sequence.Steps[1]);
        Assert.All(sequence.Steps.Skip(2), r => Assert.Equal(StepResult.Skipped(r.Step, $"'fsync' (line {scenario.Steps[1].At.Line}) hung: no return after 60s"), r));
        Assert.Empty(sequence.Checks);
    }

    [Fact]
    public void Steps_that_need_the_pin_are_not_run_after_it_failed_naming_the_pin_step_and_its_errno()
    {
        var scenario = Parse("pin uring-register blocks=0-3\ndma gen=1\ndma-read\nrace count=3\n  dma gen=2\n  store gen=3\nend\nunpin\npin uring-register\ndma gen=4\ncheck\n");
        var pin = scenario.Steps[0];
        var executor = new ScriptedExecutor { Answer = s => s == pin ? CallResult.Failed("EFAULT", 1, 2) : CallResult.Success(1, 2) };

        var sequence = Sequencer.Run(scenario, executor);

        var needsPin = scenario.AllSteps().Where(s => s.Verb.NeedsPin && s.Index < 7).Select(s => s.Index).ToList();
        Assert.Equal([1, 2, 4, 6], needsPin); // dma, dma-read, the racing dma, unpin
        var why = $"needs the pin that '{pin.Text}' (line {pin.At.Line}) could not take (EFAULT)";
        Assert.Contains("'pin uring-register blocks=0-3' (line 3)", why);
        Assert.All(needsPin, i => Assert.Equal(StepResult.Skipped(i, why), sequence.Steps[i]));
        Assert.DoesNotContain(4, executor.Asked); // the racing dma never started
        Assert.Contains(5, executor.Asked);       // the racing store did
        Assert.Equal(Outcome.Ok, sequence.Steps[8].Outcome); // the second pin took, so its dma ran
        Assert.Contains(8, executor.Asked);
    }

    [Fact]
    public void A_pin_that_was_not_run_is_a_failed_pin_too()
    {
        var scenario = Parse("pin uring-register\nunpin\ncheck\n");
        var executor = new ScriptedExecutor { Answer = s => s.Effect == Effect.Pin ? CallResult.NotRun("no mapping", 1) : CallResult.Success(1, 2) };

        var sequence = Sequencer.Run(scenario, executor);

        Assert.Equal($"needs the pin that '{scenario.Steps[0].Text}' (line {scenario.Steps[0].At.Line}) could not take (not-run)", sequence.Steps[1].Detail);
        Assert.Equal(Outcome.NotRun, sequence.Steps[1].Outcome);
    }

    [Fact]
    public void A_race_records_each_body_step_and_spans_the_race()
    {
        var scenario = Parse("race count=3\n  store gen=1\n  fsync\nend\ncheck\n");
        var executor = new ScriptedExecutor
        {
            RaceCalls = t => t.Step.Effect == Effect.Persist
                ? [CallResult.Success(3, 4), CallResult.Failed("EIO", 5, 6), CallResult.Success(7, 8)]
                : [CallResult.Success(3, 4), CallResult.Success(5, 6), CallResult.Hang("stuck", 7, 9)],
        };

        var sequence = Sequencer.Run(scenario, executor);

        Assert.Equal(new StepResult(0, Outcome.Timeout, Detail: "'store gen=1' ×3, 'fsync' ×3", Start: 10, End: 20), sequence.Steps[0]);
        Assert.Equal(new StepResult(1, Outcome.Timeout, Detail: "stuck", Start: 3, End: 9, Race: new RaceStats(3, 0, 1, 5, 6)), sequence.Steps[1]);
        Assert.Equal(StepResult.Failure(2, "EIO", 5, 3, 8, "1 of 3 iterations failed") with { Race = new RaceStats(3, 1, 2, 7, 8) }, sequence.Steps[2]);
        Assert.Equal(Outcome.NotRun, sequence.Steps[3].Outcome); // the check after a hung race
    }

    [Fact]
    public void A_check_records_the_plans_views_only_when_it_completed()
    {
        var scenario = Parse("odirect-write to=b\nodirect-write to=a\ncheck\ncheck\n");
        var executor = new ScriptedExecutor { Answer = s => s.Index == 3 ? CallResult.Failed("EIO", 1, 2) : CallResult.Success(1, 2) };

        var sequence = Sequencer.Run(scenario, executor);

        var check = Assert.Single(sequence.Checks);
        Assert.Equal(2, check.Step);
        Assert.Equal(CheckPlan.For(scenario).Views, check.Views.Select(v => new CheckView(v.File, v.Path)));
        Assert.Equal("EIO", sequence.Steps[3].Errno);
    }

    [Fact]
    public void An_executor_that_reads_other_views_than_the_plan_is_an_error()
    {
        var scenario = Parse("check\n");
        var executor = new ScriptedExecutor { Views = plan => plan.Views.Reverse().Select(v => new ViewRead(v.File, v.Path, [])) };

        var e = Assert.Throws<InvalidOperationException>(() => Sequencer.Run(scenario, executor));
        Assert.Contains("not the check plan's", e.Message);
    }

    [Fact]
    public void Between_steps_follows_every_top_level_step_while_the_run_goes_on()
    {
        var scenario = Parse("store gen=1\nrace count=1\n  fsync\nend\ncheck\n");
        var executor = new ScriptedExecutor();

        Sequencer.Run(scenario, executor);

        Assert.Equal(scenario.Steps.Select(s => s.Index), executor.Between);
    }
}
