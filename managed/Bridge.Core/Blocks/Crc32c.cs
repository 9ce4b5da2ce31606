using System.Numerics;
using System.Runtime.InteropServices;

namespace Bridge.Core.Blocks;

/// <summary>CRC-32C (Castagnoli), as ext4/btrfs/iSCSI use it. BitOperations.Crc32C is the SSE4.2 / ARMv8 CRC
/// instruction where the CPU has it, so the checker runs at memory speed.</summary>
public static class Crc32c
{
    public static uint Compute(ReadOnlySpan<byte> data) => ~Update(~0u, data);

    /// <summary>Raw update (no pre/post inversion). Words are taken in machine order: Bridge targets
    /// little-endian Linux (x86_64, arm64), where that is the byte order CRC-32C is defined on.</summary>
    public static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        var words = MemoryMarshal.Cast<byte, ulong>(data);
        foreach (var w in words)
            crc = BitOperations.Crc32C(crc, w);
        foreach (var b in data[(words.Length * sizeof(ulong))..])
            crc = BitOperations.Crc32C(crc, b);
        return crc;
    }
}
