namespace Bridge.Core.Scenarios;

/// <summary>A sorted set of block indexes, written <c>0-3,8,10-11</c> or <c>all</c> in scenarios.</summary>
public sealed class BlockSet : IEquatable<BlockSet>
{
    private readonly int[] _blocks;

    public BlockSet(IEnumerable<int> blocks) => _blocks = blocks.Distinct().Order().ToArray();

    public static BlockSet Range(int first, int last) => new(Enumerable.Range(first, last - first + 1));

    public IReadOnlyList<int> Blocks => _blocks;
    public int Count => _blocks.Length;
    public int First => _blocks[0];
    public int Last => _blocks[^1];
    public bool Contains(int block) => Array.BinarySearch(_blocks, block) >= 0;

    /// <summary>Runs of consecutive blocks, so that executors issue one I/O per run.</summary>
    public IEnumerable<(int First, int Count)> Runs()
    {
        for (var i = 0; i < _blocks.Length;)
        {
            var j = i;
            while (j + 1 < _blocks.Length && _blocks[j + 1] == _blocks[j] + 1)
                j++;
            yield return (_blocks[i], j - i + 1);
            i = j + 1;
        }
    }

    public override string ToString() =>
        string.Join(',', Runs().Select(r => r.Count == 1 ? $"{r.First}" : $"{r.First}-{r.First + r.Count - 1}"));

    public bool Equals(BlockSet? other) => other is not null && _blocks.AsSpan().SequenceEqual(other._blocks);
    public override bool Equals(object? obj) => Equals(obj as BlockSet);
    public override int GetHashCode() => _blocks.Aggregate(17, HashCode.Combine);
}
