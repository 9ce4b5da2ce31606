using Bridge.Core.Exploration;
using Bridge.Core.Execution;
using Bridge.Core.Scenarios;
using Bridge.Simulator.Model;

namespace Bridge.Simulator.Execution;

/// <summary>
/// A race on the model: every body step is a thread repeating its operation (iteration i writes generation gen.i)
/// until the count or the (capped) time bound, recording every call in its <see cref="RaceTally"/>; a seeded
/// scheduler picks which thread advances at every preemption point, so writeback, faults and device writes
/// interleave at page and sector granularity. The optional flusher is one more thread. Times come from the model
/// clock, so the race statistics are consistent with the interleaving.
/// </summary>
internal sealed class RaceRun(Kernel kernel, ModelClock clock, SplitMix64 random, SimOptions options, Step race)
{
    public (long Start, long End) Run(IReadOnlyList<RaceTally> body)
    {
        var start = clock.Now;
        var deadline = race.Args.For is { } duration
            ? start + (long)Math.Min(duration.TotalNanoseconds, options.RaceCap.TotalNanoseconds)
            : long.MaxValue;
        var running = body.Select(t => Loop(t, race.Args.Count, deadline).GetEnumerator()).ToList();
        var live = new List<int>(Enumerable.Range(0, running.Count));
        var flusher = options.FlusherChance > 0 ? Flusher(() => live.Count > 0).GetEnumerator() : null;
        while (live.Count > 0 && !body.Any(t => t.Hung))
        {
            clock.Tick();
            var pick = random.Below(live.Count + (flusher is null ? 0 : 1));
            if (pick == live.Count)
            {
                flusher!.MoveNext();
                continue;
            }
            if (!running[live[pick]].MoveNext())
                live.RemoveAt(pick);
        }
        live.Clear();
        while (flusher?.MoveNext() == true)
            clock.Tick(); // finish the I/O in flight: no page is left under writeback between steps
        clock.Tick();
        return (start, clock.Now);
    }

    private IEnumerable<Yield> Flusher(Func<bool> othersRunning)
    {
        while (othersRunning())
        {
            if (random.Chance(options.FlusherChance))
                foreach (var y in kernel.FlusherPass())
                    yield return y;
            yield return Yield.Preempt;
        }
    }

    /// <summary>One racing step: its iterations, each recorded in its tally until the tally says stop.</summary>
    private IEnumerable<Yield> Loop(RaceTally tally, int? count, long deadline)
    {
        var op = VerbOps.Table[tally.Step.Verb];
        for (var i = 0; count is { } n ? i < n : clock.Now < deadline; i++)
        {
            var status = new CallStatus();
            var start = clock.Now;
            foreach (var y in op(kernel, tally.Step, i, status))
                yield return y;
            if (!tally.Record(status.ToCall(start, clock.Now)))
                yield break;
            yield return Yield.Preempt;
        }
    }
}
