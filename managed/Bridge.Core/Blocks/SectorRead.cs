namespace Bridge.Core.Blocks;

/// <summary>How one sector decoded.</summary>
public enum SectorKind : byte
{
    /// <summary>Magic, version and crc32c all check out.</summary>
    Valid,
    /// <summary>All zero bytes: a hole, or a page never written.</summary>
    Zero,
    /// <summary>A Bridge header whose crc32c does not match: the sector was changed after it was stamped.</summary>
    BadCrc,
    /// <summary>Neither zeros nor a Bridge header: bytes no Bridge writer produced.</summary>
    Foreign,
}

/// <summary>One decoded sector. Header fields are meaningful only for <see cref="SectorKind.Valid"/>.</summary>
public readonly record struct SectorRead(SectorKind Kind, SectorHeader Header)
{
    /// <summary>What the sector holds — for a bad-crc sector, what its header claims.</summary>
    public Content Content => Kind switch
    {
        SectorKind.Valid or SectorKind.BadCrc => Content.Data(Header.Gen, Header.Iteration),
        SectorKind.Zero => Content.Hole,
        _ => default,
    };

    /// <summary>What the sector holds as sector <paramref name="sector"/> of block <paramref name="block"/>: its content
    /// with the distance its header's offset says it moved (<see cref="Content.Moved"/>); null for a header whose offset
    /// is not this sector's place in any block (misplaced within a block, or no block at all).</summary>
    public Content? ContentAt(int block, int blockSize, int sector)
    {
        if (Kind != SectorKind.Valid && Kind != SectorKind.BadCrc)
            return Content;
        return BlockCodec.WrittenAt(Header, sector, blockSize) is { } at && at - block is >= int.MinValue and <= int.MaxValue
            ? Content.MovedBy((int)(at - block))
            : null;
    }

    /// <summary>What the sector holds, in a word: its content, <c>zeros</c>, <c>gN (bad crc)</c> or <c>foreign</c>.</summary>
    public override string ToString() => Kind switch
    {
        SectorKind.Valid => Content.ToString(),
        SectorKind.Zero => "zeros",
        SectorKind.BadCrc => $"{Content} (bad crc)",
        _ => "foreign",
    };
}
