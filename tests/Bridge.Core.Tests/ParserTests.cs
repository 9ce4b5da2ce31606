using Bridge.Core.Scenarios;

namespace Bridge.Core.Tests;

public class ParserTests
{
    private const string Head = "backing ext4\nfile size=64K block=4K\n";

    private static ScenarioError Single(string text)
    {
        var e = Assert.Throws<ScenarioException>(() => ScenarioFile.Parse(text, "t.scn"));
        return Assert.Single(e.Errors);
    }

    private static void AssertError(string text, int line, int column, string fragment)
    {
        var error = Single(text);
        Assert.Equal(new SourceSpan("t.scn", line, column), error.At);
        Assert.Contains(fragment, error.Message);
        Assert.StartsWith($"t.scn:{line}:{column}: ", error.ToString());
    }

    [Fact]
    public void AValidScenarioParsesWithIndexesDefaultsAndRaceBodies()
    {
        var s = ScenarioFile.Parse(Head + "store gen=1\nrace count=5\n  odirect-read gen=2 blocks=0-3,8\n  msync async\nend\ncheck\n", "t.scn").Single();
        Assert.Equal("t", s.Name);
        Assert.Equal(16, s.Geometry.BlockCount);
        Assert.Equal(MapKind.Shared, s.Map);
        Assert.Equal([0, 1, 2, 3, 4], s.AllSteps().Select(x => x.Index));
        Assert.Equal(BlockSet.Range(0, 15), s.Steps[0].Blocks);
        var race = s.Steps[1];
        Assert.Equal(5, race.Args.Count);
        Assert.Equal("0-3,8", race.Body[0].Blocks.ToString());
        Assert.Equal("async", race.Body[1].Args.Mode);
        Assert.Equal(new SourceSpan("t.scn", 5, 3), race.Body[0].At);
    }

    [Fact]
    public void UnknownStep() => AssertError(Head + "stor gen=1\ncheck\n", 3, 1, "unknown step 'stor'");

    [Fact]
    public void HeaderAfterASteps() => AssertError(Head + "store gen=1\nmap private\ncheck\n", 4, 1, "'map' is a header; expected it before the first step");

    [Fact]
    public void UnknownBacking() => AssertError("backing zfs\nfile size=64K\ncheck\n", 1, 9, "expected 'backing NAME' with NAME one of: ext4, xfs");

    [Fact]
    public void MissingBacking() => AssertError("file size=64K\ncheck\n", 1, 1, "expected a 'backing NAME' header");

    [Fact]
    public void StepBeforeFileHeader() => AssertError("backing ext4\ncheck\n", 2, 1, "expected 'file size=S [block=B]' before the first step");

    [Fact]
    public void FileSizeNotAMultipleOfTheBlock() => AssertError("backing ext4\nfile size=10K block=4K\ncheck\n", 2, 1, "positive multiple of the block size (4096)");

    [Fact]
    public void BlockSizeNotAPageMultiple() => AssertError("backing ext4\nfile size=64K block=1K\ncheck\n", 2, 21, "a multiple of the 4 KiB page");

    [Fact]
    public void BadSizeSyntax() => AssertError("backing ext4\nfile size=lots\ncheck\n", 2, 11, "expected a size such as 65536, 64K, 2M or 1G for size");

    [Fact]
    public void BlocksOutOfRange() => AssertError(Head + "store gen=1 blocks=10-20\ncheck\n", 3, 20, "within 0-15 for blocks");

    [Fact]
    public void GenerationZeroIsReserved() => AssertError(Head + "store gen=0\ncheck\n", 3, 11, "a generation number 1-65535 (0 is the initial fill)");

    [Fact]
    public void MissingRequiredArgument() => AssertError(Head + "store blocks=1\ncheck\n", 3, 1, "'store' needs gen=; expected 'store gen=… [blocks=…]'");

    [Fact]
    public void ArgumentTheVerbDoesNotTake() => AssertError(Head + "fsync blocks=1\ncheck\n", 3, 7, "'fsync' takes no 'blocks='");

    [Fact]
    public void ArgumentGivenTwice() => AssertError(Head + "store gen=1 gen=2\ncheck\n", 3, 13, "'gen' given twice");

