namespace Bridge.Simulator.Execution;

/// <summary>Knobs of a simulated run that are not kernel policy.</summary>
/// <param name="FlusherChance">Probability that the flusher (dirty_expire writeback, WB_SYNC_NONE) runs a pass
/// between two steps, and per scheduling slot inside a race. 0 (the default) leaves writeback to the steps
/// themselves, as in a real run that lasts milliseconds against a 30 s dirty_expire.</param>
/// <param name="RaceTimeCap">Model time a <c>race for=T</c> runs at most: iteration counts are arbitrary on a
/// real kernel too, and the model's time is cheap only up to a point.</param>
public sealed record SimOptions(double FlusherChance = 0, TimeSpan? RaceTimeCap = null)
{
    public static readonly SimOptions Default = new();

    public TimeSpan RaceCap => RaceTimeCap ?? TimeSpan.FromMilliseconds(5);
}
