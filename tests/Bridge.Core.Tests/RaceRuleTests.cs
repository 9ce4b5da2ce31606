using Bridge.Core.Blocks;
using Bridge.Core.Observations;
using Bridge.Core.Oracle;
using Bridge.Core.Scenarios;

namespace Bridge.Core.Tests;

/// <summary>The race rule orders racing writes and persistence calls by the timing of their last successful
/// calls: a flush that began after the last write ended must leave that write on disk; one that began earlier
/// leaves the disk free to hold anything the race wrote.</summary>
public class RaceRuleTests
{
    private const ulong Run = 7;

    private static readonly Scenario Scenario = ScenarioFile.Parse(
        "backing ext4\nfile size=16K block=4K\nstore gen=1\nfsync\nrace count=10\n  odirect-read gen=2 blocks=0\n  msync\n  odirect-read gen=3 blocks=1\nend\ncheck\n", "r.scn")[0];

    private static Observation Observe(long msyncLastStart, uint disk0Iteration, uint memory1Gen = 3, (long Start, long End)? gen3Last = null)
    {
        var writer2 = new RaceStats(10, 0, 9, 900, 1000);
        var flush = new RaceStats(10, 0, 9, msyncLastStart, msyncLastStart + 50);
        var (s3, e3) = gen3Last ?? (800, 850);
        var writer3 = new RaceStats(10, 0, 9, s3, e3);
        var steps = new List<StepResult>
        {
            StepResult.Success(0, 0, 1), StepResult.Success(1, 2, 3), StepResult.Success(2, 10, 2000),
            new(3, Outcome.Ok, Start: 10, End: 2000, Race: writer2),
            new(4, Outcome.Ok, Start: 10, End: 2000, Race: flush),
            new(5, Outcome.Ok, Start: 10, End: 2000, Race: writer3),
            StepResult.Success(6, 3000, 3001),
        };
        BlockRead Read(int block, uint gen, uint iteration) =>
            BlockCodec.Decode(Stamp(block, gen, iteration), block, Run, 1);
        var disk = new ViewRead("data", ReadPath.Disk, [Read(0, 2, disk0Iteration), Read(1, 3, 9), Read(2, 1, 0), Read(3, 1, 0)]);
        var memory = new List<BlockRead> { Read(0, 2, 9), Read(1, memory1Gen, memory1Gen == 3 ? 9u : 0u), Read(2, 1, 0), Read(3, 1, 0) };
        var check = new CheckObservation(6, [disk, new ViewRead("data", ReadPath.Buffered, memory), new ViewRead("data", ReadPath.Mapping, memory)]);
        return new Observation("r", Run, new RunEnvironment("t", "t", "ext4"), steps, [check], []);
    }

    private static byte[] Stamp(int block, uint gen, uint iteration)
    {
        var bytes = new byte[4096];
        BlockCodec.Stamp(bytes, new BlockStamp(Run, 1, block, gen, iteration, Writer.ODirect, 3));
        return bytes;
    }

    [Fact]
    public void AFlushThatBeganAfterTheLastWriteRequiresIt()
    {
        var verdict = Oracle.Oracle.Judge(Scenario, Observe(msyncLastStart: 1100, disk0Iteration: 8));
        var f = Assert.Single(verdict.Findings);
        Assert.Equal((VerdictClass.LostWrite, 0), (f.Class, f.Block!.Value));
        Assert.Equal("g2.9", f.Expected);
    }

    [Fact]
    public void AFlushThatBeganBeforeTheLastWriteEndedRequiresNothing() =>
        Assert.Equal(VerdictClass.Intact, Oracle.Oracle.Judge(Scenario, Observe(msyncLastStart: 950, disk0Iteration: 3)).Class);

    [Fact]
    public void TheLastSuccessfulIterationIsWhatMemoryMustHold()
    {
        var verdict = Oracle.Oracle.Judge(Scenario, Observe(msyncLastStart: 1100, disk0Iteration: 9, memory1Gen: 1));
        Assert.All(verdict.Findings, f => Assert.Equal((VerdictClass.Stale, 1), (f.Class, f.Block!.Value)));
        Assert.Equal(2, verdict.Findings.Count);
    }

    [Fact]
    public void AnIterationBeyondTheCountIsAPhantom()
    {
        var verdict = Oracle.Oracle.Judge(Scenario, Observe(msyncLastStart: 950, disk0Iteration: 42));
        Assert.Equal((VerdictClass.Phantom, 0), (verdict.Findings[0].Class, verdict.Findings[0].Block!.Value));
    }
}
