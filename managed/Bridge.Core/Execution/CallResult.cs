using Bridge.Core.Observations;

namespace Bridge.Core.Execution;

/// <summary>
/// How one call of a step ended (one iteration inside a race), as both executors report it: ok, an errno, not
/// attempted (with the reason), hung, or interrupted — with when the call began and returned (monotonic nanoseconds of the
/// run: the real clock on a kernel, the model clock in the simulator). <see cref="ToStepResult"/> is the one place
/// a call becomes the <see cref="StepResult"/> an observation records.
/// </summary>
public readonly record struct CallResult(Outcome Outcome, long Start, long End, string? Errno = null, int ErrnoNumber = 0, string? Detail = null)
{
    public bool Ok => Outcome == Outcome.Ok;

    public static CallResult Success(long start, long end, string? detail = null) => new(Outcome.Ok, start, end, Detail: detail);

    /// <summary>A failed call, by errno number (<see cref="Errnos.ShortTransfer"/> for a short read or write).</summary>
    public static CallResult Failed(int errno, long start, long end, string? detail = null) =>
        new(Outcome.Errno, start, end, Errnos.Name(errno), errno, detail);

    /// <summary>A failed call, by errno name (what the simulator's model returns).</summary>
    public static CallResult Failed(string errno, long start, long end, string? detail = null) =>
        new(Outcome.Errno, start, end, errno, Errnos.Number(errno), detail);

    /// <summary>A call the executor did not attempt: it would fault the harness (SIGSEGV, SIGBUS), or a step it
    /// depends on failed. <paramref name="at"/> is when that was decided.</summary>
    public static CallResult NotRun(string why, long at = 0) => new(Outcome.NotRun, at, at, Detail: why);

    /// <summary>A call that never returned (a kernel BUG killed the task, or it waits forever).</summary>
    public static CallResult Hang(string detail, long start, long end) => new(Outcome.Timeout, start, end, Detail: detail);

    /// <summary>A call the run's interruption (SIGINT, SIGTERM) cut short or abandoned.</summary>
    public static CallResult Interrupted(string detail, long start, long end) => new(Outcome.Interrupted, start, end, Detail: detail);

    /// <summary>The result a step that ran as this one call records. A not-run step records no times.</summary>
    public StepResult ToStepResult(int step) => Outcome switch
    {
        Outcome.Ok => StepResult.Success(step, Start, End, Detail),
        Outcome.Errno => StepResult.Failure(step, Errno!, ErrnoNumber, Start, End, Detail),
        Outcome.NotRun => StepResult.Skipped(step, Detail!),
        _ => new StepResult(step, Outcome, Detail: Detail, Start: Start, End: End),
    };
}
