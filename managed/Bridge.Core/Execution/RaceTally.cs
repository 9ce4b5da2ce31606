using Bridge.Core.Observations;
using Bridge.Core.Scenarios;

namespace Bridge.Core.Execution;

/// <summary>
/// What a race records of one body step: every call its thread made, in order (iteration i is the i-th call). It
/// counts iterations and failures, keeps the first errno and the timing of the last successful call — the oracle
/// orders racing writes and persistence calls by those — and says when the thread must stop: at a call it would
/// not attempt (not-run) or one that never returned (hang, or abandoned when the run was interrupted). A real kernel's hung thread may still return long
/// after the race was reported; the tally is locked so that such a late call changes nothing.
/// </summary>
public sealed class RaceTally(Step step)
{
    private readonly Lock _lock = new();
    private long _iterations, _failures, _lastOk = -1, _lastOkStart, _lastOkEnd, _first, _last;
    private bool _called, _hung;
    private CallResult? _firstFailure, _hang;
    private string? _notRun;

    public Step Step => step;

    /// <summary>Whether a call of this step never returned (it hung, or was abandoned when the run was interrupted):
    /// the race ends, and the scenario with it.</summary>
    public bool Hung
    {
        get
        {
            lock (_lock)
                return _hung;
        }
    }

    /// <summary>Records the next call; false when the thread must stop (the call was not attempted, or hung).</summary>
    public bool Record(CallResult call)
    {
        lock (_lock)
        {
            if (_hung || _notRun is not null)
                return false;
            if (!_called)
                (_first, _called) = (call.Start, true);
            _last = call.End;
            switch (call.Outcome)
            {
                case Outcome.NotRun:
                    _notRun = call.Detail;
                    return false;
                case Outcome.Timeout or Outcome.Interrupted:
                    _iterations++;
                    (_hang, _hung) = (call, true);
                    return false;
                case Outcome.Errno:
                    if (_failures++ == 0)
                        _firstFailure = call;
                    break;
                default:
                    (_lastOk, _lastOkStart, _lastOkEnd) = (_iterations, call.Start, call.End);
                    break;
            }
            _iterations++;
            return true;
        }
    }

    /// <summary>The step's result: its first failure if any iteration failed, with the statistics of all of them;
    /// not-run when its first call was not attempted; a time-out when a call hung; interrupted when one was abandoned.</summary>
    public StepResult Result()
    {
        lock (_lock)
        {
            var stats = new RaceStats(_iterations, _failures, _lastOk, _lastOkStart, _lastOkEnd);
            if (_hang is { } hang)
                return new StepResult(step.Index, hang.Outcome, Detail: hang.Detail, Start: _first, End: _last, Race: stats);
            if (_notRun is not null && _iterations == 0)
                return StepResult.Skipped(step.Index, _notRun) with { Race = stats };
            return _firstFailure is { } failure
                ? StepResult.Failure(step.Index, failure.Errno!, failure.ErrnoNumber, _first, _last, $"{_failures} of {_iterations} iterations failed") with { Race = stats }
                : StepResult.Success(step.Index, _first, _last) with { Race = stats };
        }
    }
}
