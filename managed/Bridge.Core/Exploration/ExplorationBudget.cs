using Bridge.Core.Scenarios;

namespace Bridge.Core.Exploration;

/// <summary>How long an exploration may be told to run (<c>explore --for</c>): durations as the scenario language
/// writes them (<c>90s</c>, <c>10m</c>), up to a week.</summary>
public static class ExplorationBudget
{
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(7);

    public static string Expected => $"a duration such as 90s, 10m or 600m, more than 0 and at most {MaxDuration.TotalMinutes:0}m";

    public static TimeSpan? Parse(string text) => ArgValues.Duration(text, out _, MaxDuration);
}
