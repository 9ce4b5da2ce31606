using Bridge.Core.Execution;
using Bridge.Core.Scenarios;

namespace Bridge.Linux.Execution;

/// <summary>
/// Runs a race on the real kernel: every body step on its own thread, released together, each repeating until the
/// count or the time bound and recording every call in its <see cref="RaceTally"/> (iteration i of a writing step
/// writes generation (gen, i)). A thread still inside a call well after the bound is a hang: its tally says so,
/// and the thread is abandoned (it may sit in the kernel for good).
/// </summary>
internal static class RaceRunner
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(60);

    public static (long Start, long End) Run(RunContext ctx, Step race, IReadOnlyList<RaceTally> body)
    {
        var bound = race.Args.For;
        var count = race.Args.Count ?? int.MaxValue;
        var start = new ManualResetEventSlim();
        var threads = body.Select(tally => new Thread(() => Loop(ctx, tally, count, start, bound)) { IsBackground = true, Name = $"race #{tally.Step.Index}" }).ToList();
        threads.ForEach(t => t.Start());
        var raceStart = MonotonicClock.Now;
        start.Set();
        var deadline = (bound ?? TimeSpan.FromMinutes(10)) + Grace;
        var hung = body.Zip(threads).Where(p => !p.Second.Join(deadline)).Select(p => p.First).ToList();
        var raceEnd = MonotonicClock.Now;
        foreach (var tally in hung)
            tally.Record(CallResult.Hang($"still running {deadline.TotalSeconds:0}s after the race began", raceStart, raceEnd));
        return (raceStart, raceEnd);
    }

    private static void Loop(RunContext ctx, RaceTally tally, int count, ManualResetEventSlim start, TimeSpan? bound)
    {
        var handler = StepHandlers.All[tally.Step.Verb];
        start.Wait();
        var until = bound is { } b ? MonotonicClock.Now + (long)b.TotalNanoseconds : long.MaxValue;
        for (long i = 0; i < count && MonotonicClock.Now < until; i++)
            if (!tally.Record(handler(ctx, tally.Step, (uint)i)))
                break;
    }
}
