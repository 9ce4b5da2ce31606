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
        _ when Sectors is not { Count: > 0 } => "mixed",
        _ => "sectors " + string.Join(", ", SectorRuns(Sectors).Select(r => $"{r.First}{(r.Last > r.First ? $"-{r.Last}" : "")} {r.Sector}")),
    };

    /// <summary>Consecutive sectors that read the same (same content, kind, writer and step), as first-last runs.</summary>
    public static IEnumerable<(int First, int Last, SectorRead Sector)> SectorRuns(IReadOnlyList<SectorRead> sectors)
    {
        for (var i = 0; i < sectors.Count;)
        {
            var j = i;
            while (j + 1 < sectors.Count && Same(sectors[j + 1], sectors[i]))
                j++;
            yield return (i, j, sectors[i]);
            i = j + 1;
        }
    }

    private static bool Same(SectorRead a, SectorRead b) =>
        a.Kind == b.Kind && a.Content == b.Content && (a.Kind != SectorKind.Valid || (a.Header.Writer == b.Header.Writer && a.Header.Step == b.Header.Step));
}
