namespace Bridge.Core.Blocks;

/// <summary>
/// A first pass over an image that counts, over its valid sectors (magic, version and crc32c good), which run and
/// file they name and which block size their headers give. The majority is the file's identity: a foreign block 0
/// (or a few) cannot make its run the file's. Memory is bounded: at most <see cref="MaxIdentities"/> distinct
/// identities are counted (an image with more is foreign almost everywhere anyway).
/// </summary>
public sealed class ImageSurvey
{
    public const int MaxIdentities = 1024;
    private readonly Dictionary<(ulong Run, uint File), long> _identities = [];
    private readonly Dictionary<ushort, long> _sectorsPerBlock = [];

    public long Sectors { get; private set; }
    public long ValidSectors { get; private set; }

    /// <summary>Counts every whole sector of <paramref name="data"/> (a trailing partial sector is ignored).</summary>
    public void Add(ReadOnlySpan<byte> data)
    {
        for (var at = 0; at + BlockGeometry.SectorSize <= data.Length; at += BlockGeometry.SectorSize)
        {
            Sectors++;
            var sector = data.Slice(at, BlockGeometry.SectorSize);
            if (!SectorHeader.HasMagic(sector) || SectorHeader.ComputeCrc(sector) != SectorHeader.StoredCrc(sector))
                continue;
            ValidSectors++;
            var header = SectorHeader.ReadFrom(sector);
            var identity = (header.RunId, header.FileId);
            if (_identities.TryGetValue(identity, out var votes))
                _identities[identity] = votes + 1;
            else if (_identities.Count < MaxIdentities)
                _identities[identity] = 1;
            _sectorsPerBlock[header.SectorsPerBlock] = _sectorsPerBlock.GetValueOrDefault(header.SectorsPerBlock) + 1;
        }
    }

    /// <summary>The run and file most valid sectors name, and how many do; null when no sector is valid.</summary>
    public (ulong RunId, uint FileId, long Votes)? Identity =>
        _identities.Count == 0 ? null
            : _identities.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key.Run).ThenBy(kv => kv.Key.File)
                .Select(kv => (kv.Key.Run, kv.Key.File, kv.Value)).First();

    /// <summary>The block size most valid headers give, if it is one <c>check</c> can use.</summary>
    public int? BlockSize =>
        _sectorsPerBlock.Where(kv => kv.Key > 0 && kv.Key * BlockGeometry.SectorSize <= ImageExpectation.MaxBlockSize)
            .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key)
            .Select(kv => (int?)(kv.Key * BlockGeometry.SectorSize)).FirstOrDefault();
}
