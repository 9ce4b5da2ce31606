using Bridge.Core.Scenarios;
using Bridge.Linux.PinPaths;

namespace Bridge.Linux.Execution;

/// <summary>pin / unpin / dma / dma-read: the pin path's device does the work; these map blocks to its range.
/// Steps after a refused pin are not run: the refusal is the result, and the device never wrote.</summary>
internal static class PinSteps
{
    public static StepCall Pin(RunContext ctx, Step step, uint iteration)
    {
        if (StepHandlers.MappingProblem(ctx, forWrite: false) is { } why)
            return StepCall.Skip(why);
        var path = PinPathRegistry.Find(step.Args.PinPath!)!;
        var offset = ctx.Geometry.OffsetOf(step.Blocks.First);
        var length = (long)(step.Blocks.Last - step.Blocks.First + 1) * ctx.Geometry.BlockSize;
        IPinnedRange? pin = null;
        var call = StepCall.Time(() =>
        {
            var (p, r) = path.Pin(ctx.Mapping!, offset, length, step.Args.Access ?? PinAccess.None);
            pin = p;
            return r;
        });
        if (call.Result.Ok)
        {
            ctx.Pin = pin;
            ctx.PinOffset = offset;
            ctx.PinWriter = Core.Scenarios.PinPathTable.Find(path.Name)!.DeviceWriter;
            ctx.PinFailure = null;
        }
        else
        {
            ctx.PinFailure = $"the pin was refused ({step}: {call.Result.ErrnoName})";
        }
        return call;
    }

    public static StepCall Unpin(RunContext ctx, Step step, uint iteration)
    {
        if (ctx.Pin is not { } pin)
            return StepCall.Skip(ctx.PinFailure ?? "no pin held");
        var call = StepCall.Time(pin.Unpin);
        pin.Dispose();
        ctx.Pin = null;
        return call;
    }

    public static StepCall DeviceWrite(RunContext ctx, Step step, uint iteration)
    {
        if (ctx.Pin is not { } pin)
            return StepCall.Skip(ctx.PinFailure ?? "no pin held");
        var source = ctx.Source(step);
        var prepared = source.Prepare(ctx.Geometry, step.Blocks, StepHandlers.StampFor(ctx, step, iteration, ctx.PinWriter));
        if (!prepared.Ok)
            return new StepCall(prepared, 0, 0, Detail: "writing the source file failed");
        return Runs(ctx, step, (off, len) => pin.DeviceWrite(source.Buffer, source.Direct, off, off - ctx.PinOffset, len));
    }

    public static StepCall DeviceRead(RunContext ctx, Step step, uint iteration)
    {
        if (ctx.Pin is not { } pin)
            return StepCall.Skip(ctx.PinFailure ?? "no pin held");
        var output = ctx.Outputs[step.Args.Target!];
        return Runs(ctx, step, (off, len) => pin.DeviceRead(output.Direct, off, off - ctx.PinOffset, len));
    }

    private static StepCall Runs(RunContext ctx, Step step, Func<long, long, StepCall> call)
    {
        long start = 0, end = 0;
        foreach (var (first, count) in step.Blocks.Runs())
        {
            var c = call(ctx.Geometry.OffsetOf(first), (long)count * ctx.Geometry.BlockSize);
            start = start == 0 ? c.Start : start;
            end = c.End;
            if (!c.Result.Ok || c.NotRun is not null)
                return c with { Start = start };
        }
        return new StepCall(default, start, end);
    }
}
