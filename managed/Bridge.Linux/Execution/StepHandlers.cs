using Bridge.Core.Blocks;
using Bridge.Core.Execution;
using Bridge.Core.Scenarios;
using Bridge.Linux.Interop;
using static Tmds.Linux.LibC;

namespace Bridge.Linux.Execution;

/// <summary>One call of a step on the real kernel; iteration is 0 outside races.</summary>
public delegate CallResult StepHandler(RunContext ctx, Step step, uint iteration);

/// <summary>
/// The real-kernel side of every verb of <see cref="Verbs"/>, one handler each, keyed by the verb's row. check
/// and race are the <see cref="Sequencer"/>'s; io_uring, pin and fork verbs have their own files.
/// </summary>
public static class StepHandlers
{
    private const uint SyncFileRangeWaitWrite = 1 | 2 | 4; // WAIT_BEFORE | WRITE | WAIT_AFTER
    private const int DropAll = 3;

    public static readonly VerbTable<StepHandler> All = new("Bridge.Linux", [
        (Verbs.Store, Store),
        (Verbs.ODirectRead, ODirectRead),
        (Verbs.ODirectWrite, ODirectWrite),
        (Verbs.UringRead, UringSteps.Read),
        (Verbs.UringWrite, UringSteps.Write),
        (Verbs.Msync, Msync),
        (Verbs.Fsync, (ctx, _, _) => KernelCalls.Time(() => ctx.Backing.Data!.Fsync())),
        (Verbs.Fdatasync, (ctx, _, _) => KernelCalls.Time(() => ctx.Backing.Data!.Fdatasync())),
        (Verbs.SyncFileRange, (ctx, step, _) => OverRuns(ctx, step, (off, len) => ctx.Backing.Data!.SyncFileRange(off, len, SyncFileRangeWaitWrite))),
        (Verbs.FadviseDontneed, (ctx, step, _) => OverRuns(ctx, step, (off, len) => ctx.Backing.Data!.Fadvise(off, len, POSIX_FADV_DONTNEED))),
        (Verbs.DropCaches, (_, _, _) => KernelCalls.Time(DropCaches)),
        (Verbs.Mprotect, Mprotect),
        (Verbs.Truncate, (ctx, step, _) => KernelCalls.Time(() => ctx.Backing.Data!.Truncate(step.Args.Size!.Value))),
        (Verbs.Punch, (ctx, step, _) => OverRuns(ctx, step, (off, len) => ctx.Backing.Data!.Fallocate(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, len))),
        (Verbs.Munmap, Munmap),
        (Verbs.Fork, ForkSteps.Fork),
        (Verbs.Pin, PinSteps.Pin),
        (Verbs.Unpin, PinSteps.Unpin),
        (Verbs.Dma, PinSteps.DeviceWrite),
        (Verbs.DmaRead, PinSteps.DeviceRead),
        (Verbs.Crash, PowerCutMoment),
        (Verbs.Write, FileWriteSteps.Write),
        (Verbs.ODirectWriteFile, FileWriteSteps.ODirectWrite),
        (Verbs.CopyRange, FileWriteSteps.CopyRange),
        (Verbs.Clone, FileWriteSteps.Clone),
        (Verbs.ZeroRange, FileWriteSteps.ZeroRange),
        (Verbs.CollapseRange, FileWriteSteps.ShiftRange),
        (Verbs.InsertRange, FileWriteSteps.ShiftRange),
    ]);

    /// <summary>crash: notes the moment. The sequence stops after it (<see cref="PowerCut.NextBoot"/>): the scenario
    /// runner reports what ran and cuts the power before anything is closed, unmapped or unmounted (which could write
    /// back what the power cut must lose).</summary>
    private static CallResult PowerCutMoment(RunContext ctx, Step step, uint iteration)
    {
        var now = MonotonicClock.Now;
        return CallResult.Success(now, now, "the power is cut once the steps before it are reported");
    }

    public static BlockStamp StampFor(RunContext ctx, Step step, uint iteration, Writer writer) =>
        new(ctx.RunId, 1, 0, step.Gen, iteration, writer, step.Index);

    /// <summary>CPU stores, sector by sector, so that a concurrent reader can catch a torn block.</summary>
    private static CallResult Store(RunContext ctx, Step step, uint iteration)
    {
        ctx.MappingChange.EnterReadLock();
        try
        {
            if ((MappingProblem(ctx, forWrite: true) ?? PastEof(ctx, step)) is { } why)
                return KernelCalls.NotRun(why);
            var stamp = StampFor(ctx, step, iteration, Writer.Cpu);
            var start = MonotonicClock.Now;
            foreach (var b in step.Blocks.Blocks)
                BlockCodec.Stamp(ctx.Mapping!.Span(ctx.Geometry.OffsetOf(b), ctx.Geometry.BlockSize), stamp with { Block = b });
            return CallResult.Success(start, MonotonicClock.Now);
        }
        finally
        {
            ctx.MappingChange.ExitReadLock();
        }
    }