    [Fact]
    public void BadModeChoice() => AssertError(Head + "msync later\ncheck\n", 3, 7, "expected one of: sync, async, invalidate for mode");

    [Fact]
    public void UnknownPinPath() => AssertError(Head + "pin nvme\ncheck\n", 3, 5, "a pin path, one of: uring-register, rdma-mr");

    [Fact]
    public void AccessFlagUnknownToThePath() => AssertError(Head + "pin rdma-mr access=remote-atomic\ncheck\n", 3, 20, "access flags joined by ',' from: local-write, remote-write, remote-read");

    [Fact]
    public void AccessOnUringRegister() => AssertError(Head + "pin uring-register access=remote-read\ncheck\n", 3, 27, "uring-register always pins for writing");

    [Fact]
    public void DmaWithoutAPin() => AssertError(Head + "dma gen=2\ncheck\n", 3, 1, "'dma' needs a pin; expected 'pin PATH' before it");

    [Fact]
    public void DmaOutsideThePinnedBlocks() => AssertError(Head + "pin uring-register blocks=0-3\ndma gen=2 blocks=2-5\ncheck\n", 4, 1, "expected blocks within the pinned blocks 0-3 (line 3)");

    [Fact]
    public void PinTwice() => AssertError(Head + "pin uring-register\npin uring-register\ncheck\n", 4, 1, "a pin is already held (line 3)");

    [Fact]
    public void UnpinWithoutPin() => AssertError(Head + "unpin\ncheck\n", 3, 1, "'unpin' without a pin");

    [Fact]
    public void StoreAfterMunmap() => AssertError(Head + "munmap\nstore gen=1\ncheck\n", 4, 1, "'store' needs the mapping, which line 3 unmapped");

    [Fact]
    public void GenerationReusedOnABlock() => AssertError(Head + "store gen=1 blocks=0-3\nodirect-read gen=1 blocks=3\ncheck\n", 4, 1, "generation 1 was already written to block 3 at line 3");

    [Fact]
    public void FileStepOnAnonymousMemory() => AssertError("backing anon\nfile size=64K\nfsync\ncheck\n", 3, 1, "'fsync' needs a file; backing anon has none");

    [Fact]
    public void HugetlbNeedsHugePageMultiples() => AssertError("backing hugetlb\nfile size=64K\ncheck\n", 3, 1, "a multiple of 2M on hugetlb");

    [Fact]
    public void TruncateBeyondTheFileSize() => AssertError(Head + "truncate size=128K\ncheck\n", 3, 1, "at most the file size (65536)");

    [Fact]
    public void RaceNeedsExactlyOneBound() => AssertError(Head + "race\n  store gen=1\nend\ncheck\n", 3, 1, "expected 'race for=DURATION' or 'race count=N'");

    [Fact]
    public void RaceNotClosed() => AssertError(Head + "check\nrace count=3\n  store gen=1\n", 4, 1, "race is not closed; expected 'end'");

    [Fact]
    public void EndWithoutRace() => AssertError(Head + "check\nend\n", 4, 1, "'end' without a race");

    [Fact]
    public void StepNotAllowedInARace() => AssertError(Head + "race count=2\n  truncate size=32K\nend\ncheck\n", 4, 3, "'truncate' cannot run inside a race");

    [Fact]
    public void EmptyRace() => AssertError(Head + "race count=2\nend\ncheck\n", 4, 1, "expected at least one step between 'race' and 'end'");

    [Fact]
    public void NestedRace() => AssertError(Head + "race count=2\nrace count=2\n  store gen=1\nend\nend\ncheck\n", 4, 1, "a race cannot contain a race");

    [Fact]
    public void ScenarioWithoutCheck() => AssertError(Head + "store gen=1\n", 4, 1, "expected at least one 'check' step");

    [Fact]
    public void EveryErrorOfAFileIsReportedInLineOrder()
    {
        var e = Assert.Throws<ScenarioException>(() => ScenarioFile.Parse(Head + "stor\nstore gen=x\ncheck\n", "t.scn"));
        Assert.Equal([3, 4], e.Errors.Select(x => x.At.Line));
    }
}
