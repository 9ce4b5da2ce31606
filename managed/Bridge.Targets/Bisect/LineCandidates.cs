using Bridge.Targets.Vm.Kernels;

namespace Bridge.Targets.Bisect;

/// <summary><c>pinbridge bisect --line LINE</c>: the candidates are every version of the line the archive's package
/// index offers (<see cref="KernelIndex.Versions"/>), oldest first by dpkg's version order; each boots as
/// <c>vm:LINE@ABI</c>.</summary>
public static class LineCandidates
{
    /// <summary>The range from <paramref name="good"/> (default the oldest) to <paramref name="bad"/> (default the
    /// newest); either may be named as <c>vm:LINE@VERSION</c> accepts it (6.12.111, 6.12.111+deb12, the release or
    /// the Debian version).</summary>
    /// <exception cref="ArgumentException">The line offers nothing, a version is not offered, or --good is newer than
    /// --bad; the message lists what the line offers.</exception>
    public static BisectPlan Plan(IReadOnlyList<KernelVersion> versions, string? good, string? bad, bool every)
    {
        var ordered = versions.OrderBy(v => v.Version).ThenBy(v => v.Abi, StringComparer.Ordinal).ToList();
        if (ordered.Count == 0)
            throw new ArgumentException("the archive's index offers no version of this line ('pinbridge kernels --refresh' fetches it)");
        int Find(string? requested, int fallback, string option)
        {
            if (requested is null)
                return fallback;
            var i = ordered.FindLastIndex(v => v.IsNamedBy(requested));
            return i >= 0 ? i : throw new ArgumentException($"{option} {requested}: the line has no such version; expected one of {string.Join(", ", ordered.Select(v => v.Abi))}");
        }
        var low = Find(good, 0, "--good");
        var high = Find(bad, ordered.Count - 1, "--bad");
        if (low > high)
            throw new ArgumentException($"--good {ordered[low].Abi} is newer than --bad {ordered[high].Abi}; expected the older version as --good (the search finds the first version whose verdict differs from --good's: a fix as well as a regression)");
        return new BisectPlan([.. ordered.Select(v => new BisectCandidate(v.Abi, $"{v.Line}@{v.Abi}", v.DebianVersion))], low, high, good is not null, bad is not null, every);
    }
}
