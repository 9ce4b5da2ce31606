using Bridge.Core.Blocks;
using Bridge.Core.Scenarios;
using Bridge.Linux.Interop;

namespace Bridge.Linux.Execution;

/// <summary>fork: a child stores a generation through its copy of the mapping and exits. On a private mapping the
/// child's stores land in its own COW copies; on a shared one, in the shared pages. Around a pin this is
/// tools/testing/selftests/mm/cow.c's "fork() with an iouring fixed buffer" case.</summary>
internal static class ForkSteps
{
    public static StepCall Fork(RunContext ctx, Step step, uint iteration)
    {
        if ((StepHandlers.MappingProblem(ctx, forWrite: true) ?? StepHandlers.PastEof(ctx, step)) is { } why)
            return StepCall.Skip(why);
        var g = ctx.Geometry;
        using var staged = new AlignedBuffer(g.FileSize);
        var stamp = StepHandlers.StampFor(ctx, step, iteration, Writer.Cpu);
        foreach (var b in step.Blocks.Blocks)
            BlockCodec.Stamp(staged.Span(g.OffsetOf(b), g.BlockSize), stamp with { Block = b });
        var copies = step.Blocks.Runs().Select(r => new ForkNative.Copy
        {
            Dst = ctx.Mapping!.Address + (nint)g.OffsetOf(r.First),
            Src = staged.Address + (nint)g.OffsetOf(r.First),
            Len = (nuint)((long)r.Count * g.BlockSize),
        }).ToArray();
        return StepCall.Time(() => ForkNative.ForkAndCopy(copies));
    }
}
