using Bridge.Core.Execution;
using Bridge.Core.Scenarios;
using Bridge.Linux.PinPaths;

namespace Bridge.Linux.Execution;

/// <summary>pin / unpin / dma / dma-read: the pin path's device does the work; these map blocks to its range. The
/// <see cref="Sequencer"/> runs the last three only while the pin is held (after a refused pin they are not run).</summary>
internal static class PinSteps
{
    public static CallResult Pin(RunContext ctx, Step step, uint iteration)
    {
        if (StepHandlers.MappingProblem(ctx, forWrite: false) is { } why)
            return KernelCalls.NotRun(why);
        var path = PinPathRegistry.For(step.PinPath);
        var offset = ctx.Geometry.OffsetOf(step.Blocks.First);
        var length = (long)(step.Blocks.Last - step.Blocks.First + 1) * ctx.Geometry.BlockSize;
        IPinnedRange? pin = null;
        var call = KernelCalls.Time(() =>
        {
            var (p, r) = path.Pin(ctx.Mapping!, offset, length, step.Args.Access ?? PinAccess.None);
            pin = p;
            return r;
        });
        if (call.Ok)
        {
            ctx.Pin = pin;
            ctx.PinOffset = offset;
            ctx.PinWriter = step.PinPath.DeviceWriter;
        }
        return call;
    }

    public static CallResult Unpin(RunContext ctx, Step step, uint iteration)
    {
        var pin = Held(ctx, step);
        var call = KernelCalls.Time(pin.Unpin);
        pin.Dispose();
        ctx.Pin = null;
        return call;
    }

    public static CallResult DeviceWrite(RunContext ctx, Step step, uint iteration)
    {
        var pin = Held(ctx, step);
        var source = ctx.Source(step);
        var prepared = source.Prepare(ctx.Geometry, step.Blocks, StepHandlers.StampFor(ctx, step, iteration, ctx.PinWriter));
        if (!prepared.Ok)
            return StepHandlers.SourceFailed(prepared);
        return Runs(ctx, step, (off, len) => pin.DeviceWrite(source.Buffer, source.Direct, off, off - ctx.PinOffset, len));
    }

    public static CallResult DeviceRead(RunContext ctx, Step step, uint iteration)
    {
        var pin = Held(ctx, step);
        var output = ctx.Outputs[step.Args.Target!];
        return Runs(ctx, step, (off, len) => pin.DeviceRead(output.Direct, off, off - ctx.PinOffset, len));
    }

    private static IPinnedRange Held(RunContext ctx, Step step) =>
        ctx.Pin ?? throw new InvalidOperationException($"{step}: no pin is held; the sequencer runs it only after a pin that succeeded");

    private static CallResult Runs(RunContext ctx, Step step, Func<long, long, CallResult> call)
    {
        long start = 0, end = 0;
        foreach (var (first, count) in step.Blocks.Runs())
        {
            var c = call(ctx.Geometry.OffsetOf(first), (long)count * ctx.Geometry.BlockSize);
            start = start == 0 ? c.Start : start;
            end = c.End;
            if (!c.Ok)
                return c with { Start = start };
        }
        return CallResult.Success(start, end);
    }
}
