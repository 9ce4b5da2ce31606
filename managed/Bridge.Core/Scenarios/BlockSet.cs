namespace Bridge.Core.Scenarios;

/// <summary>A sorted set of block indexes, written <c>0-3,8,10-11</c> or <c>all</c> in scenarios. Held as runs of
/// consecutive blocks, so that <c>blocks=all</c> of a large file costs two integers until someone enumerates it.</summary>
public sealed class BlockSet : IEquatable<BlockSet>
{
    private readonly (int First, int Last)[] _runs;
    private int[]? _blocks;

    private BlockSet((int First, int Last)[] runs)
    {
        _runs = runs;
        Count = runs.Sum(r => r.Last - r.First + 1);
    }

    public BlockSet(IEnumerable<int> blocks) : this(Merge(blocks.Select(b => (b, b)))) { }

    public static BlockSet Range(int first, int last) => new(last < first ? [] : [(first, last)]);

    /// <summary>The union of inclusive ranges, in any order, overlapping or not.</summary>
    public static BlockSet FromRanges(IEnumerable<(int First, int Last)> ranges) => new(Merge(ranges));

    private static (int First, int Last)[] Merge(IEnumerable<(int First, int Last)> ranges)
    {
        var merged = new List<(int First, int Last)>();
        var sorted = ranges.Where(r => r.First <= r.Last).ToList();
        sorted.Sort((a, b) => a.First.CompareTo(b.First));
        foreach (var (first, last) in sorted)
        {
            if (merged.Count > 0 && first <= merged[^1].Last + 1L)
                merged[^1] = (merged[^1].First, Math.Max(merged[^1].Last, last));
            else
                merged.Add((first, last));
        }
        return merged.ToArray();
    }

    /// <summary>Every block, in order (materialised on first use).</summary>
    public IReadOnlyList<int> Blocks => _blocks ??= _runs.SelectMany(r => Enumerable.Range(r.First, r.Last - r.First + 1)).ToArray();

    public int Count { get; }
    public int First => _runs[0].First;
    public int Last => _runs[^1].Last;

    public bool Contains(int block)
    {
        int lo = 0, hi = _runs.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (block < _runs[mid].First)
                hi = mid - 1;
            else if (block > _runs[mid].Last)
                lo = mid + 1;
            else
                return true;
        }
        return false;
    }

    /// <summary>Whether every block of <paramref name="other"/> is in this set.</summary>
    public bool Covers(BlockSet other) => other._runs.All(r => _runs.Any(m => m.First <= r.First && r.Last <= m.Last));

    public BlockSet Union(BlockSet other) => new(Merge(_runs.Concat(other._runs)));

    /// <summary>The lowest block in both sets, or null.</summary>
    public int? FirstShared(BlockSet other)
    {
        for (int i = 0, j = 0; i < _runs.Length && j < other._runs.Length;)
        {
            var (a, b) = (_runs[i], other._runs[j]);
            if (a.Last < b.First)
                i++;
            else if (b.Last < a.First)
                j++;
            else
                return Math.Max(a.First, b.First);
        }
        return null;
    }

    /// <summary>Runs of consecutive blocks, so that executors issue one I/O per run.</summary>
    public IEnumerable<(int First, int Count)> Runs() => _runs.Select(r => (r.First, r.Last - r.First + 1));

    public override string ToString() => string.Join(',', _runs.Select(r => r.First == r.Last ? $"{r.First}" : $"{r.First}-{r.Last}"));

    public bool Equals(BlockSet? other) => other is not null && _runs.AsSpan().SequenceEqual(other._runs);
    public override bool Equals(object? obj) => Equals(obj as BlockSet);
    public override int GetHashCode() => _runs.Aggregate(17, HashCode.Combine);
}
