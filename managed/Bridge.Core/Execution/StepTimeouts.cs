using System.Globalization;
using Bridge.Core.Scenarios;

namespace Bridge.Core.Execution;

/// <summary>
/// How long a step may take before it is a hang (the <c>--timeout</c> option): one call of a step outside races may
/// take the timeout; a race, its time bound (with only a count, <see cref="CountOnlyRaceBound"/>) plus the timeout.
/// A target that hears nothing from its agent for longer than a scenario could take (<see cref="ScenarioBound"/>)
/// takes it for dead.
/// </summary>
public static class StepTimeouts
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(60);

    /// <summary>The longest timeout accepted: a step still in the kernel after an hour has hung.</summary>
    public static readonly TimeSpan Max = TimeSpan.FromHours(1);

    /// <summary>How long a race with a count and no time bound may run.</summary>
    public static readonly TimeSpan CountOnlyRaceBound = TimeSpan.FromMinutes(10);

    /// <summary>The form a timeout is given in, for help texts and errors.</summary>
    public static string Expected => $"a duration such as 90s, 5m or 500ms, more than 0 and at most {Max.TotalMinutes.ToString(CultureInfo.InvariantCulture)}m";

    /// <summary>Parses a timeout as the scenario language writes durations (<see cref="ArgValues.Duration"/>), or
    /// null when it is not one or is out of range.</summary>
    public static TimeSpan? Parse(string text) =>
        ArgValues.Duration(text, out _, Max) is { } t && t > TimeSpan.Zero ? t : null;

    /// <summary>The longest a scenario can run on a live kernel when each step may take <paramref name="timeout"/>:
    /// its races' bounds, plus one timeout (after a step hangs, no later one runs).</summary>
    public static TimeSpan ScenarioBound(Scenario scenario, TimeSpan timeout) =>
        scenario.Steps.Where(s => s.Effect == Effect.Race).Aggregate(timeout, (sum, race) => sum + (race.Args.For ?? CountOnlyRaceBound));
}
