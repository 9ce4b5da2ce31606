using Bridge.Core.Observations;
using Bridge.Core.Scenarios;
using Bridge.Simulator.Model;

namespace Bridge.Simulator.Execution;

/// <summary>Turns how an operation ended into the <see cref="StepResult"/> the executor reports.</summary>
internal static class Results
{
    /// <summary>A call not attempted is not-run; a hung call is a time-out; a failed call an errno — for a race step,
    /// its first failure, with the statistics of every iteration (as Bridge.Linux's RaceRunner reports it).</summary>
    public static StepResult Of(Step step, OpResult result, long start, long end, RaceStats? race)
    {
        if (result.NotRunReason is { } why)
            return StepResult.Skipped(step.Index, why) with { Race = race };
        if (result.Hung)
            return new StepResult(step.Index, Outcome.Timeout, Detail: result.Detail, Start: start, End: end, Race: race);
        if (result.Errno is { } errno)
            return StepResult.Failure(step.Index, errno, Errnos.Number(errno), start, end,
                race is { } r ? $"{r.Failures} of {r.Iterations} iterations failed" : result.Detail) with
            { Race = race };
        return new StepResult(step.Index, Outcome.Ok, Detail: result.Detail, Start: start, End: end, Race: race);
    }
}