    /// <summary>pread(O_DIRECT) from the step's source file into the mapping: GUP with FOLL_PIN on the mapped
    /// pages for the duration of the I/O, and the bio dirties them when it completes.</summary>
    private static CallResult ODirectRead(RunContext ctx, Step step, uint iteration)
    {
        if ((MappingProblem(ctx, forWrite: false) ?? PastEof(ctx, step)) is { } why)
            return KernelCalls.NotRun(why);
        var source = ctx.Source(step);
        var prepared = source.Prepare(ctx.Geometry, step.Blocks, StampFor(ctx, step, iteration, Writer.ODirect));
        if (!prepared.Ok)
            return SourceFailed(prepared);
        return OverRuns(ctx, step, (off, len) => KernelCalls.Complete(source.Direct.PRead(ctx.Mapping!.Address + (nint)off, len, off), len));
    }

    /// <summary>pwrite(O_DIRECT) from the mapping to an output file.</summary>
    private static CallResult ODirectWrite(RunContext ctx, Step step, uint iteration)
    {
        if ((MappingProblem(ctx, forWrite: false) ?? PastEof(ctx, step)) is { } why)
            return KernelCalls.NotRun(why);
        var output = ctx.Outputs[step.Args.Target!];
        return OverRuns(ctx, step, (off, len) => KernelCalls.Complete(output.Direct.PWrite(ctx.Mapping!.Address + (nint)off, len, off), len));
    }

    private static CallResult Msync(RunContext ctx, Step step, uint iteration)
    {
        if (MappingProblem(ctx, forWrite: false) is { } why)
            return KernelCalls.NotRun(why);
        var flags = step.Args.Mode switch { "async" => MS_ASYNC, "invalidate" => MS_SYNC | MS_INVALIDATE, _ => MS_SYNC };
        return OverRuns(ctx, step, (off, len) => ctx.Mapping!.Msync(off, len, flags));
    }

    private static CallResult Mprotect(RunContext ctx, Step step, uint iteration)
    {
        if (MappingProblem(ctx, forWrite: false) is { } why)
            return KernelCalls.NotRun(why);
        var readOnly = step.Args.Mode == "ro";
        return ChangingMapping(ctx, () =>
        {
            var call = KernelCalls.Time(() => ctx.Mapping!.Protect(readOnly ? PROT_READ : PROT_READ | PROT_WRITE));
            if (call.Ok)
                ctx.ReadOnly = readOnly;
            return call;
        });
    }

    private static CallResult Munmap(RunContext ctx, Step step, uint iteration) => ChangingMapping(ctx, () =>
    {
        var call = KernelCalls.Time(() => ctx.Mapping!.Unmap());
        if (call.Ok)
            ctx.MappingGone = $"unmapped by {step}";
        return call;
    });

    /// <summary>Changes the mapping's protection or presence while no CPU store is under way (<see cref="RunContext.MappingChange"/>).</summary>
    private static CallResult ChangingMapping(RunContext ctx, Func<CallResult> change)
    {
        ctx.MappingChange.EnterWriteLock();
        try
        {
            return change();
        }
        finally
        {
            ctx.MappingChange.ExitWriteLock();
        }
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
    public static CallResult OverRuns(RunContext ctx, Step step, Func<long, long, SysResult> call)
    {
        var start = MonotonicClock.Now;
        foreach (var (first, count) in step.Blocks.Runs())
        {
            var r = call(ctx.Geometry.OffsetOf(first), (long)count * ctx.Geometry.BlockSize);
            if (!r.Ok)
                return KernelCalls.Of(r, start, MonotonicClock.Now);
        }
        return CallResult.Success(start, MonotonicClock.Now);
    }

    /// <summary>The step's source file could not be written: the step fails with that errno before its own call.</summary>
    public static CallResult SourceFailed(SysResult prepared) => KernelCalls.Of(prepared, 0, 0, "writing the source file failed");

    /// <summary>Why the mapping cannot be touched: gone, or (for CPU stores) read-only — the store would fault the harness.</summary>
    public static string? MappingProblem(RunContext ctx, bool forWrite) =>
        ctx.Mapping is null || ctx.MappingGone is not null ? ctx.MappingGone ?? "no mapping"
        : forWrite && ctx.ReadOnly ? HarnessFaults.StoreIntoReadOnlyMapping
        : null;

    /// <summary>Touching a mapped page past EOF raises SIGBUS; such steps are not run and say so.</summary>
    public static string? PastEof(RunContext ctx, Step step) =>
        ctx.Backing.Data is not null && step.Blocks.Last >= ctx.FileBlocks ? HarnessFaults.PastEndOfFile(step.Blocks.Last, ctx.FileBlocks) : null;
}
