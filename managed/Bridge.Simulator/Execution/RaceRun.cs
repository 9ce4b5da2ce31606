using Bridge.Core.Observations;
using Bridge.Core.Scenarios;
using Bridge.Simulator.Model;

namespace Bridge.Simulator.Execution;

/// <summary>
/// A race: every body step is a thread repeating its operation (iteration i writes generation gen.i) until the
/// count or the (capped) time bound; a seeded scheduler picks which thread advances at every preemption point,
/// so writeback, faults and device writes interleave at page and sector granularity. The optional flusher is
/// one more thread. RaceStats come from the model clock, so they are consistent with the interleaving.
/// </summary>
internal sealed class RaceRun(Kernel kernel, ModelClock clock, SplitMix64 random, SimOptions options, Step race, string? pinFailure)
{
    private readonly List<StepResult> _results = [];

    public IReadOnlyList<StepResult> Run()
    {
        var start = clock.Now;
        var deadline = race.Args.For is { } duration
            ? start + (long)Math.Min(duration.TotalNanoseconds, options.RaceCap.TotalNanoseconds)
            : long.MaxValue;
        var workers = new List<Worker>();
        foreach (var step in race.Body)
        {
            if (VerbOps.NeedsPin(step) && kernel.Pin is null)
                _results.Add(StepResult.Skipped(step.Index, pinFailure ?? "no pin is held"));
            else
                workers.Add(new Worker(kernel, clock, step, race.Args.Count, deadline));
        }
        var running = workers.Select(w => w.Loop().GetEnumerator()).ToList();
        var live = new List<int>(Enumerable.Range(0, running.Count));
        var flusher = options.FlusherChance > 0 ? Flusher(() => live.Count > 0).GetEnumerator() : null;
        while (live.Count > 0 && !workers.Any(w => w.Hung))
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
        _results.Add(StepResult.Success(race.Index, start, clock.Now));
        _results.AddRange(workers.Select(w => w.Result()));
        return _results;
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

    /// <summary>One racing step: its iterations and their statistics.</summary>
    private sealed class Worker(Kernel kernel, ModelClock clock, Step step, int? count, long deadline)
    {
        private long _iterations, _failures, _lastOk = -1, _lastOkStart, _lastOkEnd, _first = -1, _last;
        private OpResult _summary = new();

        public bool Hung => _summary.Hung;

        public IEnumerable<Yield> Loop()
        {
            for (var i = 0; count is { } n ? i < n : clock.Now < deadline; i++)
            {
                var result = new OpResult();
                var start = clock.Now;
                if (_first < 0)
                    _first = start;
                foreach (var y in VerbOps.Table[step.Keyword](kernel, step, i, result))
                    yield return y;
                _last = clock.Now;
                if (result.NotRunReason is { } why)
                {
                    // As the executor's race runner: a call it would not attempt ends this step's loop.
                    if (_iterations == 0)
                        _summary.NotRun(why);
                    yield break;
                }
                _iterations++;
                if (result.Hung)
                {
                    _summary = result;
                    yield break;
                }
                if (result.Errno is { } errno)
                {
                    _failures++;
                    if (_summary.Errno is null)
                        _summary.Fail(errno, result.Detail);
                }
                else
                {
                    (_lastOk, _lastOkStart, _lastOkEnd) = (i, start, _last);
                }
                yield return Yield.Preempt;
            }
        }

        public StepResult Result()
        {
            var stats = new RaceStats(_iterations, _failures, _lastOk, _lastOkStart, _lastOkEnd);
            return Results.Of(step, _summary, Math.Max(_first, 0), _last, stats);
        }
    }
}
