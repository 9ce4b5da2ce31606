using System.Buffers.Binary;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Bridge.Core.Blocks;

/// <summary>
/// CRC-32C (Castagnoli), as ext4/btrfs/iSCSI use it, two ways with identical results: BitOperations.Crc32C (the
/// SSE4.2 / ARMv8 CRC instruction, memory speed on real hardware) and slicing-by-8 tables. The instruction is not
/// always the fast one: qemu's TCG emulates x86 crc32 one bit at a time (helper_crc32 in target/i386/ops_sse.h),
/// so in a TCG guest the tables win. The first use times both on the same bytes and keeps the faster.
/// </summary>
public static class Crc32c
{
    private const uint Polynomial = 0x82F63B78; // reflected 0x1EDC6F41
    private static readonly uint[] Tables = BuildTables();

    private static readonly bool UseInstruction = InstructionIsFaster();

    /// <summary>Which way this process computes: "instruction" or "tables".</summary>
    public static string Method => UseInstruction ? "instruction" : "tables";

    public static uint Compute(ReadOnlySpan<byte> data) => ~Update(~0u, data);

    /// <summary>Raw update (no pre/post inversion). Words are taken in machine order: Bridge targets
    /// little-endian Linux (x86_64, arm64), where that is the byte order CRC-32C is defined on.</summary>
    public static uint Update(uint crc, ReadOnlySpan<byte> data) =>
        UseInstruction ? UpdateWithInstruction(crc, data) : UpdateWithTables(crc, data);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static uint UpdateWithInstruction(uint crc, ReadOnlySpan<byte> data)
    {
        var words = MemoryMarshal.Cast<byte, ulong>(data);
        foreach (var w in words)
            crc = BitOperations.Crc32C(crc, w);
        foreach (var b in data[(words.Length * sizeof(ulong))..])
            crc = BitOperations.Crc32C(crc, b);
        return crc;
    }

    /// <summary>Slicing-by-8 (Intel's, as in the kernel's lib/crc32.c): eight table lookups per eight bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static uint UpdateWithTables(uint crc, ReadOnlySpan<byte> data)
    {
        var t = Tables.AsSpan();
        while (data.Length >= 8)
        {
            var lo = BinaryPrimitives.ReadUInt32LittleEndian(data) ^ crc;
            var hi = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
            crc = t[(7 * 256) + (int)(lo & 0xFF)] ^ t[(6 * 256) + (int)((lo >> 8) & 0xFF)] ^
                  t[(5 * 256) + (int)((lo >> 16) & 0xFF)] ^ t[(4 * 256) + (int)(lo >> 24)] ^
                  t[(3 * 256) + (int)(hi & 0xFF)] ^ t[(2 * 256) + (int)((hi >> 8) & 0xFF)] ^
                  t[256 + (int)((hi >> 16) & 0xFF)] ^ t[(int)(hi >> 24)];
            data = data[8..];
        }
        foreach (var b in data)
            crc = t[(int)((crc ^ b) & 0xFF)] ^ (crc >> 8);
        return crc;
    }

    private static uint[] BuildTables()
    {
        var t = new uint[8 * 256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++)
                c = (c & 1) != 0 ? (c >> 1) ^ Polynomial : c >> 1;
            t[i] = c;
        }
        for (var i = 256; i < t.Length; i++)
            t[i] = (t[i - 256] >> 8) ^ t[t[i - 256] & 0xFF];
        return t;
    }

    /// <summary>Best of three timings of each way over the same 64 KiB (a few ms at TCG speed).</summary>
    private static bool InstructionIsFaster()
    {
        var sample = new byte[64 << 10];
        new Random(3720).NextBytes(sample);
        long instruction = long.MaxValue, tables = long.MaxValue;
        for (var round = 0; round < 3; round++)
        {
            instruction = Math.Min(instruction, Time(UpdateWithInstruction, sample));
            tables = Math.Min(tables, Time(UpdateWithTables, sample));
        }
        return instruction <= tables;
    }

    private static long Time(Func<uint, ReadOnlySpan<byte>, uint> update, byte[] sample)
    {
        var start = Stopwatch.GetTimestamp();
        update(~0u, sample);
        return Stopwatch.GetTimestamp() - start;
    }
}
