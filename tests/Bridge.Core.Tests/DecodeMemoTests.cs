using Bridge.Core.Blocks;

namespace Bridge.Core.Tests;

/// <summary>The memo must be indistinguishable from decoding afresh, whatever changed between two reads.</summary>
public class DecodeMemoTests
{
    private const ulong Run = 0xfeed_f00d_1234_5678;
    private const int BlockSize = 4096;
    private const int Blocks = 8;

    [Fact]
    public void RandomEditsBetweenReadsDecodeExactlyAsAFreshDecodeDoes()
    {
        var memo = new DecodeMemo(Blocks, BlockSize, Run, 1);
        var random = new Random(20261124);
        var image = new byte[Blocks * BlockSize];
        for (var b = 0; b < Blocks; b++)
            BlockCodec.Stamp(image.AsSpan(b * BlockSize, BlockSize), new BlockStamp(Run, 1, b, 0, 0, Writer.Initial, -1));
        var states = new HashSet<ReadState>();
        for (var round = 0; round < 2000; round++)
        {
            var b = random.Next(Blocks);
            var block = image.AsSpan(b * BlockSize, BlockSize);
            Edit(block, b, random);
            var fresh = BlockCodec.Decode(block, b, Run, 1);
            var memoised = memo.Decode(block, b);
            Assert.Equal(fresh.ToString(), memoised.ToString());
            Assert.Equal((fresh.State, fresh.Content, fresh.Writer, fresh.Step), (memoised.State, memoised.Content, memoised.Writer, memoised.Step));
            states.Add(fresh.State);
        }
        Assert.Superset(new HashSet<ReadState> { ReadState.Uniform, ReadState.Mixed }, states);
    }

    [Fact]
    public void TheSameBytesReturnTheRememberedReadAndOneChangedByteDoesNot()
    {
        var memo = new DecodeMemo(Blocks, BlockSize, Run, 1);
        var block = new byte[BlockSize];
        BlockCodec.Stamp(block, new BlockStamp(Run, 1, 3, 2, 0, Writer.Cpu, 4));
        var first = memo.Decode(block, 3);
        Assert.Same(first, memo.Decode((byte[])block.Clone(), 3));
        block[BlockSize - 1] ^= 1; // the last payload byte of the last sector: only its crc notices
        var second = memo.Decode(block, 3);
        Assert.Equal(ReadState.Mixed, second.State);
        block[BlockSize - 1] ^= 1;
        Assert.Equal(first.Content, memo.Decode(block, 3).Content);
        Assert.Equal(Content.Data(2, 0, moved: 1), memo.Decode(block, 2).Content); // block 3's bytes read at index 2: moved by 1
    }

    [Theory]
    [InlineData(0u, 0u, Writer.Initial, -1)]
    [InlineData(3u, 0u, Writer.Cpu, 2)]
    [InlineData(7u, 41u, Writer.ODirect, 12)]
    [InlineData(uint.MaxValue, 5u, Writer.Rdma, 0)]
    public void AStampedBlockDecodesToWhatRememberRecords(uint gen, uint iteration, Writer writer, int step)
    {
        var stamp = new BlockStamp(Run, 1, 5, gen, iteration, writer, step);
        var block = new byte[BlockSize];
        BlockCodec.Stamp(block, stamp);
        var fresh = BlockCodec.Decode(block, 5, Run, 1);
        var stamped = BlockCodec.Stamped(stamp);
        Assert.Equal((fresh.State, fresh.Content, fresh.Writer, fresh.Step, fresh.Block), (stamped.State, stamped.Content, stamped.Writer, stamped.Step, stamped.Block));
        var memo = new DecodeMemo(Blocks, BlockSize, Run, 1);
        memo.Remember(block, stamp);
        Assert.Same(memo.Decode(block, 5), memo.Decode((byte[])block.Clone(), 5));
        Assert.Throws<ArgumentException>(() => memo.Remember(block, stamp with { RunId = Run + 1 }));
    }

    [Fact]
    public void ABlockOutsideTheFileOrOfAnotherSizeIsRefused()
    {
        var memo = new DecodeMemo(Blocks, BlockSize, Run, 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => memo.Decode(new byte[BlockSize], Blocks));
        Assert.Throws<ArgumentOutOfRangeException>(() => memo.Decode(new byte[512], 0));
    }

    /// <summary>One of the changes a kernel could make to a block between two reads.</summary>
    private static void Edit(Span<byte> block, int index, Random random)
    {
        switch (random.Next(5))
        {
            case 0: // a new generation, as a store or an O_DIRECT read writes it
                BlockCodec.Stamp(block, new BlockStamp(Run, 1, index, (uint)random.Next(1, 4), 0, Writer.Cpu, random.Next(10)));
                break;
            case 1: // one sector of another generation: torn
                var s = random.Next(BlockSize / BlockGeometry.SectorSize);
                BlockCodec.StampSector(block.Slice(s * BlockGeometry.SectorSize, BlockGeometry.SectorSize),
                    new BlockStamp(Run, 1, index, 9, 0, Writer.ODirect, 1), (ulong)(index * BlockSize + s * BlockGeometry.SectorSize), BlockSize / BlockGeometry.SectorSize);
                break;
            case 2: // one flipped bit anywhere
                block[random.Next(BlockSize)] ^= (byte)(1 << random.Next(8));
                break;
            case 3: // a hole
                block.Clear();
                break;
            default: // nothing changed: the memo's case
                break;
        }
    }
}
