using Bridge.Core.Observations;
using Bridge.Core.Scenarios;
using Bridge.Linux.Backings;
using Bridge.Linux.Execution;
using Bridge.Linux.Interop;
using Bridge.Simulator.Policies;

namespace Bridge.Targets.Tests;

/// <summary>The real executor and the simulator follow one contract (Core's Sequencer and HarnessFaults): a
/// scenario that meets every not-run rule gets the same outcome and the same reason, step by step, from both.</summary>
public class ExecutorsAgreeTests
{
    private const string Scenario = """
        backing memfd
        map shared
        file size=64K
        store gen=1
        truncate size=32K
        pin uring-register blocks=8-11
        dma gen=2 blocks=8-11
        dma-read blocks=8-11
        mprotect ro
        store gen=3 blocks=4
        mprotect rw
        store gen=4 blocks=12
        race count=3
          dma gen=5 blocks=8
          store gen=6 blocks=10
          fsync
        end
        unpin
        check
        """;

    [Fact]
    public void EveryNotRunRuleGivesTheSameOutcomeAndReasonOnTheKernelAndInTheModel()
    {
        Assert.SkipWhen(UringRing.Unavailable is not null, UringRing.Unavailable ?? "");
        var scenario = ScenarioFile.Parse(Scenario, "agree.scn")[0];
        using var scratch = new ScratchSpace();
        using var runner = new ScenarioRunner(scratch, "test");

        var real = runner.Run(scenario, interrupt: TestContext.Current.CancellationToken);
        var model = Simulator.Simulator.Run(scenario, PolicyCatalog.Linux65Plus, 1);

        Assert.Null(real.Skip);
        Assert.Equal(Summary(model), Summary(real));
        // The rules above all fired: a pin past EOF is EFAULT on every kernel, and what needed it did not run (dma,
        // dma-read, the racing dma, unpin); nor did the store into the read-only mapping, nor those past EOF.
        Assert.Equal("EFAULT", real.ResultOf(2)!.Errno);
        Assert.Equal([3, 4, 6, 8, 10, 11, 13], real.Steps.Where(s => s.Outcome == Outcome.NotRun).Select(s => s.Step));
    }

    private static List<string> Summary(Observation o) => o.Steps.Select(s => $"#{s.Step} {s}{(s.Outcome == Outcome.NotRun ? $": {s.Detail}" : "")}").ToList();
}
