using Bridge.Core.Blocks;

namespace Bridge.Core.Tests;

/// <summary>The verifier and its expectation on their own: text and JSON say the same, the survey's majority beats a
/// foreign block 0, zero blocks are judged by what surrounds them, and a file of gigabytes costs no memory.</summary>
public class ImageVerifierTests
{
    private const ulong Run = 0xfeed_0000_0000_beef;

    private static byte[] Block(long index, uint gen, ulong run = Run, int size = 4096)
    {
        var block = new byte[size];
        BlockCodec.Stamp(block, new BlockStamp(run, 1, checked((int)index), gen, 0, Writer.Cpu, 1));
        return block;
    }

    private static (List<VerdictRange> Ranges, ImageSummary Summary) Verify(IEnumerable<byte[]> blocks, ImageCheck check)
    {
        var ranges = new List<VerdictRange>();
        var verifier = new ImageVerifier(check, ranges.Add);
        foreach (var b in blocks)
            verifier.Block(b);
        return (ranges, verifier.Finish());
    }

    [Fact]
    public void DataACollapseMovedIsIntactWhereTheExpectationMovesItAndMisplacedElsewhere()
    {
        // Blocks 2-3 of a collapsed file hold what was written at 4-5 (g1@+2, as the oracle's evidence writes it).
        byte[][] blocks = [Block(0, 1), Block(1, 1), Block(4, 1), Block(5, 1)];
        var moved = ImageExpectation.Parse("size=16K block=4K file=1 gen=g1:0-1 gen=g1@+2:2-3");
        Assert.Equal(Content.Data(1, 0, moved: 2), moved.For(2)!.Contents.Single());

        var (intact, _) = Verify(blocks, new ImageCheck(Run, 1, 4096, moved, false));
        Assert.All(intact, r => Assert.Equal(BlockVerdictKind.Intact, r.Kind));

        var (unmoved, _) = Verify(blocks, new ImageCheck(Run, 1, 4096, ImageExpectation.Parse("size=16K block=4K file=1 gen=g1:0-3"), false));
        Assert.Equal(BlockVerdictKind.Misplaced, Assert.Single(unmoved, r => r.First == 2).Kind);
        var (tooFar, _) = Verify(blocks, new ImageCheck(Run, 1, 4096, ImageExpectation.Parse("size=16K block=4K file=1 gen=g1:0-1 gen=g1@+1:2-3"), false));
        Assert.Equal(BlockVerdictKind.Misplaced, Assert.Single(tooFar, r => r.First == 2).Kind);
    }

    [Fact]
    public void TheTextAndJsonFormsOfAnExpectationAreTheSame()
    {
        var text = ImageExpectation.Parse("size=256K block=4K run=0xfeed00000000beef file=1 gen=0:0-31 gen=g2|3.1:32-39,48-63 mix=2|hole:40-47");
        var json = ImageExpectation.FromJson("""
            {"size": 262144, "blockSize": 4096, "runId": "feed00000000beef", "fileId": 1,
             "blocks": [{"blocks": "0-31", "contents": ["g0"]}, {"blocks": "32-39,48-63", "contents": ["2", "g3.1"]},
                        {"blocks": "40-47", "contents": ["g2", "hole"], "mix": true}]}
            """);
        Assert.Equal(text with { Ranges = [] }, json with { Ranges = [] });
        Assert.Equal(text.Ranges.Select(r => (r.First, r.Last, string.Join(',', r.Contents), r.Mix)), json.Ranges.Select(r => (r.First, r.Last, string.Join(',', r.Contents), r.Mix)));
        Assert.Equal([Content.Data(2), Content.Data(3, 1)], text.For(50)!.Contents);
        Assert.Null(text.For(64));
    }

    [Theory]
    [InlineData("gen=1:0-3 gen=2:3-5", "block 3 is named by two ranges")]
    [InlineData("size=10K block=4K", "not a whole number of 4096-byte blocks")]
    [InlineData("size=8K block=4K gen=1:2", "past the expected size")]
    [InlineData("gen=x:0", "contents as gN, gN.I or hole")]
    [InlineData("gen=1:9-2", "blocks as A-B (A <= B) or N, comma-separated, not '9-2'")]
    [InlineData("gen=1:0-99999999999999999999", "blocks as A-B (A <= B) or N")]
    [InlineData("run=xyz", "a run id of 1-16 hex digits")]
    [InlineData("block=1000", "a multiple of 512 bytes")]
    [InlineData("size=1K size=2K", "size= once")]
    [InlineData("colour=red", "size=S, block=B, run=HEX")]
    public void ABadExpectationSaysWhatItExpected(string text, string fragment) =>
        Assert.Contains(fragment, Assert.Throws<ExpectationException>(() => ImageExpectation.Parse(text)).Message);

