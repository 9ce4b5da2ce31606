using System.Runtime.InteropServices;

namespace Bridge.Core.Blocks;

/// <summary>The bytes after a sector's header: splitmix64 seeded by (run, file, offset, generation, iteration).
/// Cheap to produce, and different for every sector of every generation, so a torn or misplaced sector cannot
/// pass as another.</summary>
public static class Payload
{
    public static void Fill(Span<byte> payload, ulong runId, uint fileId, ulong offset, uint gen, uint iteration)
    {
        var state = runId ^ ((ulong)fileId << 48) ^ (offset * 0x9E3779B97F4A7C15UL) ^ ((ulong)gen << 20) ^ ((ulong)iteration << 40);
        var words = MemoryMarshal.Cast<byte, ulong>(payload);
        for (var i = 0; i < words.Length; i++)
            words[i] = Next(ref state);
        var tail = payload[(words.Length * sizeof(ulong))..];
        for (var i = 0; i < tail.Length; i++)
            tail[i] = (byte)Next(ref state);
    }

    private static ulong Next(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
