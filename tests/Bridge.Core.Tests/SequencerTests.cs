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

        public CallResult Run(Step step, CancellationToken interrupt)
        {
            Asked.Add(step.Index);
            return Answer(step);
        }

        public CallResult Check(Step step, CheckPlan plan, List<ViewRead> views, CancellationToken interrupt)
        {
            Asked.Add(step.Index);
            views.AddRange(Views(plan));
            return Answer(step);
        }

        public (long Start, long End) Race(Step race, IReadOnlyList<RaceTally> body, CancellationToken interrupt)
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

        var sequence = Sequencer.Run(scenario, executor, TestContext.Current.CancellationToken);

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

        var sequence = Sequencer.Run(scenario, executor, TestContext.Current.CancellationToken);

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

        var sequence = Sequencer.Run(scenario, executor, TestContext.Current.CancellationToken);

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

        var sequence = Sequencer.Run(scenario, executor, TestContext.Current.CancellationToken);

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

        var sequence = Sequencer.Run(scenario, executor, TestContext.Current.CancellationToken);

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

        var e = Assert.Throws<InvalidOperationException>(() => Sequencer.Run(scenario, executor, TestContext.Current.CancellationToken));
        Assert.Contains("not the check plan's", e.Message);
    }

    [Fact]
    public void Between_steps_follows_every_top_level_step_while_the_run_goes_on()
    {
        var scenario = Parse("store gen=1\nrace count=1\n  fsync\nend\ncheck\n");
        var executor = new ScriptedExecutor();

        Sequencer.Run(scenario, executor, TestContext.Current.CancellationToken);

        Assert.Equal(scenario.Steps.Select(s => s.Index), executor.Between);
    }

    [Fact]
    public void Once_the_run_is_interrupted_no_further_step_starts_and_the_sequence_says_where()
    {
        var scenario = Parse("store gen=1\nfsync\nrace count=2\n  msync\nend\ncheck\n");
        using var interrupt = new CancellationTokenSource();
        var executor = new ScriptedExecutor
        {
            Answer = s =>
            {
                if (s.Index == 1)
                    interrupt.Cancel(); // the signal arrives while fsync runs; fsync itself returns
                return CallResult.Success(1, 2);
            },
        };

        var sequence = Sequencer.Run(scenario, executor, interrupt.Token);

        Assert.Equal([0, 1], executor.Asked);
        Assert.True(sequence.Steps[1].Ok);
        Assert.Equal($"before {scenario.Steps[2]}", sequence.Interrupted);
        Assert.All(sequence.Steps.Skip(2), r => Assert.Equal(StepResult.Skipped(r.Step, Sequencer.AfterInterruption), r));
        Assert.False(sequence.Hung);
        Assert.Empty(sequence.Checks);
    }

    [Fact]
    public void A_race_cut_short_by_the_interruption_is_interrupted_and_so_is_the_scenario()
    {
        var scenario = Parse("race for=60s\n  store gen=1\n  fsync\nend\ncheck\n");
        using var interrupt = new CancellationTokenSource();
        var executor = new ScriptedExecutor
        {
            RaceCalls = t =>
            {
                interrupt.Cancel();
                return [CallResult.Success(3, 4)];
            },
        };

        var sequence = Sequencer.Run(scenario, executor, interrupt.Token);

        Assert.Equal(Outcome.Interrupted, sequence.Steps[0].Outcome);
        Assert.All(sequence.Steps.Skip(1).Take(2), r => Assert.Equal(Outcome.Ok, r.Outcome)); // the iterations that ran
        Assert.Equal(StepResult.Skipped(3, Sequencer.AfterInterruption), sequence.Steps[3]);
        Assert.Equal($"during {scenario.Steps[0]}", sequence.Interrupted);
    }

    [Fact]
    public void A_call_abandoned_at_the_interruption_interrupts_the_scenario()
    {
        var scenario = Parse("store gen=1\nfsync\ncheck\n");
        var executor = new ScriptedExecutor { Answer = s => s.Index == 1 ? CallResult.Interrupted("abandoned", 5, 6) : CallResult.Success(1, 2) };

        var sequence = Sequencer.Run(scenario, executor, TestContext.Current.CancellationToken);

        Assert.Equal(new StepResult(1, Outcome.Interrupted, Detail: "abandoned", Start: 5, End: 6), sequence.Steps[1]);
        Assert.Equal($"during {scenario.Steps[1]}", sequence.Interrupted);
        Assert.Equal(StepResult.Skipped(2, Sequencer.AfterInterruption), sequence.Steps[2]);
    }

    /// <summary>Every verb whose row says it needs privilege, refused with each errno that means "not privileged":
    /// the scenario is skipped naming what the row says it needs, and no later step runs. Any other errno is the
    /// step's result as usual.</summary>
    [Fact]
    public void A_privileged_step_refused_for_want_of_privilege_skips_the_scenario_with_the_rows_reason()
    {
        var privileged = Verbs.All.Where(v => v.Privilege is not null).ToList();
        Assert.NotEmpty(privileged);
        foreach (var verb in privileged)
        {
            foreach (var errno in Errnos.PrivilegeRefusals)
            {
                var scenario = Parse($"store gen=1\n{verb.Keyword}\nstore gen=2\ncheck\n");
                var executor = new ScriptedExecutor { Answer = s => s.Verb == verb ? CallResult.Failed(errno, 1, 2) : CallResult.Success(1, 2) };

                var sequence = Sequencer.Run(scenario, executor, TestContext.Current.CancellationToken);

                Assert.Equal($"'{verb.Keyword}' needs {verb.Privilege}; the kernel refused it with {errno}", sequence.Skip);
                Assert.Equal([0, 1], executor.Asked);
                Assert.All(sequence.Steps.Skip(2), r => Assert.Equal(Outcome.NotRun, r.Outcome));
            }
            var other = Sequencer.Run(Parse($"{verb.Keyword}\ncheck\n"), new ScriptedExecutor { Answer = s => s.Verb == verb ? CallResult.Failed("EIO", 1, 2) : CallResult.Success(1, 2) },
                TestContext.Current.CancellationToken);
            Assert.Null(other.Skip);
        }
        // A verb that needs no privilege is not skipped for EPERM: that is the kernel's answer to the scenario.
        var unprivileged = Sequencer.Run(Parse("fsync\ncheck\n"), new ScriptedExecutor { Answer = s => s.Effect == Effect.Persist ? CallResult.Failed("EPERM", 1, 2) : CallResult.Success(1, 2) },
            TestContext.Current.CancellationToken);
        Assert.Null(unprivileged.Skip);
        Assert.Equal("EPERM", unprivileged.Steps[0].Errno);
    }

    [Fact]
    public void A_privileged_step_refused_inside_a_race_skips_the_scenario_too()
    {
        var verb = Verbs.All.First(v => v.Privilege is not null && v.AllowedInRace);
        var scenario = Parse($"race count=3\n  {verb.Keyword}\n  store gen=1\nend\ncheck\n");
        var executor = new ScriptedExecutor { RaceCalls = t => t.Step.Verb == verb ? [CallResult.Failed("EACCES", 3, 4)] : [CallResult.Success(3, 4)] };

        var sequence = Sequencer.Run(scenario, executor, TestContext.Current.CancellationToken);

        Assert.StartsWith($"'{verb.Keyword}' needs {verb.Privilege}", sequence.Skip);
        Assert.Equal(Outcome.NotRun, sequence.Steps[3].Outcome);
    }
}
