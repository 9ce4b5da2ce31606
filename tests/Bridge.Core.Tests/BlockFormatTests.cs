using Bridge.Core.Blocks;

namespace Bridge.Core.Tests;

public class BlockFormatTests
{
    private const ulong Run = 0x1234_5678_9abc_def0;

    [Theory]
    [InlineData("123456789", 0xE3069283u)] // the CRC-32C check value (RFC 3720 B.4 / Castagnoli)
    [InlineData("", 0x00000000u)]
    public void Crc32cMatchesTheStandardCheckValues(string text, uint expected)
    {
        var bytes = System.Text.Encoding.ASCII.GetBytes(text);
        Assert.Equal(expected, Crc32c.Compute(bytes));
        Assert.Equal(expected, ~Crc32c.UpdateWithTables(~0u, bytes));
        Assert.Equal(expected, ~Crc32c.UpdateWithInstruction(~0u, bytes));
    }

    [Fact]
    public void Crc32cOf32ZeroBytesMatchesRfc3720()
    {
        Assert.Equal(0x8A9136AAu, Crc32c.Compute(new byte[32]));
        Assert.Equal(0x8A9136AAu, ~Crc32c.UpdateWithTables(~0u, new byte[32]));
    }

    [Fact]
    public void TheTablesAndTheInstructionAgreeOnEveryLengthAndAlignment()
    {
        var bytes = new byte[1100];
        new Random(44).NextBytes(bytes);
        for (var start = 0; start < 9; start++)
            for (var length = 0; length + start <= bytes.Length; length += 37)
            {
                var span = bytes.AsSpan(start, length);
                Assert.Equal(Crc32c.UpdateWithInstruction(0x1234_5678, span), Crc32c.UpdateWithTables(0x1234_5678, span));
            }
        Assert.Contains(Crc32c.Method, new[] { "instruction", "tables" });
    }

    [Fact]
    public void AStampedBlockDecodesAsUniformWithItsGenerationWriterAndStep()
    {
        var block = Stamp(7, 3, 2, Writer.ODirect, step: 5);
        var read = BlockCodec.Decode(block, 7, Run, 1);
        Assert.Equal(ReadState.Uniform, read.State);
        Assert.Equal(Content.Data(3, 2), read.Content);
        Assert.Equal(Writer.ODirect, read.Writer);
        Assert.Equal(5, read.Step);
    }

    [Fact]
    public void PayloadDiffersForEveryGenerationIterationAndOffset()
    {
        var a = Stamp(1, 1, 0);
        Assert.NotEqual(a[64..512], Stamp(1, 2, 0)[64..512]);
        Assert.NotEqual(a[64..512], Stamp(1, 1, 1)[64..512]);
        Assert.NotEqual(a[64..512], Stamp(2, 1, 0)[64..512]);
        Assert.NotEqual(a[64..512], a[576..1024]);
    }

    [Fact]
    public void AFlippedByteFailsTheCrcOfItsSectorOnly()
    {
        var block = Stamp(0, 1, 0);
        block[3 * 512 + 100] ^= 0x40;
        var read = BlockCodec.Decode(block, 0, Run, 1);
        Assert.Equal(ReadState.Mixed, read.State);
        Assert.Equal([SectorKind.Valid, SectorKind.Valid, SectorKind.Valid, SectorKind.BadCrc, SectorKind.Valid, SectorKind.Valid, SectorKind.Valid, SectorKind.Valid],
            read.Sectors!.Select(s => s.Kind));
    }

    [Fact]
    public void ZerosAreAHoleAndOtherBytesAreForeign()
    {
        Assert.Equal(Content.Hole, BlockCodec.Decode(new byte[4096], 0, Run, 1).Content);
        var junk = Enumerable.Repeat((byte)0x5a, 4096).ToArray();
        var read = BlockCodec.Decode(junk, 0, Run, 1);
        Assert.Equal(ReadState.Mixed, read.State);
        Assert.All(read.Sectors!, s => Assert.Equal(SectorKind.Foreign, s.Kind));
    }

    [Fact]
    public void ABlockReadAtAnotherOffsetIsItsContentMovedThereAndSectorsOutOfPlaceAreNotUniform()
    {
        // A collapse or insert moves whole blocks: read one block on, block 4's data is generation 1 moved by -1.
        var read = BlockCodec.Decode(Stamp(4, 1, 0), 5, Run, 1);
        Assert.Equal((ReadState.Uniform, Content.Data(1, 0, moved: -1)), (read.State, read.Content));
        Assert.Equal(Content.Data(1, 0, moved: 2), BlockCodec.Decode(Stamp(7, 1, 0), 5, Run, 1).Content);
        // Sectors that are no block's in order (two swapped) are not one block's data wherever it was written.
        var swapped = Stamp(4, 1, 0);
        var first = swapped[..512];
        swapped.AsSpan(512, 512).CopyTo(swapped);
        first.CopyTo(swapped.AsSpan(512));
        var torn = BlockCodec.Decode(swapped, 4, Run, 1);
        Assert.Equal(ReadState.Mixed, torn.State);
        Assert.All(torn.Sectors!, s => Assert.Equal(SectorKind.Valid, s.Kind));
        Assert.Equal((4ul * 4096 + 512, (Content?)null), (torn.Sectors![0].Header.Offset, torn.Sectors[0].ContentAt(4, 4096, 0)));
    }

    internal static byte[] Stamp(int block, uint gen, uint iteration, Writer writer = Writer.Cpu, int step = 1, int size = 4096)
    {
        var bytes = new byte[size];
        BlockCodec.Stamp(bytes, new BlockStamp(Run, 1, block, gen, iteration, writer, step));
        return bytes;
    }
}
