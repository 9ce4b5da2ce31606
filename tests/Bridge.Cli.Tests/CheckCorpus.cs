using Bridge.Core.Blocks;

namespace Bridge.Cli.Tests;

/// <summary>One way to damage an image, and what `pinbridge check` must say about it.</summary>
/// <param name="Verdict">The verdict of the range that holds <paramref name="Block"/> ("problem": a file-level one).</param>
/// <param name="Reason">A fragment of that range's reason, as fio would word it.</param>
internal sealed record Corruption(string Name, Func<byte[], byte[]> Damage, string[] Args, string Verdict, string Reason, long Block = -1);

/// <summary>An intact image that `pinbridge check` must pass, with the arguments it is checked with.</summary>
internal sealed record Control(string Name, Func<byte[], byte[]> Shape, string[] Args);

/// <summary>
/// The corruption corpus: a data file as a scenario leaves it — 64 blocks of 4 KiB, blocks 0-31 the initial fill
/// (generation 0), 32-63 written by step 3 (generation 2), all of run 0123456789abcdef (above 2^53, so that JSON must
/// carry it as a string) — and every way the issue lists (and more) to damage one: bits flipped in payload, header
/// and crc, foreign bytes, zeroed blocks and sectors, truncation mid-block and at a block boundary, tails appended,
/// swapped, duplicated and shifted blocks, older and never-written generations, another run's and another file's
/// blocks, wrong block geometry, empty files.
/// </summary>
internal static class CheckCorpus
{
    public const ulong Run = 0x0123_4567_89ab_cdef;
    public const int BlockSize = 4096;
    public const int Blocks = 64;
    public const string Expect = "size=256K block=4K run=0123456789abcdef file=1 gen=0:0-31 gen=2:32-63";

    public static byte[] Image()
    {
        var image = new byte[Blocks * BlockSize];
        for (var b = 0; b < Blocks; b++)
            Stamp(image, b, b < 32 ? 0u : 2u, writer: b < 32 ? Writer.Initial : Writer.Cpu, step: b < 32 ? -1 : 3);
        return image;
    }

    public static byte[] Stamp(byte[] image, int block, uint gen, ulong run = Run, uint file = 1, Writer writer = Writer.Cpu, int step = 3, uint iteration = 0)
    {
        BlockCodec.Stamp(image.AsSpan(block * BlockSize, BlockSize), new BlockStamp(run, file, block, gen, iteration, writer, step));
        return image;
    }

    private static Span<byte> Block(byte[] image, int b) => image.AsSpan(b * BlockSize, BlockSize);
    private static Span<byte> Sector(byte[] image, int b, int s) => image.AsSpan(b * BlockSize + s * 512, 512);

    private static byte[] Flip(byte[] image, int offset, byte mask)
    {
        image[offset] ^= mask;
        return image;
    }

    private static byte[] Fill(Span<byte> span, byte value, byte[] image)
    {
        span.Fill(value);
        return image;
    }

    private static byte[] Random(Span<byte> span, byte[] image)
    {
        new Random(42).NextBytes(span);
        return image;
    }

    private static byte[] Append(byte[] image, byte[] tail) => [.. image, .. tail];

    private static byte[] Restamped(Span<byte> sector, byte[] image, Action<Span<byte>> edit)
    {
        edit(sector);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(sector[SectorHeader.CrcOffset..], SectorHeader.ComputeCrc(sector));
        return image;
    }

    private static string[] With(params string[] args) => args;

