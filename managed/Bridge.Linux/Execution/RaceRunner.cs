using Bridge.Core.Execution;
using Bridge.Core.Scenarios;
using Bridge.Linux.Host;
using Bridge.Linux.Interop;

namespace Bridge.Linux.Execution;

/// <summary>
/// Runs a race on the real kernel: every body step on its own thread, released together, each repeating until the
/// count or the time bound (or the run's interruption, checked between iterations) and recording every call in its
/// <see cref="RaceTally"/> (iteration i of a writing step writes generation (gen, i)). A thread still inside a call
/// a step timeout after the bound is a hang, and one still inside a call <see cref="StepWorker.InterruptGrace"/>
/// after the interruption is abandoned: its tally says so, and the thread is left (it may sit in the kernel for good).
/// </summary>
internal static class RaceRunner
{
    public static (long Start, long End, bool Abandoned) Run(RunContext ctx, Step race, IReadOnlyList<RaceTally> body, TimeSpan stepTimeout, CancellationToken interrupt)
    {
        var bound = race.Args.For;
        var count = race.Args.Count ?? int.MaxValue;
        var start = new ManualResetEventSlim();
        // Never disposed: an abandoned thread signals it whenever its call returns, if ever.
        var finished = new CountdownEvent(body.Count);
        var returned = new bool[body.Count];
        var threadIds = new int[body.Count];
        var threads = body.Select((tally, i) => new Thread(() =>
        {
            Volatile.Write(ref threadIds[i], ThreadId.Current);
            try
            {
                Loop(ctx, tally, count, start, bound, interrupt);
            }
            finally
            {
                Volatile.Write(ref returned[i], true);
                finished.Signal();
            }
        })
        { IsBackground = true, Name = $"race #{tally.Step.Index}" }).ToList();
        threads.ForEach(t => t.Start());
        var raceStart = MonotonicClock.Now;
        start.Set();
        var deadline = (bound ?? StepTimeouts.CountOnlyRaceBound) + stepTimeout;
        string? stillRunning = null;
        Func<string, long, long, CallResult> left = CallResult.Hang;
        try
        {
            if (!finished.Wait(deadline, interrupt))
                stillRunning = $"still running {deadline.TotalSeconds:0.###}s after the race began";
        }
        catch (OperationCanceledException)
        {
            // Every thread checks the interruption between iterations: all but one inside a long call stop at once.
            if (!finished.Wait(StepWorker.InterruptGrace))
                (stillRunning, left) = ($"still running {StepWorker.InterruptGrace.TotalSeconds:0.#}s after the run was interrupted; abandoned", CallResult.Interrupted);
        }
        var raceEnd = MonotonicClock.Now;
        var abandoned = false;
        for (var i = 0; i < body.Count && stillRunning is not null; i++)
        {
            if (Volatile.Read(ref returned[i]))
                continue;
            body[i].Record(left(KernelStack.After(stillRunning, Volatile.Read(ref threadIds[i])), raceStart, raceEnd));
            abandoned = true;
        }
        return (raceStart, raceEnd, abandoned);
    }

    private static void Loop(RunContext ctx, RaceTally tally, int count, ManualResetEventSlim start, TimeSpan? bound, CancellationToken interrupt)
    {
        var handler = StepHandlers.All[tally.Step.Verb];
        start.Wait();
        var until = bound is { } b ? MonotonicClock.Now + (long)b.TotalNanoseconds : long.MaxValue;
        for (long i = 0; i < count && MonotonicClock.Now < until && !interrupt.IsCancellationRequested; i++)
            if (!tally.Record(handler(ctx, tally.Step, (uint)i)))
                break;
    }
}
