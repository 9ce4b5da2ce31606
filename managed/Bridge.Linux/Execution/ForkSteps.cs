using Bridge.Core.Blocks;
using Bridge.Core.Execution;
using Bridge.Core.Scenarios;
using Bridge.Linux.Interop;

namespace Bridge.Linux.Execution;

/// <summary>fork: a child stores a generation through its copy of the mapping and stays alive until the scenario
/// ends. On a private mapping its stores land in its own COW copies and the parent's pages are COW-shared with it;
/// on a shared one they land in the shared pages. Around a pin this is tools/testing/selftests/mm/cow.c's
/// "fork() with an iouring fixed buffer": the parent's later stores must still reach the pinned pages.</summary>
internal static class ForkSteps
{
    public static CallResult Fork(RunContext ctx, Step step, uint iteration)
    {
        if ((StepHandlers.MappingProblem(ctx, forWrite: true) ?? StepHandlers.PastEof(ctx, step)) is { } why)
            return KernelCalls.NotRun(why);
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
        ForkedChild? child = null;
        var call = KernelCalls.Time(() =>
        {
            var (c, r) = ForkedChild.Start(copies);
            child = c;
            return r;
        });
        if (child is not null)
            ctx.Children.Add(child);
        return call;
    }
}
