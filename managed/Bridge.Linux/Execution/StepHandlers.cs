using Bridge.Core.Blocks;
using Bridge.Core.Observations;
using Bridge.Core.Scenarios;
using Bridge.Linux.Interop;
using Bridge.Linux.PinPaths;
using static Tmds.Linux.LibC;

namespace Bridge.Linux.Execution;

/// <summary>One call of a step on the real kernel; iteration is 0 outside races.</summary>
public delegate StepCall StepHandler(RunContext ctx, Step step, uint iteration);

/// <summary>
/// The real-kernel side of every verb of <see cref="Verbs"/>, one row each. check and race are driven by
/// <see cref="ScenarioRunner"/>; io_uring and pin verbs by their own files.
/// </summary>
public static partial class StepHandlers
{
    private const uint SyncFileRangeWaitWrite = 1 | 2 | 4; // WAIT_BEFORE | WRITE | WAIT_AFTER
    private const int DropAll = 3;

    public static readonly IReadOnlyDictionary<string, StepHandler> All = new Dictionary<string, StepHandler>
    {
        ["store"] = Store,
        ["odirect-read"] = ODirectRead,
        ["odirect-write"] = ODirectWrite,
        ["uring-read"] = UringSteps.Read,
        ["uring-write"] = UringSteps.Write,
        ["msync"] = Msync,
        ["fsync"] = (ctx, _, _) => StepCall.Time(() => ctx.Backing.Data!.Fsync()),
        ["fdatasync"] = (ctx, _, _) => StepCall.Time(() => ctx.Backing.Data!.Fdatasync()),
        ["sync-file-range"] = (ctx, step, _) => OverRuns(ctx, step, (off, len) => ctx.Backing.Data!.SyncFileRange(off, len, SyncFileRangeWaitWrite)),
        ["fadvise-dontneed"] = (ctx, step, _) => OverRuns(ctx, step, (off, len) => ctx.Backing.Data!.Fadvise(off, len, POSIX_FADV_DONTNEED)),
        ["drop-caches"] = (_, _, _) => StepCall.Time(DropCaches),
        ["mprotect"] = Mprotect,
        ["truncate"] = (ctx, step, _) => StepCall.Time(() => ctx.Backing.Data!.Truncate(step.Args.Size!.Value)),
        ["punch"] = (ctx, step, _) => OverRuns(ctx, step, (off, len) => ctx.Backing.Data!.Fallocate(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, len)),
        ["munmap"] = Munmap,
        ["fork"] = ForkSteps.Fork,
        ["pin"] = PinSteps.Pin,
        ["unpin"] = PinSteps.Unpin,
        ["dma"] = PinSteps.DeviceWrite,
        ["dma-read"] = PinSteps.DeviceRead,
    };

    public static BlockStamp StampFor(RunContext ctx, Step step, uint iteration, Writer writer) =>
        new(ctx.RunId, 1, 0, step.Gen, iteration, writer, step.Index);

    /// <summary>CPU stores, sector by sector, so that a concurrent reader can catch a torn block.</summary>
    private static StepCall Store(RunContext ctx, Step step, uint iteration)
    {
        if (MappingProblem(ctx, forWrite: true) is { } why)
            return StepCall.Skip(why);
        if (PastEof(ctx, step) is { } eof)
            return StepCall.Skip(eof);
        var stamp = StampFor(ctx, step, iteration, Writer.Cpu);
        var start = MonotonicClock.Now;
        foreach (var b in step.Blocks.Blocks)
            BlockCodec.Stamp(ctx.Mapping!.Span(ctx.Geometry.OffsetOf(b), ctx.Geometry.BlockSize), stamp with { Block = b });
        return new StepCall(default, start, MonotonicClock.Now);
    }

    /// <summary>pread(O_DIRECT) from the step's source file into the mapping: GUP with FOLL_PIN on the mapped
    /// pages for the duration of the I/O, and the bio dirties them when it completes.</summary>
    private static StepCall ODirectRead(RunContext ctx, Step step, uint iteration)
    {
        if (MappingProblem(ctx, forWrite: false) is { } why)
            return StepCall.Skip(why);
        if (PastEof(ctx, step) is { } eof)
            return StepCall.Skip(eof);
        var source = ctx.Source(step);
        var prepared = source.Prepare(ctx.Geometry, step.Blocks, StampFor(ctx, step, iteration, Writer.ODirect));
        if (!prepared.Ok)
            return new StepCall(prepared, 0, 0, Detail: "writing the source file failed");
        return OverRuns(ctx, step, (off, len) => Complete(source.Direct.PRead(ctx.Mapping!.Address + (nint)off, len, off), len));
    }

