using Bridge.Core.Blocks;
using Bridge.Simulator.Model;

namespace Bridge.Simulator.Execution;

/// <summary>Turns the stamps of a block's sectors into the <see cref="BlockRead"/> that decoding the real bytes
/// would give (BlockCodec.Decode): uniform when every sector agrees, otherwise the sectors one by one.</summary>
internal static class BlockReads
{
    /// <summary>The scenario's file is file id 1; copies keep the original's headers, so output files read as file 1 too.</summary>
    public const uint FileId = 1;

    public static BlockRead From(ReadOnlySpan<Stamp> sectors, int block, ulong runId)
    {
        var first = sectors[0];
        var uniform = true;
        for (var s = 1; s < sectors.Length && uniform; s++)
            uniform = sectors[s].Content == first.Content; // as BlockCodec.Decode: writer and step may differ
        if (uniform)
            return first.Content.Kind == ContentKind.Hole
                ? new BlockRead(block, ReadState.Uniform, Content.Hole)
                : new BlockRead(block, ReadState.Uniform, first.Content, first.Writer, first.Step);
        var reads = new SectorRead[sectors.Length];
        for (var s = 0; s < sectors.Length; s++)
            reads[s] = Sector(sectors[s], block, s, sectors.Length, runId);
        return new BlockRead(block, ReadState.Mixed, default, Sectors: reads);
    }

    private static SectorRead Sector(Stamp stamp, int block, int sector, int sectorsPerBlock, ulong runId)
    {
        if (stamp.Content.Kind == ContentKind.Hole)
            return new SectorRead(SectorKind.Zero, default);
        // Data a collapse or insert moved keeps the header of the offset it was written at.
        var offset = ((ulong)(block + stamp.Content.Moved) * (ulong)sectorsPerBlock + (ulong)sector) * BlockGeometry.SectorSize;
        var header = new SectorHeader(runId, FileId, offset, stamp.Content.Gen, stamp.Content.Iteration, stamp.Writer,
            unchecked((uint)stamp.Step), (ushort)sectorsPerBlock);
        return new SectorRead(SectorKind.Valid, header);
    }
}
