namespace Bridge.Core.Blocks;

/// <summary>What <c>pinbridge check</c> found in a block (fio's verify states, plus what an expectation adds).</summary>
public enum BlockVerdictKind
{
    /// <summary>Every sector valid, in place, of this run and file, one content (or an allowed mix).</summary>
    Intact,
    /// <summary>All zeros where zeros may be: an all-zero file, an expected hole, or <c>--allow-holes</c>.</summary>
    Hole,
    /// <summary>All zeros among data blocks, or where data is expected.</summary>
    Zeroed,
    /// <summary>A sector whose crc32c does not match: changed after it was stamped.</summary>
    BadCrc,
    /// <summary>Bytes no Bridge writer produced.</summary>
    Foreign,
    /// <summary>Valid sectors of another run.</summary>
    WrongRun,
    /// <summary>Valid sectors of another of the run's files.</summary>
    WrongFile,
    /// <summary>Headers for another block size than the one checked.</summary>
    WrongGeometry,
    /// <summary>Valid sectors stamped for another offset: a misdirected, swapped or duplicated write.</summary>
    Misplaced,
    /// <summary>Sectors of several contents (or data and zeros) in one block.</summary>
    Torn,
    /// <summary>An older generation than the expectation allows.</summary>
    Stale,
    /// <summary>A content the expectation does not allow and that is not older: a generation never written here.</summary>
    Unexpected,
    /// <summary>The file ends inside this block.</summary>
    Partial,
    /// <summary>The file ends before this block, which the expected size includes.</summary>
    Missing,
    /// <summary>The block lies past the expected size.</summary>
    Extra,
}

public static class BlockVerdictKinds
{
    /// <summary>The name in reports and JSON: kebab-case.</summary>
    public static string Name(this BlockVerdictKind kind) => kind switch
    {
        BlockVerdictKind.BadCrc => "bad-crc",
        BlockVerdictKind.WrongRun => "wrong-run",
        BlockVerdictKind.WrongFile => "wrong-file",
        BlockVerdictKind.WrongGeometry => "wrong-geometry",
        _ => kind.ToString().ToLowerInvariant(),
    };

    public static bool IsFinding(this BlockVerdictKind kind) => kind is not (BlockVerdictKind.Intact or BlockVerdictKind.Hole);
}

/// <summary>One block's verdict. <see cref="Text"/>: what it holds when good, why it is bad otherwise (as fio says
/// it). <see cref="Shape"/>: what consecutive blocks must share to be reported as one range (a swapped pair's offsets
/// differ per block, their shape — "4096 bytes off" — does not).</summary>
public readonly record struct BlockVerdict(long Block, BlockVerdictKind Kind, string Text, string Shape);

/// <summary>Consecutive blocks with one verdict; bytes <see cref="Offset"/> to <see cref="End"/> inclusive.</summary>
/// <param name="Text">The first block's text.</param>
/// <param name="Alike">Whether every block's text is the same as the first's.</param>
public sealed record VerdictRange(long First, long Last, long Offset, long End, BlockVerdictKind Kind, string Text, bool Alike)
{
    public long Count => Last - First + 1;
}
