using Bridge.Core.Blocks;
using Bridge.Core.Execution;
using Bridge.Core.Observations;
using Bridge.Core.Reports;
using Bridge.Core.Scenarios;
using Bridge.Linux.Interop;

namespace Bridge.Linux.Execution;

/// <summary>
/// A check on the real kernel: reads the views of the <see cref="CheckPlan"/> in its order — the data file through
/// O_DIRECT (the disk; an O_DIRECT read first writes back dirty pages in its range, as filemap_write_and_wait_range
/// does), through the page cache and through the mapping, then each output file through O_DIRECT and the page
/// cache — and records what each saw.
/// </summary>
internal static class FileViewReader
{
    /// <summary>Blocks per read(2): the size of <see cref="RunContext.CheckBuffer"/>.</summary>
    public const int ChunkBlocksMax = 256;

    public static CallResult Read(RunContext ctx, Step check, CheckPlan plan, List<ViewRead> views)
    {
        var start = MonotonicClock.Now;
        foreach (var view in plan.Views)
            views.Add(Read(ctx, check, view));
        return CallResult.Success(start, MonotonicClock.Now);
    }

    private static ViewRead Read(RunContext ctx, Step check, CheckView view)
    {
        var (file, path) = view;
        var memo = ctx.Memo(file);
        if (file != CheckPlan.DataFile)
        {
            var output = ctx.Outputs[file];
            return new ViewRead(file, path, ReadFile(path == ReadPath.Disk ? output.Direct : output.Buffered, ctx.Geometry, memo, ctx.CheckBuffer));
        }
        return path switch
        {
            ReadPath.Disk => ctx.DataDirect is { } direct
                ? new ViewRead(file, path, ReadDisk(ctx, check, direct, memo))
                : new ViewRead(file, path, [], ctx.DirectUnavailable),
            ReadPath.Buffered => new ViewRead(file, path, ReadFile(ctx.Backing.Data!, ctx.Geometry, memo, ctx.CheckBuffer)),
            _ => StepHandlers.MappingProblem(ctx, forWrite: false) is { } gone
                ? new ViewRead(file, path, [], gone)
                : new ViewRead(file, path, ReadMapping(ctx)),
        };
    }

    private static List<BlockRead> ReadMapping(RunContext ctx)
    {
        var g = ctx.Geometry;
        var within = ctx.FileBlocks;
        var memo = ctx.Memo(CheckPlan.DataFile);
        var blocks = new List<BlockRead>(g.BlockCount);
        for (var b = 0; b < g.BlockCount; b++)
            blocks.Add(b < within ? memo.Decode(ctx.Mapping!.Span(g.OffsetOf(b), g.BlockSize), b) : BlockRead.Eof(b));
        return blocks;
    }

    /// <summary>The data file's disk; when images may be kept, also written as that check's image, byte for byte as
    /// read (a block that failed to read is zeros there).</summary>
    private static List<BlockRead> ReadDisk(RunContext ctx, Step check, FileDescriptor direct, DecodeMemo memo)
    {
        if (ctx.CheckImages is not { } directory)
            return ReadFile(direct, ctx.Geometry, memo, ctx.CheckBuffer);
        using var image = new FileStream(Path.Combine(directory, Evidence.CheckImageName(CheckPlan.DataFile, check.At.Line)), FileMode.Create, FileAccess.Write);
        return ReadFile(direct, ctx.Geometry, memo, ctx.CheckBuffer, image);
    }

    /// <summary>Reads in chunks; a failing chunk is re-read block by block so the error lands on the block it belongs
    /// to. <paramref name="copy"/> receives every block read, up to the end of the file.</summary>
    public static List<BlockRead> ReadFile(FileDescriptor fd, BlockGeometry g, DecodeMemo memo, AlignedBuffer buffer, Stream? copy = null)
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
                {
                    blocks.Add(ReadOne(fd, g, memo, b, buffer));
                    if (blocks[^1].State != ReadState.BeyondEof)
                        copy?.Write(blocks[^1].State == ReadState.IoError ? new byte[g.BlockSize] : buffer.Span(0, g.BlockSize));
                }
                continue;
            }
            var full = (int)(r.Value / g.BlockSize);
            copy?.Write(buffer.Span(0, full * g.BlockSize));
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
