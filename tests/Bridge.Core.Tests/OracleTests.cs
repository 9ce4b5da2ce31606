using Bridge.Core.Blocks;
using Bridge.Core.Observations;
using Bridge.Core.Oracle;
using Bridge.Core.Scenarios;

namespace Bridge.Core.Tests;

/// <summary>
/// The oracle on images built with the real block codec: a correct image is intact, and each fault class, made
/// the way it looks on a disk (old bytes, zeros, another block's bytes, a torn write, a flipped bit), yields
/// exactly that class at exactly that block.
/// </summary>
public class OracleTests
{
    private const ulong Run = 0x1234_5678_9abc_def0;

    // Steps 0-4. After it, blocks 0-3 must hold g2 (durable), blocks 4-15 g1.
    private static readonly Scenario Scenario = ScenarioFile.Parse(
        "backing ext4\nfile size=64K block=4K\nstore gen=1\nfsync\nstore gen=2 blocks=0-3\nfsync\ncheck\n", "o.scn")[0];

    private static byte[] Good(int block) => BlockFormatTests.Stamp(block, block < 4 ? 2u : 1u, 0, step: block < 4 ? 2 : 0);

    private static ScenarioVerdict Judge(Func<int, byte[]>? disk = null, Func<int, byte[]>? buffered = null, BlockRead? failed = null)
    {
        ViewRead View(ReadPath path, Func<int, byte[]> bytes) => new("data", path,
            Enumerable.Range(0, 16).Select(b => failed is not null && failed.Block == b && path == ReadPath.Disk ? failed : BlockCodec.Decode(bytes(b), b, Run, 1)).ToList());
        var checks = new CheckObservation(4, [View(ReadPath.Disk, disk ?? Good), View(ReadPath.Buffered, buffered ?? Good), View(ReadPath.Mapping, Good)]);
        var steps = Enumerable.Range(0, 5).Select(i => StepResult.Success(i, i * 10, i * 10 + 5)).ToList();
        var observation = new Observation("o", Run, new RunEnvironment("test", "test", "ext4"), steps, [checks], []);
        return Oracle.Oracle.Judge(Scenario, observation);
    }

    private static Finding Only(ScenarioVerdict verdict)
    {
        var f = Assert.Single(verdict.Findings);
        Assert.Equal(f.Class, verdict.Class);
        return f;
    }

    [Fact]
    public void TheCorrectImageIsIntact() => Assert.Equal(VerdictClass.Intact, Judge().Class);

    [Fact]
    public void AnOlderGenerationOnDiskAfterFsyncIsALostWrite()
    {
        var f = Only(Judge(disk: b => b == 2 ? BlockFormatTests.Stamp(2, 1, 0, step: 0) : Good(b)));
        Assert.Equal((VerdictClass.LostWrite, 2, ReadPath.Disk, 2), (f.Class, f.Block!.Value, f.Path!.Value, f.Culprit!.Value));
        Assert.Equal("g2", f.Expected);
        Assert.Equal("g1", f.Observed);
    }

    [Fact]
    public void AnOlderGenerationThroughThePageCacheIsStale()
    {
        var f = Only(Judge(buffered: b => b == 1 ? BlockFormatTests.Stamp(1, 1, 0) : Good(b)));
        Assert.Equal((VerdictClass.Stale, 1, ReadPath.Buffered), (f.Class, f.Block!.Value, f.Path!.Value));
    }

    [Fact]
    public void SectorsOfTwoGenerationsAreTorn()
    {
        byte[] Torn(int b)
        {
            var bytes = Good(b);
            if (b == 3)
                BlockFormatTests.Stamp(3, 1, 0).AsSpan(2048).CopyTo(bytes.AsSpan(2048));
            return bytes;
        }
        var f = Only(Judge(disk: Torn));
        Assert.Equal((VerdictClass.Torn, 3), (f.Class, f.Block!.Value));
    }

    [Fact]
    public void AFlippedBitIsTorn()
    {
        var f = Only(Judge(disk: b => b == 9 ? Flip(Good(9), 700) : Good(b)));
        Assert.Equal((VerdictClass.Torn, 9), (f.Class, f.Block!.Value));
        Assert.Contains("crc32c mismatch", f.Note);
    }

