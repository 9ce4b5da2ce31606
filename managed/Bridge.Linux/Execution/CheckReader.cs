using Bridge.Core.Blocks;
using Bridge.Core.Observations;
using Bridge.Linux.Interop;

namespace Bridge.Linux.Execution;

/// <summary>
/// A check: reads every block of the data file through O_DIRECT (the disk; note that an O_DIRECT read first writes
/// back dirty pages in its range, as filemap_write_and_wait_range does), then through the page cache, then through
/// the mapping; and each output file through O_DIRECT and the page cache. Records what each path saw.
/// </summary>
internal static class CheckReader
{
    /// <summary>Blocks per read(2): the size of <see cref="RunContext.CheckBuffer"/>.</summary>
    public const int ChunkBlocksMax = 256;

    public static CheckObservation Read(RunContext ctx, int step)
    {
        var views = new List<ViewRead>();
        var geometry = ctx.Geometry;
        if (ctx.Backing.Data is { } data)
        {
            views.Add(ctx.DataDirect is { } direct
                ? new ViewRead("data", ReadPath.Disk, ReadFile(direct, geometry, ctx.Memo("data"), ctx.CheckBuffer))
                : new ViewRead("data", ReadPath.Disk, [], ctx.DirectUnavailable));
            views.Add(new ViewRead("data", ReadPath.Buffered, ReadFile(data, geometry, ctx.Memo("data"), ctx.CheckBuffer)));
        }
        views.Add(StepHandlers.MappingProblem(ctx, forWrite: false) is { } gone
            ? new ViewRead("data", ReadPath.Mapping, [], gone)
            : new ViewRead("data", ReadPath.Mapping, ReadMapping(ctx)));
        foreach (var output in ctx.Outputs.Values.OrderBy(o => o.Name, StringComparer.Ordinal))
        {
            views.Add(new ViewRead(output.Name, ReadPath.Disk, ReadFile(output.Direct, geometry, ctx.Memo(output.Name), ctx.CheckBuffer)));
            views.Add(new ViewRead(output.Name, ReadPath.Buffered, ReadFile(output.Buffered, geometry, ctx.Memo(output.Name), ctx.CheckBuffer)));
        }
        return new CheckObservation(step, views);
    }

    private static List<BlockRead> ReadMapping(RunContext ctx)
    {
        var g = ctx.Geometry;
        var within = ctx.FileBlocks;
        var memo = ctx.Memo("data");
        var blocks = new List<BlockRead>(g.BlockCount);
        for (var b = 0; b < g.BlockCount; b++)
            blocks.Add(b < within ? memo.Decode(ctx.Mapping!.Span(g.OffsetOf(b), g.BlockSize), b) : BlockRead.Eof(b));
        return blocks;
    }

    /// <summary>Reads in chunks; a failing chunk is re-read block by block so the error lands on the block it belongs to.</summary>
    public static List<BlockRead> ReadFile(FileDescriptor fd, BlockGeometry g, DecodeMemo memo, AlignedBuffer buffer)
    {
        var blocks = new List<BlockRead>(g.BlockCount);
        var chunkBlocks = (int)Math.Min(buffer.Length / g.BlockSize, g.BlockCount);
        for (var first = 0; first < g.BlockCount; first += chunkBlocks)
        {
            var count = Math.Min(chunkBlocks, g.BlockCount - first);
            var r = fd.PRead(buffer.Address, (long)count * g.BlockSize, g.OffsetOf(first));
            if (!r.Ok)
            {
                for (var b = first; b < first + count; b++)
                    blocks.Add(ReadOne(fd, g, memo, b, buffer));
                continue;
            }
            var full = (int)(r.Value / g.BlockSize);
            for (var i = 0; i < count; i++)
                blocks.Add(i < full ? memo.Decode(buffer.Span((long)i * g.BlockSize, g.BlockSize), first + i) : BlockRead.Eof(first + i));
        }
        return blocks;
    }

    private static BlockRead ReadOne(FileDescriptor fd, BlockGeometry g, DecodeMemo memo, int block, AlignedBuffer buffer)
    {
        var r = fd.PRead(buffer.Address, g.BlockSize, g.OffsetOf(block));
        return !r.Ok ? BlockRead.Failed(block, r.ErrnoName)
            : r.Value < g.BlockSize ? BlockRead.Eof(block)
            : memo.Decode(buffer.Span(0, g.BlockSize), block);
    }
}
