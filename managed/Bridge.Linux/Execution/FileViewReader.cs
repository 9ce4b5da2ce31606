using Bridge.Core.Blocks;
using Bridge.Core.Execution;
using Bridge.Core.Observations;
using Bridge.Core.Reports;
using Bridge.Core.Scenarios;
using Bridge.Linux.Interop;
using static Tmds.Linux.LibC;

namespace Bridge.Linux.Execution;

/// <summary>
/// A check on the real kernel: reads the views of the <see cref="CheckPlan"/> in its order — the data file through
/// O_DIRECT (the disk; an O_DIRECT read first writes back dirty pages in its range, as filemap_write_and_wait_range
/// does), through the page cache and through the mapping, then each output file through O_DIRECT and the page
/// cache — and records what each saw. Every path reads in chunks and, where a chunk fails or comes back short,
/// reads on block by block, so that each block records its own errno (a buffered read stops at the first page it
/// could not read and returns what came before) and a short read is end of file only where the file ends.
/// </summary>
internal static class FileViewReader
{
    /// <summary>Blocks per read(2): the size of <see cref="RunContext.CheckBuffer"/>.</summary>
    public const int ChunkBlocksMax = 256;

    /// <summary>What a block read through the mapping records when a load would have raised SIGBUS: the kernel
    /// could not read the file's page (madvise(MADV_POPULATE_READ) says EFAULT).</summary>
    public const string MappingFault = "SIGBUS";

    /// <summary>Reads every view of the plan; stops between reads once the run is interrupted.</summary>
    public static CallResult Read(RunContext ctx, Step check, CheckPlan plan, List<ViewRead> views, CancellationToken interrupt = default)
    {
        var start = MonotonicClock.Now;
        try
        {
            foreach (var view in plan.Views)
                views.Add(Read(ctx, check, view, interrupt));
        }
        catch (OperationCanceledException) when (interrupt.IsCancellationRequested)
        {
            return CallResult.Interrupted($"interrupted after {views.Count} of {plan.Views.Count} views", start, MonotonicClock.Now);
        }
        return CallResult.Success(start, MonotonicClock.Now);
    }

    private static ViewRead Read(RunContext ctx, Step check, CheckView view, CancellationToken interrupt)
    {
        var (file, path) = view;
        var memo = ctx.Memo(file);
        if (file != CheckPlan.DataFile)
        {
            var output = ctx.Outputs[file];
            return new ViewRead(file, path, ReadFile(path == ReadPath.Disk ? output.Direct : output.Buffered, ctx.Geometry, memo, ctx.CheckBuffer, interrupt));
        }
        return path switch
        {
            ReadPath.Disk => ctx.DataDirect is { } direct
                ? new ViewRead(file, path, ReadDisk(ctx, check, direct, memo, interrupt))
                : new ViewRead(file, path, [], ctx.DirectUnavailable),
            ReadPath.Buffered => new ViewRead(file, path, ReadFile(ctx.Backing.Data!, ctx.Geometry, memo, ctx.CheckBuffer, interrupt)),
            _ => StepHandlers.MappingProblem(ctx, forWrite: false) is { } gone
                ? new ViewRead(file, path, [], gone)
                : new ViewRead(file, path, ReadMapping(ctx.Mapping!, ctx.Geometry, ctx.FileBlocks, memo, interrupt)),
        };
    }

    /// <summary>Loads through the mapping, each chunk faulted in first (madvise(MADV_POPULATE_READ)) so that a page
    /// the kernel cannot read is recorded as <see cref="MappingFault"/> on its block instead of killing the harness.
    /// Blocks from <paramref name="within"/> on are past the file's end: touching them would SIGBUS.</summary>
    public static List<BlockRead> ReadMapping(MappedRegion mapping, BlockGeometry g, int within, DecodeMemo memo, CancellationToken interrupt = default)
    {
        var blocks = new List<BlockRead>(g.BlockCount);
        for (var first = 0; first < g.BlockCount; first += ChunkBlocksMax)
        {
            interrupt.ThrowIfCancellationRequested();
            var count = Math.Min(ChunkBlocksMax, g.BlockCount - first);
            var inFile = Math.Clamp(within - first, 0, count);
            var chunk = inFile > 0 ? mapping.PopulateRead(g.OffsetOf(first), (long)inFile * g.BlockSize) : default;
            for (var b = first; b < first + count; b++)
            {
                if (b >= within)
                    blocks.Add(BlockRead.Eof(b));
                else if ((Faulted(chunk) ? PopulateFailure(mapping.PopulateRead(g.OffsetOf(b), g.BlockSize)) : null) is { } failure)
                    blocks.Add(BlockRead.Failed(b, failure));
                else
                    blocks.Add(memo.Decode(mapping.Span(g.OffsetOf(b), g.BlockSize), b));
            }
        }
        return blocks;
    }

