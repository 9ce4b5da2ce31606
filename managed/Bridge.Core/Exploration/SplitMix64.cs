namespace Bridge.Core.Exploration;

/// <summary>splitmix64: the simulator's only source of randomness (seeded from the run id, so a run repeats exactly)
/// and the scenario generator's (seeded from the exploration's seed, so a seed repeats its scenarios).</summary>
public sealed class SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public ulong Next()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, n).</summary>
    public int Below(int n) => (int)((Next() >> 33) % (ulong)n);

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public bool Chance(double p) => p > 0 && (Next() >> 11) * (1.0 / (1UL << 53)) < p;
}
