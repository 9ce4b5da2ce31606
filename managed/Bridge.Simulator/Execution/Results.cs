using Bridge.Core.Observations;
using Bridge.Core.Scenarios;
using Bridge.Simulator.Model;

namespace Bridge.Simulator.Execution;

/// <summary>Turns how an operation ended into the <see cref="StepResult"/> the executor reports.</summary>
internal static class Results
{
    /// <summary>A hung call is a time-out; a failed call an errno; a race step that succeeded at least once is ok
    /// and still names its first failure.</summary>
    public static StepResult Of(Step step, OpResult result, long start, long end, RaceStats? race)
    {
        if (result.Hung)
            return new StepResult(step.Index, Outcome.Timeout, Detail: result.Detail, Start: start, End: end, Race: race);
        if (result.Errno is { } errno && race is not { LastOkIteration: >= 0 })
            return StepResult.Failure(step.Index, errno, Errnos.Number(errno), start, end, result.Detail) with { Race = race };
        return new StepResult(step.Index, Outcome.Ok, result.Errno, result.Errno is null ? 0 : Errnos.Number(result.Errno),
            result.Detail, start, end, race);
    }
}
