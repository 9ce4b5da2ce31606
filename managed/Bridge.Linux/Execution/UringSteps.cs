using Bridge.Core.Blocks;
using Bridge.Core.Execution;
using Bridge.Core.Scenarios;

namespace Bridge.Linux.Execution;

/// <summary>uring-read / uring-write: io_uring READV / WRITEV with the mapping as an ordinary iovec — the kernel
/// pins the pages only for the I/O (short-term FOLL_PIN), as O_DIRECT does. Each step has its own ring, so racing
/// steps never share one.</summary>
internal static class UringSteps
{
    public static CallResult Read(RunContext ctx, Step step, uint iteration)
    {
        if ((StepHandlers.MappingProblem(ctx, forWrite: false) ?? StepHandlers.PastEof(ctx, step)) is { } why)
            return KernelCalls.NotRun(why);
        var ring = ctx.Ring(step);
        var source = ctx.Source(step);
        var prepared = source.Prepare(ctx.Geometry, step.Blocks, StepHandlers.StampFor(ctx, step, iteration, Writer.Uring));
        if (!prepared.Ok)
            return StepHandlers.SourceFailed(prepared);
        return StepHandlers.OverRuns(ctx, step, (off, len) => KernelCalls.Complete(ring.Read(source.Direct, ctx.Mapping!.Address + (nint)off, len, off), len));
    }

    public static CallResult Write(RunContext ctx, Step step, uint iteration)
    {
        if ((StepHandlers.MappingProblem(ctx, forWrite: false) ?? StepHandlers.PastEof(ctx, step)) is { } why)
            return KernelCalls.NotRun(why);
        var ring = ctx.Ring(step);
        var output = ctx.Outputs[step.Args.Target!];
        return StepHandlers.OverRuns(ctx, step, (off, len) => KernelCalls.Complete(ring.Write(output.Direct, ctx.Mapping!.Address + (nint)off, len, off), len));
    }
}
