using System.Diagnostics;

namespace Bridge.Linux.Execution;

/// <summary>CLOCK_MONOTONIC in nanoseconds (Stopwatch is CLOCK_MONOTONIC on Linux): one clock for every thread of
/// a race, so "began after that ended" comparisons between threads hold. Counted from the clock's first use in this
/// process, not from boot: results carry these times as JSON numbers, which stay exact below 2^53 (104 days) — a
/// machine's uptime passes that, a run does not.</summary>
public static class MonotonicClock
{
    private static readonly double NsPerTick = 1e9 / Stopwatch.Frequency;
    private static readonly long Origin = Stopwatch.GetTimestamp();

    public static long Now => (long)((Stopwatch.GetTimestamp() - Origin) * NsPerTick);
}