    /// <summary>Whether populating failed for a reason a load would meet too (not: the kernel cannot populate).</summary>
    private static bool Faulted(SysResult populate) => !populate.Ok && populate.Errno != EINVAL;

    private static string? PopulateFailure(SysResult populate) =>
        !Faulted(populate) ? null : populate.Errno == EFAULT ? MappingFault : populate.ErrnoName;

    /// <summary>The data file's disk; when images may be kept, also written as that check's image, byte for byte as
    /// read (a block that failed to read is zeros there).</summary>
    private static List<BlockRead> ReadDisk(RunContext ctx, Step check, FileDescriptor direct, DecodeMemo memo, CancellationToken interrupt)
    {
        if (ctx.CheckImages is not { } directory)
            return ReadFile(direct, ctx.Geometry, memo, ctx.CheckBuffer, interrupt);
        using var image = new FileStream(Path.Combine(directory, Evidence.CheckImageName(CheckPlan.DataFile, check.At.Line)), FileMode.Create, FileAccess.Write);
        return ReadFile(direct, ctx.Geometry, memo, ctx.CheckBuffer, interrupt, image);
    }

    /// <summary>Reads in chunks; from where a chunk failed or came back short, block by block (<see cref="ReadOne"/>).
    /// <paramref name="copy"/> receives every whole block read, up to the end of the file (zeros for one that failed).</summary>
    public static List<BlockRead> ReadFile(FileDescriptor fd, BlockGeometry g, DecodeMemo memo, AlignedBuffer buffer, CancellationToken interrupt = default, Stream? copy = null)
    {
        var size = fd.Size();
        var blocks = new List<BlockRead>(g.BlockCount);
        var chunkBlocks = (int)Math.Min(buffer.Length / g.BlockSize, g.BlockCount);
        for (var first = 0; first < g.BlockCount; first += chunkBlocks)
        {
            interrupt.ThrowIfCancellationRequested();
            var count = Math.Min(chunkBlocks, g.BlockCount - first);
            var r = fd.PRead(buffer.Address, (long)count * g.BlockSize, g.OffsetOf(first));
            var whole = r.Ok ? (int)(r.Value / g.BlockSize) : 0;
            copy?.Write(buffer.Span(0, whole * g.BlockSize));
            for (var i = 0; i < whole; i++)
                blocks.Add(memo.Decode(buffer.Span((long)i * g.BlockSize, g.BlockSize), first + i));
            for (var b = first + whole; b < first + count; b++)
            {
                blocks.Add(ReadOne(fd, g, memo, b, buffer, size));
                if (blocks[^1].State != ReadState.BeyondEof)
                    copy?.Write(blocks[^1].State == ReadState.IoError ? new byte[g.BlockSize] : buffer.Span(0, g.BlockSize));
            }
        }
        return blocks;
    }

    /// <summary>One block, read until it is whole: its own errno if a read fails; end of file where the file (of
    /// <paramref name="size"/> bytes, fstat) ends; a read that returns nothing before that is a short transfer.</summary>
    private static BlockRead ReadOne(FileDescriptor fd, BlockGeometry g, DecodeMemo memo, int block, AlignedBuffer buffer, long size)
    {
        var offset = g.OffsetOf(block);
        long got = 0;
        while (got < g.BlockSize && offset + got < size)
        {
            var r = fd.PRead(buffer.Address + (nint)got, g.BlockSize - got, offset + got);
            if (!r.Ok)
                return BlockRead.Failed(block, r.ErrnoName);
            if (r.Value == 0)
                return BlockRead.Failed(block, Errnos.Name(Errnos.ShortTransfer));
            got += r.Value;
        }
        return got == g.BlockSize ? memo.Decode(buffer.Span(0, g.BlockSize), block) : BlockRead.Eof(block);
    }
}
