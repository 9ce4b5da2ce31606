using Bridge.Core.Observations;
using Bridge.Core.Scenarios;

namespace Bridge.Linux.Execution;

/// <summary>
/// Runs a race: every step of its body on its own thread, released together, each repeating until the count or
/// the time bound. Iteration i of a writing step writes generation (gen, i). Per step it records iterations,
/// failures (first errno) and the start/end of its last successful call: the oracle orders racing writes and
/// persistence calls by those times.
/// </summary>
internal static class RaceRunner
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(60);

    public static IEnumerable<StepResult> Run(RunContext ctx, Step race)
    {
        var bound = race.Args.For;
        var count = race.Args.Count ?? int.MaxValue;
        var start = new ManualResetEventSlim();
        var runners = race.Body.Select(step => new Runner(ctx, step, count)).ToList();
        var threads = runners.Select(r => new Thread(() => r.Loop(start, bound)) { IsBackground = true, Name = $"race #{r.Step.Index}" }).ToList();
        threads.ForEach(t => t.Start());
        var raceStart = MonotonicClock.Now;
        start.Set();
        var deadline = (bound ?? TimeSpan.FromMinutes(10)) + Grace;
        var hung = runners.Zip(threads).Where(p => !p.Second.Join(deadline)).Select(p => p.First).ToHashSet();
        var raceEnd = MonotonicClock.Now;
        var body = runners.Select(r => hung.Contains(r)
            ? new StepResult(r.Step.Index, Outcome.Timeout, Detail: $"still running {deadline.TotalSeconds:0}s after the race began", Start: raceStart, End: raceEnd)
            : r.Result()).ToList();
        var outcome = hung.Count > 0 ? Outcome.Timeout : Outcome.Ok;
        return body.Prepend(new StepResult(race.Index, outcome, Start: raceStart, End: raceEnd,
            Detail: string.Join(", ", body.Select(b => $"#{b.Step}×{b.Race?.Iterations ?? 0}"))));
    }

    private sealed class Runner(RunContext ctx, Step step, int count)
    {
        private readonly StepHandler _handler = StepHandlers.All[step.Keyword];
        private long _iterations, _failures, _lastOk = -1, _lastOkStart, _lastOkEnd;
        private string? _firstErrno, _notRun;
        private int _firstErrnoNumber;
        private long _first, _last;

        public Step Step => step;

        public void Loop(ManualResetEventSlim start, TimeSpan? bound)
        {
            start.Wait();
            var until = bound is { } b ? MonotonicClock.Now + (long)b.TotalNanoseconds : long.MaxValue;
            _first = MonotonicClock.Now;
            for (long i = 0; i < count && MonotonicClock.Now < until; i++)
            {
                var call = _handler(ctx, step, (uint)i);
                if (call.NotRun is not null)
                {
                    _notRun = call.NotRun;
                    break;
                }
                _iterations++;
                if (call.Result.Ok)
                {
                    (_lastOk, _lastOkStart, _lastOkEnd) = (i, call.Start, call.End);
                }
                else if (_failures++ == 0)
                {
                    (_firstErrno, _firstErrnoNumber) = (call.Result.ErrnoName, call.Result.Errno);
                }
            }
            _last = MonotonicClock.Now;
        }

        public StepResult Result()
        {
            var stats = new RaceStats(_iterations, _failures, _lastOk, _lastOkStart, _lastOkEnd);
            if (_notRun is not null && _iterations == 0)
                return new StepResult(step.Index, Outcome.NotRun, Detail: _notRun, Race: stats);
            return _failures == 0
                ? new StepResult(step.Index, Outcome.Ok, Start: _first, End: _last, Race: stats)
                : new StepResult(step.Index, Outcome.Errno, _firstErrno, _firstErrnoNumber, $"{_failures} of {_iterations} iterations failed", _first, _last, stats);
        }
    }
}
