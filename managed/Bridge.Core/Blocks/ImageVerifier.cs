using System.Text;

namespace Bridge.Core.Blocks;

/// <summary>Verifies a file image's blocks on their own (fio's verify_only): every sector's crc32c, placement and
/// generation, without knowing the scenario that wrote them.</summary>
public static class ImageVerifier
{
    /// <summary>The run id of the first valid sector, for images checked without one.</summary>
    public static ulong? DetectRunId(ReadOnlySpan<byte> image)
    {
        for (var s = 0; s + BlockGeometry.SectorSize <= image.Length; s += BlockGeometry.SectorSize)
        {
            var sector = BlockCodec.DecodeSector(image.Slice(s, BlockGeometry.SectorSize));
            if (sector.Kind == SectorKind.Valid)
                return sector.Header.RunId;
        }
        return null;
    }

    public static IReadOnlyList<BlockRead> Verify(ReadOnlySpan<byte> image, int blockSize, ulong runId, int firstBlock = 0)
    {
        var reads = new List<BlockRead>(image.Length / blockSize);
        for (var b = 0; (b + 1) * blockSize <= image.Length; b++)
            reads.Add(BlockCodec.Decode(image.Slice(b * blockSize, blockSize), firstBlock + b, runId, 1));
        return reads;
    }

    /// <summary>A block is bad when it is not uniform: torn, bad crc, foreign bytes, misplaced, another run's.</summary>
    public static bool IsBad(BlockRead read) => read.State != ReadState.Uniform;

    /// <summary>Consecutive blocks that read the same, as "0-15  g1 cpu step 3".</summary>
    public static string Summarize(IReadOnlyList<BlockRead> reads)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < reads.Count;)
        {
            var j = i;
            while (j + 1 < reads.Count && Describe(reads[j + 1]) == Describe(reads[i]))
                j++;
            var range = i == j ? $"{reads[i].Block}" : $"{reads[i].Block}-{reads[j].Block}";
            sb.AppendLine($"{range,-12} {Describe(reads[i])}");
            i = j + 1;
        }
        return sb.ToString();
    }

    private static string Describe(BlockRead r) => r.State switch
    {
        ReadState.Uniform when r.Content.Kind == ContentKind.Hole => "zeros",
        ReadState.Uniform => $"{r.Content} {r.Writer.ToString().ToLowerInvariant()} step {r.Step}",
        _ => $"BAD {r}",
    };
}
