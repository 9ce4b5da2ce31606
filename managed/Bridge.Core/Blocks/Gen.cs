namespace Bridge.Core.Blocks;

/// <summary>What a block holds as far as the oracle cares: data of one generation (and, for a step repeated in a
/// race, its iteration), a hole (reads as zeros), or nothing because the block lies beyond end of file.</summary>
public enum ContentKind : byte { Data, Hole, BeyondEof }

/// <summary>A generation as written by a step: <c>gen=N</c> in the scenario, plus the iteration number when the
/// step repeats inside a race (iteration 0 otherwise). Payload bytes are a pure function of it, so any sector
/// read back can be attributed to the generation that wrote it without keeping copies. <see cref="Moved"/> says where
/// the data was written: that many blocks after the block it is read at (before, when negative). Sector headers name the
/// offset a block was written at, so data a collapse or insert moved (fallocate COLLAPSE_RANGE / INSERT_RANGE) keeps
/// naming its old offset: a moved block is its content with the distance it moved, and data that sits where it was
/// written is <c>Moved = 0</c>.</summary>
public readonly record struct Content(ContentKind Kind, uint Gen, uint Iteration, int Moved = 0)
{
    public static readonly Content Hole = new(ContentKind.Hole, 0, 0);
    public static readonly Content BeyondEof = new(ContentKind.BeyondEof, 0, 0);

    public static Content Data(uint gen, uint iteration = 0, int moved = 0) => new(ContentKind.Data, gen, iteration, moved);

    /// <summary>This content read <paramref name="blocks"/> blocks before where it was (after, when negative): data keeps
    /// the offset it was written at, holes and EOF are the same wherever they are.</summary>
    public Content MovedBy(int blocks) => Kind == ContentKind.Data ? this with { Moved = Moved + blocks } : this;

    /// <summary><c>g3</c>, <c>g3.7</c> (iteration 7 of a race), <c>g3@+2</c> (written two blocks later, moved here),
    /// <c>hole</c>, <c>eof</c>.</summary>
    public override string ToString() => Kind switch
    {
        ContentKind.Hole => "hole",
        ContentKind.BeyondEof => "eof",
        _ => (Iteration == 0 ? $"g{Gen}" : $"g{Gen}.{Iteration}") + (Moved == 0 ? "" : $"@{Moved:+0;-0}"),
    };
}
