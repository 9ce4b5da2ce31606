using Bridge.Core.Execution;
using Bridge.Core.Observations;
using Bridge.Core.Scenarios;

namespace Bridge.Core.Tests;

/// <summary>How the sequencer and the parser treat a step that cuts the power (<see cref="VerbInfo.CutsPower"/>):
/// skipped where the executor cannot cut it, stopped and resumed where the power is cut between two boots, run on
/// in place in the model; no step after it may need the mapping or the pin.</summary>
public class PowerCutSequencingTests
{
    private sealed class Executor(PowerCut powerCut) : IStepExecutor
    {
        public List<int> Asked { get; } = [];
        public List<IReadOnlyList<CheckView>> Plans { get; } = [];

        public PowerCut PowerCut => powerCut;

        public CallResult Run(Step step, CancellationToken interrupt)
        {
            Asked.Add(step.Index);
            return CallResult.Success(step.Index, step.Index + 1);
        }

        public CallResult Check(Step step, CheckPlan plan, List<ViewRead> views, CancellationToken interrupt)
        {
            Asked.Add(step.Index);
            Plans.Add(plan.Views);
            views.AddRange(plan.Views.Select(v => new ViewRead(v.File, v.Path, [])));
            return CallResult.Success(1, 2);
        }

        public (long Start, long End) Race(Step race, IReadOnlyList<RaceTally> body, CancellationToken interrupt) => (0, 0);
    }

    private static Scenario Parse(string steps) => ScenarioFile.Parse("backing ext4\nfile size=64K block=4K\n" + steps, "t.scn")[0];

    private const string Steps = "store gen=1\nfsync\ncheck\ncrash\ncheck\nfsync\n";

    [Fact]
    public void An_executor_that_cannot_cut_the_power_runs_nothing_and_the_scenario_is_skipped_naming_the_step()
    {
        var scenario = Parse(Steps);
        var executor = new Executor(PowerCut.None);

        var sequence = Sequencer.Run(scenario, executor, TestContext.Current.CancellationToken);

        Assert.Empty(executor.Asked);
        Assert.Equal(Sequencer.NeedsPowerCut(scenario.StepAt(3)), sequence.Skip);
        Assert.Contains("needs the VM target", sequence.Skip);
        Assert.All(sequence.Steps, s => Assert.Equal(Outcome.NotRun, s.Outcome));
        Assert.Equal(scenario.StepCount, sequence.Steps.Count);
    }

    [Fact]
    public void A_power_cut_on_the_next_boot_stops_the_sequence_after_the_crash_step_and_resume_runs_the_rest()
    {
        var scenario = Parse(Steps);
        var first = new Executor(PowerCut.NextBoot);

        var before = Sequencer.Run(scenario, first, TestContext.Current.CancellationToken);

        Assert.Equal(3, before.PowerCutAt);
        Assert.Equal([0, 1, 2, 3], first.Asked);
        Assert.Equal([0, 1, 2, 3], before.Steps.Select(s => s.Step));
        Assert.Single(before.Checks);

        var second = new Executor(PowerCut.NextBoot);
        var after = Sequencer.Resume(scenario, second, before.Steps, 3, TestContext.Current.CancellationToken);

        Assert.Null(after.PowerCutAt);
        Assert.Equal([4, 5], second.Asked);
        Assert.Equal([4, 5], after.Steps.Select(s => s.Step));
        Assert.Equal(4, Assert.Single(after.Checks).Step);
        Assert.DoesNotContain(Assert.Single(second.Plans), v => v.Path == ReadPath.Mapping);
    }

    [Fact]
    public void A_power_cut_in_place_runs_every_step_and_the_checks_after_it_read_no_mapping()
    {
        var executor = new Executor(PowerCut.InPlace);

        var sequence = Sequencer.Run(Parse(Steps), executor, TestContext.Current.CancellationToken);

        Assert.Null(sequence.PowerCutAt);
        Assert.Equal([0, 1, 2, 3, 4, 5], executor.Asked);
        Assert.Contains(executor.Plans[0], v => v.Path == ReadPath.Mapping);
        Assert.DoesNotContain(executor.Plans[1], v => v.Path == ReadPath.Mapping);
    }

    [Fact]
    public void Resume_refuses_a_step_that_is_no_power_cut() =>
        Assert.Throws<ArgumentException>(() => Sequencer.Resume(Parse(Steps), new Executor(PowerCut.NextBoot), [], 1, TestContext.Current.CancellationToken));

    private static ScenarioError[] Errors(string text) => [.. Assert.Throws<ScenarioException>(() => ScenarioFile.Parse(text, "c.scn")).Errors];

    [Fact]
    public void After_the_cut_no_step_may_need_the_mapping_or_the_pin()
    {
        var store = Assert.Single(Errors("backing ext4\nfile size=64K\nstore gen=1\ncrash\nstore gen=2\ncheck\n"));
        Assert.Equal((5, "'store' needs the mapping, which did not survive the power cut at line 4; expected only steps on the file after 'crash'"),
            (store.At.Line, store.Message));
        var dma = Assert.Single(Errors("backing ext4\nfile size=64K\npin uring-register blocks=0-3\ncrash\ndma gen=2 blocks=0-3\ncheck\n"));
        Assert.Contains("needs the pin, which did not survive the power cut at line 4", dma.Message);
        // Steps on the file may follow.
        Assert.Single(ScenarioFile.Parse("backing ext4\nfile size=64K\nstore gen=1\ncrash\nfsync\ntruncate size=32K\ncheck\n", "c.scn"));
    }

    [Theory]
    [InlineData("tmpfs")]
    [InlineData("memfd")]
    [InlineData("hugetlb")]
    public void A_backing_without_storage_cannot_be_cut(string backing)
    {
        var size = backing == "hugetlb" ? "2M" : "64K";
        var error = Assert.Single(Errors($"backing {backing}\nfile size={size}\nstore gen=1\ncrash\ncheck\n"));
        Assert.Equal(4, error.At.Line);
        Assert.Contains($"on {backing} nothing survives a power cut", error.Message);
    }

    [Fact]
    public void A_crash_step_cannot_run_inside_a_race()
    {
        var error = Assert.Single(Errors("backing ext4\nfile size=64K\nrace for=1s\n  store gen=1\n  crash\nend\ncheck\n"));
        Assert.StartsWith("'crash' cannot run inside a race", error.Message);
    }
}
