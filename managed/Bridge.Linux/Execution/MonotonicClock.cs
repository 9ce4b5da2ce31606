using System.Diagnostics;

namespace Bridge.Linux.Execution;

/// <summary>CLOCK_MONOTONIC in nanoseconds (Stopwatch is CLOCK_MONOTONIC on Linux): one clock for every thread of
/// a race, so "began after that ended" comparisons between threads hold.</summary>
public static class MonotonicClock
{
    private static readonly double NsPerTick = 1e9 / Stopwatch.Frequency;

    public static long Now => (long)(Stopwatch.GetTimestamp() * NsPerTick);
}