    public static IReadOnlyList<Corruption> Corruptions { get; } =
    [
        new("payload bit flipped", i => Flip(i, 5 * BlockSize + 1000, 0x01), [], "bad-crc", "crc32c mismatch in sector 1: stored 0x", 5),
        new("header offset bit flipped", i => Flip(i, 6 * BlockSize + 2 * 512 + 24, 0x01), [], "bad-crc", "crc32c mismatch in sector 2", 6),
        new("stored crc bit flipped", i => Flip(i, 7 * BlockSize + SectorHeader.CrcOffset, 0x80), [], "bad-crc", "crc32c mismatch in sector 0", 7),
        new("magic destroyed", i => Flip(i, 8 * BlockSize, 0xff), [], "foreign", "sector 0: bytes no Bridge writer produced", 8),
        new("foreign bytes over a sector", i => Fill(Sector(i, 12, 5), 0x5a, i), [], "foreign", "sector 5: bytes no Bridge writer produced (starting 5a 5a", 12),
        new("random block", i => Random(Block(i, 13), i), [], "foreign", "sector 0: bytes no Bridge writer produced", 13),
        new("block of 0xff", i => Fill(Block(i, 14), 0xff, i), [], "foreign", "bytes no Bridge writer produced (starting ff ff", 14),
        new("one block zeroed", i => Fill(Block(i, 40), 0, i), [], "zeroed", "zeros among data blocks", 40),
        new("63 of 64 blocks zeroed", i => Fill(i.AsSpan(BlockSize), 0, i), [], "zeroed", "zeros among data blocks", 63),
        new("one block zeroed, data expected", i => Fill(Block(i, 41), 0, i), With("--expect", Expect), "zeroed", "zeros where generation 2 is expected", 41),
        new("one sector zeroed", i => Fill(Sector(i, 10, 3), 0, i), [], "torn", "torn: sectors 0-2 gen 0, sector 3 zero, sectors 4-7 gen 0", 10),
        new("truncated mid-block at the end", i => i[..(Blocks * BlockSize - 100)], [], "partial", "partial block: 3996 of 4096 bytes", 63),
        new("truncated mid-file mid-block", i => i[..(25 * BlockSize + 300)], [], "partial", "partial block: 300 of 4096 bytes", 25),
        new("truncated to one byte", i => i[..1], [], "partial", "partial block: 1 of 4096 bytes", 0),
        new("truncated at a block boundary", i => i[..(32 * BlockSize)], With("--expect", Expect), "missing", "the file ends at byte 131072; 262144 bytes are expected", 40),
        new("short tail appended", i => Append(i, Enumerable.Repeat((byte)0xab, 100).ToArray()), [], "partial", "partial block: 100 of 4096 bytes", 64),
        new("short zero tail appended", i => Append(i, new byte[100]), [], "partial", "partial block: 100 of 4096 bytes", 64),
        new("foreign block appended", i => Append(i, Enumerable.Repeat((byte)0x33, BlockSize).ToArray()), [], "foreign", "bytes no Bridge writer produced", 64),
        new("zero block appended", i => Append(i, new byte[BlockSize]), [], "zeroed", "zeros among data blocks", 64),
        new("last block appended again", i => Append(i, i[^BlockSize..]), [], "misplaced", "bad header offset, wanted 262144 got 258048 (block 63's data)", 64),
        new("valid block appended past the expected size", i => Stamp(Append(i, new byte[BlockSize]), 64, 2), With("--expect", Expect), "extra", "past the expected size of 262144 bytes", 64),
        new("two blocks swapped", Swap(10, 11), [], "misplaced", "bad header offset, wanted 40960 got 45056 (block 11's data)", 10),
        new("two blocks swapped (the other)", Swap(10, 11), [], "misplaced", "bad header offset, wanted 45056 got 40960 (block 10's data)", 11),
        new("block duplicated over its neighbour", i => { Block(i, 41).CopyTo(Block(i, 42)); return i; }, [], "misplaced", "bad header offset, wanted 172032 got 167936", 42),
        new("sectors swapped inside a block", SwapSectors(15, 3, 4), [], "misplaced", $"sector 3: bad header offset, wanted {15 * BlockSize + 3 * 512} got {15 * BlockSize + 4 * 512}", 15),
        new("sector from the neighbouring block", i => { Sector(i, 17, 2).CopyTo(Sector(i, 16, 2)); return i; }, [], "misplaced", $"sector 2: bad header offset, wanted {16 * BlockSize + 1024} got {17 * BlockSize + 1024}", 16),
        new("sector inserted at the start", i => Append(new byte[512], i), [], "misplaced", "bad header offset, wanted 512 got 0", 30),
        new("older generation", i => Stamp(i, 50, 1), With("--expect", Expect), "stale", "generation 1 is older than the expected 2", 50),
        new("lost write: the initial fill", i => Stamp(i, 33, 0, writer: Writer.Initial, step: -1), With("--expect", Expect), "stale", "generation 0 is older than the expected 2", 33),
        new("generation never written", i => Stamp(i, 51, 9), With("--expect", Expect), "unexpected", "generation 9 was never written here: expected 2", 51),
        new("race iteration never written", i => Stamp(i, 52, 2, iteration: 5), With("--expect", Expect), "unexpected", "generation 2.5 was never written here", 52),
        new("data where a hole is expected", i => i, With("--expect", Expect.Replace("gen=2:32-63", "gen=2:32-59 gen=hole:60-63")), "unexpected", "generation 2 where a hole is expected", 60),
        new("block 0 from another run", i => Stamp(i, 0, 0, run: 0x42, writer: Writer.Initial, step: -1), [], "wrong-run", "run 0x0000000000000042 is not this file's run 0x0123456789abcdef", 0),
        new("block from another run, run given", i => Stamp(i, 20, 0, run: 0x42), With("--run-id", "0123456789abcdef"), "wrong-run", "is not this file's run 0x0123456789abcdef", 20),
        new("another run than expected", i => i, With("--expect", Expect.Replace("run=0123456789abcdef", "run=42")), "wrong-run", "run 0x0123456789abcdef is not this file's run 0x0000000000000042", 37),
        new("another run, whole file, run given", i => i, With("--run-id", "abc"), "wrong-run", "is not this file's run 0x0000000000000abc", 1),
        new("block of another file", i => Stamp(i, 21, 0, file: 2), [], "wrong-file", "file 2 is not this file's 1", 21),
        new("wrong sectors per block in a header", i => Restamped(Sector(i, 30, 0), i, s => s[6] = 16), [], "wrong-geometry", "bad header sectors per block, wanted 8 got 16", 30),
        new("checked with the wrong block size", i => i, With("--block-size", "8K"), "wrong-geometry", "bad header sectors per block, wanted 16 got 8", 3),
        new("block size larger than the file", i => i, With("--block-size", "1M"), "partial", "partial block: 262144 of 1048576 bytes (the file ends mid-block); its headers are for blocks of 4096 bytes", 0),
        new("empty file", _ => [], [], "problem", "the file is empty"),
        new("empty file, run given", _ => [], With("--run-id", "0123456789abcdef"), "problem", "the file is empty"),
        new("torn block", i => TornFrom(i, Stamp(Image(), 45, 3), 45), [], "torn", "torn: sectors 0-3 gen 2, sectors 4-7 gen 3", 45),
        new("torn block outside the allowed mix", i => TornFrom(i, Stamp(Image(), 46, 3), 46), With("--expect", Expect.Replace("gen=2:32-63", "gen=2:32-45,47-63 mix=2|4:46")), "torn", "sectors 4-7 gen 3", 46),
        new("whole file random", i => Random(i, i), [], "foreign", "bytes no Bridge writer produced", 9),
    ];