    [Theory]
    [InlineData("[1]", "expected a JSON object")]
    [InlineData("{\"runId\": 81985529216486895}", "a string of hex digits")]
    [InlineData("{\"blocks\": [{\"blocks\": \"0\"}]}", "a \"contents\" array")]
    [InlineData("{\"colour\": 1}", "one of size, blockSize, runId, fileId, blocks")]
    [InlineData("{", "not JSON")]
    public void ABadJsonExpectationSaysWhatItExpected(string json, string fragment) =>
        Assert.Contains(fragment, Assert.Throws<ExpectationException>(() => ImageExpectation.FromJson(json)).Message);

    [Fact]
    public void TheSurveysMajorityIsTheFilesRunNotBlockZeros()
    {
        var blocks = Enumerable.Range(0, 8).Select(b => Block(b, 1, b == 0 ? 0x42ul : Run)).ToList();
        var survey = new ImageSurvey();
        blocks.ForEach(b => survey.Add(b));
        Assert.Equal((Run, 1u, 7L * 8), survey.Identity);
        Assert.Equal(4096, survey.BlockSize);
        var (ranges, summary) = Verify(blocks, new ImageCheck(Run, 1, 4096, null, false));
        Assert.Equal([(0L, 0L, BlockVerdictKind.WrongRun), (1, 7, BlockVerdictKind.Intact)], ranges.Select(r => (r.First, r.Last, r.Kind)));
        Assert.Equal(1, summary.BadBlocks);
    }

    [Fact]
    public void ZeroBlocksAreHolesOnlyWhereNoDataIsOrWhereAllowed()
    {
        byte[][] allZero = [new byte[4096], new byte[4096]];
        var (zeros, zeroSummary) = Verify(allZero, new ImageCheck(null, 1, 4096, null, false));
        Assert.Equal(BlockVerdictKind.Hole, Assert.Single(zeros).Kind);
        Assert.True(zeroSummary.Passed);
        Assert.Contains("all 2 blocks are zero", Assert.Single(zeroSummary.Notes));

        byte[][] holeFirst = [new byte[4096], Block(1, 1)];
        Assert.Equal(BlockVerdictKind.Zeroed, Verify(holeFirst, new ImageCheck(Run, 1, 4096, null, false)).Ranges[0].Kind);
        Assert.True(Verify(holeFirst, new ImageCheck(Run, 1, 4096, null, true)).Summary.Passed);
    }

    [Fact]
    public void AFileOfThreeGibibytesStreamsThroughWithoutMemoryGrowingAndWithByteOffsetsPast2GiB()
    {
        // 786,432 blocks: data at the start, at 2.5 GiB and at the end; zeros between (a sparse file).
        const long blocks = (3L << 30) / 4096;
        long[] data = [0, (5L << 29) / 4096, blocks - 1];
        var zero = new byte[4096];
        var stamped = data.ToDictionary(b => b, b => Block(b, 7));
        var ranges = new List<VerdictRange>();
        var verifier = new ImageVerifier(new ImageCheck(Run, 1, 4096, null, false), ranges.Add);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (long b = 0; b < blocks; b++)
            verifier.Block(stamped.TryGetValue(b, out var block) ? block : zero);
        var summary = verifier.Finish();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 1 << 20, $"{allocated >> 20} MiB allocated for {blocks} blocks");
        Assert.Equal(blocks, summary.Blocks);
        Assert.Equal(3L << 30, summary.Bytes);
        var middle = ranges.Single(r => r.First == data[1]);
        Assert.Equal((BlockVerdictKind.Intact, 5L << 29, (5L << 29) + 4095), (middle.Kind, middle.Offset, middle.End));
        Assert.Equal([BlockVerdictKind.Intact, BlockVerdictKind.Zeroed, BlockVerdictKind.Intact, BlockVerdictKind.Zeroed, BlockVerdictKind.Intact], ranges.Select(r => r.Kind));
        Assert.Equal(blocks - 3, summary.BadBlocks);
    }
}
