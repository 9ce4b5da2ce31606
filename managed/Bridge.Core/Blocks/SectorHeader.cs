using System.Buffers.Binary;

namespace Bridge.Core.Blocks;

/// <summary>
/// The header at the start of every 512-byte sector (fio's verify header, richer). Little-endian layout:
/// <code>
///  0 u32 magic "BRDG"     4 u16 version      6 u16 sectors per block
///  8 u64 run id          16 u32 file id     20 u8 writer, 3 bytes zero
/// 24 u64 byte offset of this sector in its file
/// 32 u32 generation      36 u32 iteration   40 u32 step index    44 u32 crc32c of the sector, this field zero
/// 48 payload: a pure function of (run, file, offset, generation, iteration)
/// </code>
/// The writer and step are deliberately outside the payload's seed: a copy of a block made by another path (an
/// O_DIRECT write out of the mapping) still verifies, and still names who wrote the original.
/// </summary>
public readonly record struct SectorHeader(
    [property: System.Text.Json.Serialization.JsonConverter(typeof(Observations.HexIdConverter))] ulong RunId, uint FileId, ulong Offset, uint Gen, uint Iteration, Writer Writer, uint Step, ushort SectorsPerBlock)
{
    public const int Size = 48;
    public const uint Magic = 0x47445242; // "BRDG"
    public const ushort Version = 1;
    public const int CrcOffset = 44;

    public void WriteTo(Span<byte> sector)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(sector, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(sector[4..], Version);
        BinaryPrimitives.WriteUInt16LittleEndian(sector[6..], SectorsPerBlock);
        BinaryPrimitives.WriteUInt64LittleEndian(sector[8..], RunId);
        BinaryPrimitives.WriteUInt32LittleEndian(sector[16..], FileId);
        sector[20] = (byte)Writer;
        sector[21] = sector[22] = sector[23] = 0;
        BinaryPrimitives.WriteUInt64LittleEndian(sector[24..], Offset);
        BinaryPrimitives.WriteUInt32LittleEndian(sector[32..], Gen);
        BinaryPrimitives.WriteUInt32LittleEndian(sector[36..], Iteration);
        BinaryPrimitives.WriteUInt32LittleEndian(sector[40..], Step);
        BinaryPrimitives.WriteUInt32LittleEndian(sector[CrcOffset..], 0);
    }

    public static bool HasMagic(ReadOnlySpan<byte> sector) =>
        BinaryPrimitives.ReadUInt32LittleEndian(sector) == Magic &&
        BinaryPrimitives.ReadUInt16LittleEndian(sector[4..]) == Version;

    public static SectorHeader ReadFrom(ReadOnlySpan<byte> sector) => new(
        RunId: BinaryPrimitives.ReadUInt64LittleEndian(sector[8..]),
        FileId: BinaryPrimitives.ReadUInt32LittleEndian(sector[16..]),
        Offset: BinaryPrimitives.ReadUInt64LittleEndian(sector[24..]),
        Gen: BinaryPrimitives.ReadUInt32LittleEndian(sector[32..]),
        Iteration: BinaryPrimitives.ReadUInt32LittleEndian(sector[36..]),
        Writer: (Writer)sector[20],
        Step: BinaryPrimitives.ReadUInt32LittleEndian(sector[40..]),
        SectorsPerBlock: BinaryPrimitives.ReadUInt16LittleEndian(sector[6..]));

    public static uint StoredCrc(ReadOnlySpan<byte> sector) => BinaryPrimitives.ReadUInt32LittleEndian(sector[CrcOffset..]);

    /// <summary>crc32c over the whole sector with the crc field taken as zero.</summary>
    public static uint ComputeCrc(ReadOnlySpan<byte> sector)
    {
        Span<byte> zero = stackalloc byte[4];
        zero.Clear();
        var crc = Crc32c.Update(~0u, sector[..CrcOffset]);
        crc = Crc32c.Update(crc, zero);
        return ~Crc32c.Update(crc, sector[(CrcOffset + 4)..]);
    }
}
