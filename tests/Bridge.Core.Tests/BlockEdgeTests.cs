using Bridge.Core.Blocks;

namespace Bridge.Core.Tests;

/// <summary>The block format's edges (what `pinbridge check` prints is ImageVerifierTests'): how a read prints, the geometry's
/// arithmetic, and what the decode memo may answer without decoding.</summary>
public class BlockEdgeTests
{
    private const ulong Run = 0x1234_5678_9abc_def0;

    [Fact]
    public void A_read_prints_its_content_eof_its_error_or_each_sector()
    {
        Assert.Equal("g3.2", BlockCodec.Decode(BlockFormatTests.Stamp(0, 3, 2), 0, Run, 1).ToString());
        Assert.Equal("hole", BlockCodec.Decode(new byte[4096], 0, Run, 1).ToString());
        Assert.Equal("eof", BlockRead.Eof(3).ToString());
        Assert.Equal("EIO", BlockRead.Failed(3, "EIO").ToString());
        Assert.Equal("io-error", new BlockRead(3, ReadState.IoError, default).ToString());
        Assert.Equal("mixed", new BlockRead(3, ReadState.Mixed, default).ToString());
        var torn = BlockFormatTests.Stamp(0, 3, 0, Writer.ODirect, step: 4);
        torn[1000] ^= 1;
        Assert.Equal("sectors 0 g3, 1 g3 (bad crc), 2-7 g3",
            BlockCodec.Decode(torn, 0, Run, 1).ToString());
    }

    [Fact]
    public void A_block_of_zeros_is_a_hole_written_by_no_step()
    {
        var read = BlockCodec.Decode(new byte[4096], 2, Run, 1);
        Assert.Equal((ReadState.Uniform, Content.Hole, -1), (read.State, read.Content, read.Step));
    }

    [Fact]
    public void The_geometry_counts_sectors_blocks_and_offsets_and_refuses_more_blocks_than_it_can_count()
    {
        var geometry = new BlockGeometry(16384, 1L << 20);
        Assert.Equal((32, 64, 3L * 16384), (geometry.SectorsPerBlock, geometry.BlockCount, geometry.OffsetOf(3)));
        Assert.Throws<OverflowException>(() => new BlockGeometry(4096, 4096L << 32).BlockCount);
    }

    [Fact]
    public void The_memo_answers_only_for_the_exact_bytes_it_remembered_of_that_block()
    {
        var memo = new DecodeMemo(4, 4096, Run, 1);
        var stamp = new BlockStamp(Run, 1, 1, 5, 0, Writer.Initial, -1);
        var bytes = new byte[4096];
        BlockCodec.Stamp(bytes, stamp);
        memo.Remember(bytes, stamp);
        Assert.Equal(Content.Hole, memo.Decode(new byte[4096], 1).Content);
        Assert.Equal(Content.Data(5), memo.Decode(bytes, 1).Content);
        Assert.Equal(Content.Data(5, 0, moved: 1), memo.Decode(bytes, 0).Content); // block 1's bytes read at block 0: moved
    }

    [Fact]
    public void The_memo_says_which_block_and_size_it_holds_when_asked_for_another()
    {
        var memo = new DecodeMemo(4, 4096, Run, 1);
        var outside = Assert.Throws<ArgumentOutOfRangeException>(() => memo.Decode(new byte[4096], 4));
        Assert.Contains("block 4 of 4096 bytes: this memo holds 4 blocks of 4096", outside.Message);
        var stamp = new BlockStamp(Run + 1, 1, 0, 1, 0, Writer.Cpu, 0);
        var other = Assert.Throws<ArgumentException>(() => memo.Remember(new byte[4096], stamp));
        Assert.StartsWith($"a stamp of run {Run + 1:x}, file 1 in the memo of run {Run:x}, file 1", other.Message);
    }
}
