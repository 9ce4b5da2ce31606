using System.Security.Cryptography;
using Bridge.Core.Blocks;

namespace Bridge.Core.Tests;

/// <summary>
/// The on-disk sector format, pinned byte for byte. The expected bytes were computed outside this code base from
/// the layout <see cref="SectorHeader"/> documents — a bitwise CRC-32C (RFC 3720: reflected polynomial 0x82F63B78,
/// initial and final inversion, over the sector with the crc field zero) and splitmix64 seeded as
/// <see cref="Payload"/> says — so a change to any field, its width or byte order, the payload stream or the crc
/// makes every image written before it unreadable, and fails here first.
/// </summary>
public class SectorGoldenBytesTests
{
    // run 0x0123456789abcdef, file 1, block 2 of 4 KiB, generation 5, iteration 3, written by the CPU in step 7.
    private static readonly BlockStamp Stamp = new(0x0123_4567_89AB_CDEF, 1, 2, 5, 3, Writer.Cpu, 7);

    public static TheoryData<int, string, string, string> Sectors => new()
    {
        {
            0,
            "42524447" + "0100" + "0800" + "efcdab8967452301" + "01000000" + "02000000" + "0020000000000000"
                + "05000000" + "03000000" + "07000000" + "eb174f60",
            "ecafd2673e597f7b005a239ac598fa44",
            "ac467614c5595f86abdcc65ede1d152cd0e69e858d805709b88ff583074d6bd6"
        },
        {
            1,
            "42524447" + "0100" + "0800" + "efcdab8967452301" + "01000000" + "02000000" + "0022000000000000"
                + "05000000" + "03000000" + "07000000" + "e0171e68",
            "759ee133db2e4dbcc14dc72b97e7e95e",
            "0764171851144537b5aaff8e088002463585d0fb37db9ef3224ba3e08322df6b"
        },
    };

    /// <param name="header">magic "BRDG" | version 1 | 8 sectors per block | run id | file id | writer cpu (2) and
    /// three zero bytes | byte offset of the sector | generation | iteration | step | crc32c — all little-endian.</param>
    /// <param name="payloadStart">the first two splitmix64 words of the payload.</param>
    /// <param name="sha256">of the whole 512-byte sector.</param>
    [Theory]
    [MemberData(nameof(Sectors))]
    public void AStampedSectorIsExactlyTheDocumentedBytes(int sector, string header, string payloadStart, string sha256)
    {
        var block = new byte[4096];
        block.AsSpan().Fill(0xFF); // stamping writes every byte, the reserved ones included
        BlockCodec.Stamp(block, Stamp);
        var bytes = block.AsSpan(sector * BlockGeometry.SectorSize, BlockGeometry.SectorSize);

        Assert.Equal(header, Convert.ToHexStringLower(bytes[..SectorHeader.Size]));
        Assert.Equal(payloadStart, Convert.ToHexStringLower(bytes.Slice(SectorHeader.Size, 16)));
        Assert.Equal(sha256, Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    [Fact]
    public void TheGoldenSectorDecodesToItsStampAndItsOwnBytesOnly()
    {
        var block = new byte[4096];
        BlockCodec.Stamp(block, Stamp);
        var read = BlockCodec.DecodeSector(block.AsSpan(BlockGeometry.SectorSize, BlockGeometry.SectorSize));

        Assert.Equal(SectorKind.Valid, read.Kind);
        Assert.Equal(new SectorHeader(Stamp.RunId, 1, 8704, 5, 3, Writer.Cpu, 7, 8), read.Header);
        // A header whose version is not the one written is not a Bridge sector, whatever its crc says.
        block[BlockGeometry.SectorSize + 4] = 2;
        Assert.Equal(SectorKind.Foreign, BlockCodec.DecodeSector(block.AsSpan(BlockGeometry.SectorSize, BlockGeometry.SectorSize)).Kind);
    }
}
