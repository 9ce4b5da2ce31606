namespace Bridge.Core.Blocks;

/// <summary>How a block read back as a whole.</summary>
public enum ReadState : byte
{
    /// <summary>Every sector holds the same content, stamped for this run, file and offset (or all are zero).</summary>
    Uniform,
    /// <summary>Anything else: sectors of several generations, bad crc, foreign bytes, another file's or offset's data.</summary>
    Mixed,
    /// <summary>The read ended before this block: the file is shorter.</summary>
    BeyondEof,
    /// <summary>The read failed with an errno (EIO from a checksumming filesystem, say).</summary>
    IoError,
}

/// <summary>One block as a read path saw it. <see cref="Sectors"/> is kept only for <see cref="ReadState.Mixed"/>.</summary>
public sealed record BlockRead(
    int Block,
    ReadState State,
    Content Content,
    Writer Writer = 0,
    int Step = -1,
    IReadOnlyList<SectorRead>? Sectors = null,
    string? Error = null)
{
    public static BlockRead Eof(int block) => new(block, ReadState.BeyondEof, Content.BeyondEof);
    public static BlockRead Failed(int block, string errno) => new(block, ReadState.IoError, default, Error: errno);

    public override string ToString() => State switch
    {
        ReadState.Uniform => Content.ToString(),
        ReadState.BeyondEof => "eof",
        ReadState.IoError => Error ?? "io-error",
        _ => "[" + string.Join(' ', Sectors ?? []) + "]",
    };
}