    [Fact]
    public void AnotherBlocksBytesAreMisplaced()
    {
        var f = Only(Judge(disk: b => b == 5 ? Good(6) : Good(b)));
        Assert.Equal((VerdictClass.Misplaced, 5), (f.Class, f.Block!.Value));
    }

    [Fact]
    public void AGenerationNoStepWroteIsAPhantom()
    {
        var f = Only(Judge(disk: b => b == 7 ? BlockFormatTests.Stamp(7, 9, 0, step: 3) : Good(b)));
        Assert.Equal((VerdictClass.Phantom, 7, 3), (f.Class, f.Block!.Value, f.Culprit!.Value));
    }

    [Fact]
    public void AnotherRunsDataIsAPhantom()
    {
        var other = new byte[4096];
        BlockCodec.Stamp(other, new BlockStamp(Run + 1, 1, 8, 1, 0, Writer.Cpu, 0));
        Assert.Equal((VerdictClass.Phantom, 8), (Only(Judge(disk: b => b == 8 ? other : Good(b))) is var f ? (f.Class, f.Block!.Value) : default));
    }

    [Fact]
    public void ZerosWhereDataIsRequiredAreZeroed()
    {
        var f = Only(Judge(disk: b => b == 12 ? new byte[4096] : Good(b)));
        Assert.Equal((VerdictClass.Zeroed, 12), (f.Class, f.Block!.Value));
    }

    [Fact]
    public void AFailedReadIsAnIoError()
    {
        var f = Only(Judge(failed: BlockRead.Failed(4, "EIO")));
        Assert.Equal((VerdictClass.IoError, 4), (f.Class, f.Block!.Value));
    }

    [Fact]
    public void AKernelWarningInTheLogIsAFinding()
    {
        var scenario = Scenario;
        var obs = new Observation("o", Run, new RunEnvironment("t", "t", null), [], [], ["WARNING: CPU: 1 PID: 42 at fs/ext4/inode.c:3614 ext4_set_page_dirty+0x3e/0x50"]);
        Assert.Equal(VerdictClass.KernelWarn, Oracle.Oracle.Judge(scenario, obs).Class);
    }

    [Fact]
    public void AnInterruptedScenarioIsNeitherAFindingNorIntact()
    {
        // The check never ran: judged, every block would be missing. Interrupted, nothing is judged.
        var steps = new List<StepResult> { StepResult.Success(0, 1, 2), new(1, Outcome.Interrupted, Detail: "abandoned", Start: 3, End: 4) };
        var obs = new Observation("o", Run, new RunEnvironment("t", "t", "ext4"), steps, [], [], Interrupted: "during #1 fsync (o.scn:4:1)");
        var verdict = Oracle.Oracle.Judge(Scenario, obs);
        Assert.Equal((VerdictClass.Interrupted, "during #1 fsync (o.scn:4:1)"), (verdict.Class, verdict.SkipReason));
        Assert.False(verdict.HasFindings);
        Assert.Empty(verdict.Findings);
    }

    [Fact]
    public void RateLimitedKernelLogLinesAreCountedInANoteWithoutMakingAFinding()
    {
        var log = new[]
        {
            "BTRFS warning (device loop3): csum failed root 5 ino 257 off 32768 csum 0x8941f998 expected csum 0x12345678 mirror 1",
            "btrfs_print_data_csum_error: 37 callbacks suppressed",
            "btrfs_print_data_csum_error: 5 callbacks suppressed",
            "BTRFS error (device loop3): bdev /dev/loop3 errs: wr 0, rd 0, flush 0, corrupt 3, gen 0",
        };
        var steps = Enumerable.Range(0, 5).Select(i => StepResult.Success(i, i * 10, i * 10 + 5)).ToList();
        var judged = Oracle.Oracle.Judge(Scenario, new Observation("o", Run, new RunEnvironment("t", "t", "btrfs"), steps, [], log));
        Assert.Equal("the kernel's rate limits dropped 42 log lines during the scenario (btrfs_print_data_csum_error 42): warnings may be missing from the captured log",
            Assert.Single(judged.Notes));
        Assert.DoesNotContain(judged.Findings, f => f.Class == VerdictClass.KernelWarn);
        Assert.Empty(Judge().Notes); // a log without such lines needs no note
    }

    private static byte[] Flip(byte[] bytes, int at)
    {
        bytes[at] ^= 0x10;
        return bytes;
    }
}