    public static IReadOnlyList<Control> Controls { get; } =
    [
        new("intact", i => i, []),
        new("intact against the expectation", i => i, With("--expect", Expect)),
        new("intact, every default given", i => i, With("--block-size", "4096", "--run-id", "0x0123456789ABCDEF")),
        new("torn block in an allowed mix", i => TornFrom(i, Stamp(Image(), 45, 3), 45), With("--expect", Expect.Replace("gen=2:32-63", "gen=2:32-44,46-63 mix=2|3:45"))),
        new("holes allowed", i => Fill(i.AsSpan(40 * BlockSize, 4 * BlockSize), 0, i), With("--allow-holes")),
        new("holes expected", i => Fill(i.AsSpan(60 * BlockSize), 0, i), With("--expect", Expect.Replace("gen=2:32-63", "gen=2:32-59 gen=hole:60-63"))),
        new("all zero: a fresh sparse file", i => new byte[i.Length], []),
        new("all zero with a run given", i => new byte[i.Length], With("--run-id", "0123456789abcdef")),
        new("an iteration of a race, expected", i => Stamp(i, 52, 2, iteration: 5), With("--expect", Expect.Replace("gen=2:32-63", "gen=2:32-51,53-63 gen=2.5|g2:52"))),
    ];

    private static Func<byte[], byte[]> Swap(int a, int b) => i =>
    {
        var copy = Block(i, a).ToArray();
        Block(i, b).CopyTo(Block(i, a));
        copy.CopyTo(Block(i, b));
        return i;
    };

    private static Func<byte[], byte[]> SwapSectors(int block, int a, int b) => i =>
    {
        var copy = Sector(i, block, a).ToArray();
        Sector(i, block, b).CopyTo(Sector(i, block, a));
        copy.CopyTo(Sector(i, block, b));
        return i;
    };

    /// <summary>Sectors 4-7 of <paramref name="block"/> from <paramref name="newer"/>: a write torn at half a block.</summary>
    private static byte[] TornFrom(byte[] image, byte[] newer, int block)
    {
        newer.AsSpan(block * BlockSize + 2048, 2048).CopyTo(image.AsSpan(block * BlockSize + 2048));
        return image;
    }
}
