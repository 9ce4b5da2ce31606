namespace Bridge.Targets.Bisect;

/// <summary>What testing one candidate gave: a verdict <see cref="Key"/> (two candidates with equal keys behave
/// alike), or why it cannot be tested (<see cref="Untestable"/>: boot failure, skipped, a refused pin).</summary>
public sealed record ProbeResult(string? Key, string? Untestable)
{
    public bool Testable => Untestable is null;

    public static ProbeResult Verdict(string key) => new(key, null);

    public static ProbeResult CannotTest(string reason) => new(null, reason);
}

/// <summary>What the search asks for next: test a candidate, or it is over.</summary>
public abstract record BisectStep
{
    public sealed record Test(int Index) : BisectStep;

    public sealed record Done(BisectConclusion Conclusion) : BisectStep;
}

public enum ConclusionKind
{
    /// <summary><see cref="BisectConclusion.LastOld"/> and <see cref="BisectConclusion.FirstNew"/> are adjacent
    /// testable candidates (only untestable ones between them, listed) with different verdicts.</summary>
    Changed,

    /// <summary>Both ends of the range have the same verdict (or it holds one testable candidate): no change found.</summary>
    NoChange,

    /// <summary>The range has no testable candidate, or an end the user named cannot be tested.</summary>
    CannotTest,

    /// <summary>Stopped (SIGINT, SIGTERM) before the search was over: the change lies between
    /// <see cref="BisectConclusion.LastOld"/> (or the range's old end, untested) and <see cref="BisectConclusion.FirstNew"/>
    /// (or the new end), and <see cref="BisectConclusion.Between"/> lists the candidates there not yet tested.</summary>
    Interrupted,
}

/// <summary>How a search ended. For <see cref="ConclusionKind.Changed"/>, <see cref="Between"/> lists the
/// untestable candidates between the two (the change may be at any of them, as with git bisect skip); with every
/// candidate tested, <see cref="Changes"/> holds every adjacent pair of testable candidates whose verdicts differ.</summary>
public sealed record BisectConclusion(
    ConclusionKind Kind,
    int? LastOld,
    int? FirstNew,
    IReadOnlyList<int> Between,
    IReadOnlyList<(int Before, int After)> Changes,
    string? Reason = null);

/// <summary>
/// The pure core of <c>pinbridge bisect</c>: candidates 0…N-1 in order (oldest first), the range
/// [<paramref name="low"/>, <paramref name="high"/>]. The search tests the low end, then the high end, and then looks
/// for the first candidate whose verdict differs from the low end's by halving the range between the last candidate
/// known to have the low end's verdict and the first known to differ — the same assumption git bisect makes: one
/// change in the range. A candidate that cannot be tested is skipped like <c>git bisect skip</c> (the untested
/// candidate nearest the middle is tried instead). An end the user did not name moves inward past untestable
/// candidates; one the user named that cannot be tested ends the search. With <paramref name="every"/>, every
/// candidate of the range is tested (oldest first) and every change is reported, not only the first.
/// <see cref="Next"/> is a function of the results recorded so far: no I/O, no clock.
/// </summary>
public sealed class BisectSearch
{
    private readonly int _low;
    private readonly int _high;
    private readonly bool _lowNamed;
    private readonly bool _highNamed;
    private readonly bool _every;
    private readonly Dictionary<int, ProbeResult> _results = [];

    public BisectSearch(int count, int low, int high, bool lowNamed = false, bool highNamed = false, bool every = false)
    {
        if (count < 1 || low < 0 || high >= count || low > high)
            throw new ArgumentOutOfRangeException(nameof(count), $"range [{low}, {high}] of {count} candidates");
        (_low, _high, _lowNamed, _highNamed, _every) = (low, high, lowNamed, highNamed, every);
    }

    /// <summary>The results recorded so far, by candidate.</summary>
    public IReadOnlyDictionary<int, ProbeResult> Results => _results;

    /// <summary>Records what testing candidate <paramref name="index"/> gave.</summary>
    public void Record(int index, ProbeResult result)
    {
        if (index < _low || index > _high)
            throw new ArgumentOutOfRangeException(nameof(index), $"candidate {index} is outside the range [{_low}, {_high}]");
        if (!_results.TryAdd(index, result))
            throw new InvalidOperationException($"candidate {index} was already tested");
    }