    /// <summary>pwrite(O_DIRECT) from the mapping to an output file.</summary>
    private static StepCall ODirectWrite(RunContext ctx, Step step, uint iteration)
    {
        if (MappingProblem(ctx, forWrite: false) is { } why)
            return StepCall.Skip(why);
        if (PastEof(ctx, step) is { } eof)
            return StepCall.Skip(eof);
        var output = ctx.Outputs[step.Args.Target!];
        return OverRuns(ctx, step, (off, len) => Complete(output.Direct.PWrite(ctx.Mapping!.Address + (nint)off, len, off), len));
    }

    private static StepCall Msync(RunContext ctx, Step step, uint iteration)
    {
        if (MappingProblem(ctx, forWrite: false) is { } why)
            return StepCall.Skip(why);
        var flags = step.Args.Mode switch { "async" => MS_ASYNC, "invalidate" => MS_SYNC | MS_INVALIDATE, _ => MS_SYNC };
        return OverRuns(ctx, step, (off, len) => ctx.Mapping!.Msync(off, len, flags));
    }

    private static StepCall Mprotect(RunContext ctx, Step step, uint iteration)
    {
        if (MappingProblem(ctx, forWrite: false) is { } why)
            return StepCall.Skip(why);
        var readOnly = step.Args.Mode == "ro";
        var call = StepCall.Time(() => ctx.Mapping!.Protect(readOnly ? PROT_READ : PROT_READ | PROT_WRITE));
        if (call.Result.Ok)
            ctx.ReadOnlySince = readOnly ? step.ToString() : null;
        return call;
    }

    private static StepCall Munmap(RunContext ctx, Step step, uint iteration)
    {
        var call = StepCall.Time(() => ctx.Mapping!.Unmap());
        if (call.Result.Ok)
            ctx.MappingGone = $"unmapped by {step}";
        return call;
    }

    private static unsafe SysResult DropCaches()
    {
        var (fd, r) = FileDescriptor.Open("/proc/sys/vm/drop_caches", O_WRONLY);
        if (fd is null)
            return r;
        using (fd)
        {
            var text = System.Text.Encoding.ASCII.GetBytes($"{DropAll}\n");
            fixed (byte* p = text)
                return SysResult.From(write(fd.Fd, p, (Tmds.Linux.size_t)(uint)text.Length));
        }
    }

    /// <summary>Runs a range call once per run of consecutive blocks; the first failure is the step's result.</summary>
    public static StepCall OverRuns(RunContext ctx, Step step, Func<long, long, SysResult> call)
    {
        var start = MonotonicClock.Now;
        foreach (var (first, count) in step.Blocks.Runs())
        {
            var r = call(ctx.Geometry.OffsetOf(first), (long)count * ctx.Geometry.BlockSize);
            if (!r.Ok)
                return new StepCall(r, start, MonotonicClock.Now);
        }
        return new StepCall(default, start, MonotonicClock.Now);
    }

    /// <summary>A call that returned but moved fewer bytes than asked fails as <see cref="Errnos.ShortTransfer"/>.</summary>
    public static SysResult Complete(SysResult r, long expected) =>
        !r.Ok || r.Value == expected ? r : new SysResult(r.Value, Errnos.ShortTransfer);

    /// <summary>Why the mapping cannot be touched: gone, or (for CPU stores) read-only — the store would fault the harness.</summary>
    public static string? MappingProblem(RunContext ctx, bool forWrite) =>
        ctx.Mapping is null || ctx.MappingGone is not null ? ctx.MappingGone ?? "no mapping"
        : forWrite && ctx.ReadOnlySince is { } ro ? $"the mapping is read-only ({ro}); a CPU store would SIGSEGV"
        : null;

    /// <summary>Touching a mapped page past EOF raises SIGBUS; such steps are not run and say so.</summary>
    public static string? PastEof(RunContext ctx, Step step) =>
        ctx.Backing.Data is not null && step.Blocks.Last >= ctx.FileBlocks
            ? $"block {step.Blocks.Last} is past end of file ({ctx.FileBlocks} blocks): touching it through the mapping would SIGBUS"
            : null;
}
