using System.Diagnostics;
using Bridge.Core.Execution;
using Bridge.Core.Observations;
using Bridge.Core.Oracle;
using Bridge.Core.Scenarios;
using Bridge.Linux.Backings;
using Bridge.Linux.Execution;

namespace Bridge.Linux.Tests;

/// <summary>
/// The run's interruption on the real kernel: a minute-long race stops within a second of it, every racing thread
/// between two iterations; the observation keeps what ran and says where it stopped; the oracle does not judge it.
/// memfd needs no root.
/// </summary>
public class InterruptionTests
{
    [Fact]
    public void A_minute_long_race_ends_within_a_second_of_the_interruption_and_the_scenario_is_interrupted()
    {
        var scenario = ScenarioFile.Parse("""
            backing memfd
            map shared
            file size=256K block=4K
            store gen=1
            race for=60s
              store gen=2 blocks=0-7
              msync blocks=0-7
              fadvise-dontneed blocks=8-15
            end
            fsync
            check
            """, "interrupt.scn")[0];
        using var scratch = new ScratchSpace();
        using var runner = new ScenarioRunner(scratch, "test");
        using var interrupt = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        var clock = Stopwatch.StartNew();

        var observation = runner.Run(scenario, interrupt: interrupt.Token);

        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
        var race = scenario.Steps[1];
        Assert.Equal($"during {race}", observation.Interrupted);
        Assert.Equal(Outcome.Interrupted, observation.ResultOf(race.Index)!.Outcome);
        // Every racing step ran until the signal, and stopped between iterations: none was abandoned.
        Assert.All(race.Body, s => Assert.True(observation.ResultOf(s.Index) is { Outcome: Outcome.Ok, Race.Iterations: > 0 }, $"{s}: {observation.ResultOf(s.Index)}"));
        Assert.All(scenario.Steps.Skip(2), s => Assert.Equal(StepResult.Skipped(s.Index, Sequencer.AfterInterruption), observation.ResultOf(s.Index)));
        Assert.Empty(observation.Checks);
        Assert.Equal(VerdictClass.Interrupted, Oracle.Judge(scenario, observation).Class);
    }

    [Fact]
    public void A_run_interrupted_before_a_scenario_starts_stops_in_its_setup_and_runs_no_step()
    {
        var scenario = ScenarioFile.Parse("backing memfd\nfile size=64K\nstore gen=1\nfsync\ncheck\n", "interrupt.scn")[0];
        using var scratch = new ScratchSpace();
        using var runner = new ScenarioRunner(scratch, "test");

        var observation = runner.Run(scenario, interrupt: new CancellationToken(canceled: true));

        Assert.Equal("during setup (the initial fill)", observation.Interrupted);
        Assert.Empty(observation.Steps);
        Assert.Equal(VerdictClass.Interrupted, Oracle.Judge(scenario, observation).Class);
    }
}
