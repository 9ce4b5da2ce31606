namespace Bridge.Core.Blocks;

/// <summary>Stamps blocks with self-checking sectors and decodes what a read path returns.</summary>
public static class BlockCodec
{
    public static void Stamp(Span<byte> block, in BlockStamp stamp)
    {
        var sectors = block.Length / BlockGeometry.SectorSize;
        for (var s = 0; s < sectors; s++)
        {
            var sector = block.Slice(s * BlockGeometry.SectorSize, BlockGeometry.SectorSize);
            var offset = (ulong)stamp.Block * (ulong)block.Length + (ulong)(s * BlockGeometry.SectorSize);
            StampSector(sector, stamp, offset, (ushort)sectors);
        }
    }

    /// <summary>What a block stamped with <paramref name="stamp"/> decodes to, read back at its own index: the
    /// identity <c>Decode(Stamp(s)) == Stamped(s)</c> that <see cref="DecodeMemo.Remember"/> relies on.</summary>
    public static BlockRead Stamped(in BlockStamp stamp) =>
        new(stamp.Block, ReadState.Uniform, Content.Data(stamp.Gen, stamp.Iteration), stamp.Writer, stamp.Step);

    /// <summary>Stamps one sector; races write sector by sector so that a concurrent reader can see a torn block.</summary>
    public static void StampSector(Span<byte> sector, in BlockStamp stamp, ulong offset, ushort sectorsPerBlock)
    {
        var header = new SectorHeader(stamp.RunId, stamp.FileId, offset, stamp.Gen, stamp.Iteration, stamp.Writer, (uint)stamp.Step, sectorsPerBlock);
        header.WriteTo(sector);
        Payload.Fill(sector[SectorHeader.Size..], stamp.RunId, stamp.FileId, offset, stamp.Gen, stamp.Iteration);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(sector[SectorHeader.CrcOffset..], SectorHeader.ComputeCrc(sector));
    }

    public static SectorRead DecodeSector(ReadOnlySpan<byte> sector)
    {
        if (!SectorHeader.HasMagic(sector))
            return new SectorRead(sector.ContainsAnyExcept((byte)0) ? SectorKind.Foreign : SectorKind.Zero, default);
        var header = SectorHeader.ReadFrom(sector);
        return new SectorRead(SectorHeader.ComputeCrc(sector) == SectorHeader.StoredCrc(sector) ? SectorKind.Valid : SectorKind.BadCrc, header);
    }

    /// <summary>Decodes a block read from <paramref name="fileId"/> at index <paramref name="block"/> of a run.
    /// Uniform only when every sector agrees and the sectors sit, in order, where one block's headers say they were
    /// written: this block (<see cref="Content.Moved"/> 0), or another one whose data a collapse or insert moved here.</summary>
    public static BlockRead Decode(ReadOnlySpan<byte> data, int block, ulong runId, uint fileId)
    {
        var count = data.Length / BlockGeometry.SectorSize;
        var sectors = new SectorRead[count];
        var uniform = true;
        for (var s = 0; s < count; s++)
        {
            var read = DecodeSector(data.Slice(s * BlockGeometry.SectorSize, BlockGeometry.SectorSize));
            sectors[s] = read;
            uniform &= read.Kind == SectorKind.Zero
                ? sectors[0].Kind == SectorKind.Zero
                : read.Kind == SectorKind.Valid && read.Header.RunId == runId && read.Header.FileId == fileId &&
                  WrittenAt(read.Header, s, data.Length) is { } at && at == WrittenAt(sectors[0].Header, 0, data.Length) &&
                  read.Content == sectors[0].Content;
        }
        if (!uniform)
            return new BlockRead(block, ReadState.Mixed, default, Sectors: sectors);
        var first = sectors[0];
        return first.Kind == SectorKind.Zero
            ? new BlockRead(block, ReadState.Uniform, Content.Hole)
            : new BlockRead(block, ReadState.Uniform, first.ContentAt(block, data.Length, 0)!.Value, first.Header.Writer, (int)first.Header.Step);
    }

    /// <summary>The block whose sector <paramref name="sector"/> a header says it is (its offset, less the sector's
    /// place in the block), or null when the offset is not that sector's place in any block.</summary>
    public static long? WrittenAt(in SectorHeader header, int sector, int blockSize)
    {
        var start = (long)header.Offset - (long)sector * BlockGeometry.SectorSize;
        return start >= 0 && start % blockSize == 0 ? start / blockSize : null;
    }
}
