using Bridge.Core.Blocks;
using Bridge.Core.Execution;
using Bridge.Core.Scenarios;
using Bridge.Linux.Interop;

namespace Bridge.Linux.Execution;

/// <summary>
/// The data file's other writers (<see cref="VerbInfo.File"/>): write(2) and O_DIRECT pwrite from a buffer of
/// Bridge's, copy_file_range and FICLONERANGE from a file beside the data file, fallocate(ZERO_RANGE). None touches
/// the mapping, so none is declined past EOF: a write there grows the file, as it would for any program.
/// </summary>
internal static class FileWriteSteps
{
    /// <summary>pwrite(2) through the page cache from the step's buffer.</summary>
    public static CallResult Write(RunContext ctx, Step step, uint iteration)
    {
        var buffer = StampedBuffer(ctx, step, iteration);
        return StepHandlers.OverRuns(ctx, step, (off, len) => KernelCalls.Complete(ctx.Backing.Data!.PWrite(buffer.Address + (nint)off, len, off), len));
    }

    /// <summary>pwrite from the step's page-aligned buffer on a second descriptor opened O_DIRECT: the kernel writes
    /// the cached range back and invalidates it first (a pinned page too), then writes the disk.</summary>
    public static CallResult ODirectWrite(RunContext ctx, Step step, uint iteration)
    {
        var start = MonotonicClock.Now;
        var (direct, opened) = ctx.DataDirectWrite();
        if (direct is null)
            return KernelCalls.Of(opened, start, MonotonicClock.Now, "open(O_RDWR | O_DIRECT) of the data file failed");
        var buffer = StampedBuffer(ctx, step, iteration);
        return StepHandlers.OverRuns(ctx, step, (off, len) => KernelCalls.Complete(direct.PWrite(buffer.Address + (nint)off, len, off), len));
    }

    /// <summary>copy_file_range from the file beside the data file, which holds the generation at the same blocks.</summary>
    public static CallResult CopyRange(RunContext ctx, Step step, uint iteration) =>
        FromSibling(ctx, step, iteration, FileWriteNative.CopyRange);

    /// <summary>FICLONERANGE from the file beside the data file.</summary>
    public static CallResult Clone(RunContext ctx, Step step, uint iteration) =>
        FromSibling(ctx, step, iteration, FileWriteNative.CloneRange);

    /// <summary>fallocate(FALLOC_FL_ZERO_RANGE) over each run of blocks.</summary>
    public static CallResult ZeroRange(RunContext ctx, Step step, uint iteration) =>
        StepHandlers.OverRuns(ctx, step, (off, len) => FileWriteNative.ZeroRange(ctx.Backing.Data!, off, len));

    /// <summary>fallocate(COLLAPSE_RANGE) or fallocate(INSERT_RANGE), as the verb's row says, over its one range of blocks.</summary>
    public static CallResult ShiftRange(RunContext ctx, Step step, uint iteration) =>
        StepHandlers.OverRuns(ctx, step, (off, len) => FileWriteNative.ShiftRange(ctx.Backing.Data!, step.Verb.Shift!.Inserts, off, len));

    private static AlignedBuffer StampedBuffer(RunContext ctx, Step step, uint iteration)
    {
        var source = ctx.Source(step);
        source.StampBuffer(ctx.Geometry, step.Blocks, StepHandlers.StampFor(ctx, step, iteration, step.Verb.Writer));
        return source.Buffer;
    }

    /// <summary>Writes the generation into the sibling file (buffered: a clone flushes the source range first), then
    /// copies each run from it into the data file at the same offsets.</summary>
    private static CallResult FromSibling(RunContext ctx, Step step, uint iteration, Func<FileDescriptor, FileDescriptor, long, long, SysResult> copy)
    {
        var sibling = ctx.Sibling(step);
        var g = ctx.Geometry;
        var stamp = StepHandlers.StampFor(ctx, step, iteration, step.Verb.Writer);
        using var buffer = new AlignedBuffer(g.BlockSize);
        foreach (var b in step.Blocks.Blocks)
        {
            BlockCodec.Stamp(buffer.Span(0, g.BlockSize), stamp with { Block = b });
            var written = KernelCalls.Complete(sibling.PWrite(buffer.Address, g.BlockSize, g.OffsetOf(b)), g.BlockSize);
            if (!written.Ok)
                return StepHandlers.SourceFailed(written);
        }
        return StepHandlers.OverRuns(ctx, step, (off, len) => copy(sibling, ctx.Backing.Data!, off, len));
    }
}