    public BisectStep Next()
    {
        var old = -1;
        for (var i = _low; i <= _high && old < 0; i++)
        {
            if (!_results.TryGetValue(i, out var r))
                return new BisectStep.Test(i);
            if (r.Testable)
                old = i;
            else if (i == _low && _lowNamed)
                return Over(ConclusionKind.CannotTest, reason: $"the old end cannot be tested: {r.Untestable}");
        }
        if (old < 0)
            return Over(ConclusionKind.CannotTest, reason: "no candidate in the range can be tested");
        var @new = -1;
        for (var i = _high; i > old && @new < 0; i--)
        {
            if (!_results.TryGetValue(i, out var r))
                return new BisectStep.Test(i);
            if (r.Testable)
                @new = i;
            else if (i == _high && _highNamed)
                return Over(ConclusionKind.CannotTest, reason: $"the new end cannot be tested: {r.Untestable}");
        }
        if (@new < 0)
            return Over(ConclusionKind.NoChange, old, old, reason: "the range holds one testable candidate");
        return _every ? NextOfEvery(old, @new) : NextHalving(old, @new);
    }

    private BisectStep NextHalving(int old, int @new)
    {
        var oldKey = _results[old].Key;
        if (_results[@new].Key == oldKey)
            return Over(ConclusionKind.NoChange, old, @new);
        var firstNew = Tested(old, @new + 1).First(i => _results[i].Key != oldKey);
        var lastOld = Tested(old, firstNew).Last();
        var untested = Enumerable.Range(lastOld + 1, firstNew - lastOld - 1).Where(i => !_results.ContainsKey(i)).ToList();
        if (untested.Count == 0)
            return Changed(lastOld, firstNew, [(lastOld, firstNew)]);
        var middle = (lastOld + firstNew) / 2.0;
        return new BisectStep.Test(untested.MinBy(i => Math.Abs(i - middle)));
    }

    private BisectStep NextOfEvery(int old, int @new)
    {
        for (var i = old + 1; i < @new; i++)
            if (!_results.ContainsKey(i))
                return new BisectStep.Test(i);
        var tested = Tested(old, @new + 1).ToList();
        var changes = tested.Zip(tested.Skip(1)).Where(p => _results[p.First].Key != _results[p.Second].Key).ToList();
        return changes.Count == 0
            ? Over(ConclusionKind.NoChange, old, @new)
            : Changed(changes[0].First, changes[0].Second, changes);
    }

    /// <summary>
    /// Where the search stands when it is stopped: the last candidate known to have the old end's verdict (null if
    /// none is known yet), the first known to differ (null if none is: then the change, if any, lies up to the new
    /// end), and the untested candidates between them — the range a resumed search would still have to cover.
    /// </summary>
    public BisectConclusion Interrupted(string reason)
    {
        var tested = Tested(_low, _high + 1).ToList();
        var oldKey = tested.Count > 0 ? _results[tested[0]].Key : null;
        int? firstNew = tested.Where(i => _results[i].Key != oldKey).Select(i => (int?)i).FirstOrDefault();
        int? lastOld = tested.Where(i => i < (firstNew ?? _high + 1)).Select(i => (int?)i).LastOrDefault();
        var open = Enumerable.Range((lastOld ?? _low - 1) + 1, (firstNew ?? _high + 1) - (lastOld ?? _low - 1) - 1)
            .Where(i => !_results.ContainsKey(i)).ToList();
        var changes = _every ? tested.Zip(tested.Skip(1)).Where(p => _results[p.First].Key != _results[p.Second].Key).ToList() : [];
        return new BisectConclusion(ConclusionKind.Interrupted, lastOld, firstNew, open, changes, reason);
    }

    /// <summary>Testable candidates in [from, to), in order.</summary>
    private IEnumerable<int> Tested(int from, int to) =>
        Enumerable.Range(from, to - from).Where(i => _results.TryGetValue(i, out var r) && r.Testable);

    private BisectStep.Done Changed(int lastOld, int firstNew, IReadOnlyList<(int, int)> changes) =>
        new(new BisectConclusion(ConclusionKind.Changed, lastOld, firstNew,
            [.. Enumerable.Range(lastOld + 1, firstNew - lastOld - 1)], changes));

    private static BisectStep.Done Over(ConclusionKind kind, int? lastOld = null, int? firstNew = null, string? reason = null) =>
        new(new BisectConclusion(kind, lastOld, firstNew, [], [], reason));
}
