namespace Bridge.Core.Blocks;

/// <summary>What a block holds as far as the oracle cares: data of one generation (and, for a step repeated in a
/// race, its iteration), a hole (reads as zeros), or nothing because the block lies beyond end of file.</summary>
public enum ContentKind : byte { Data, Hole, BeyondEof }

/// <summary>A generation as written by a step: <c>gen=N</c> in the scenario, plus the iteration number when the
/// step repeats inside a race (iteration 0 otherwise). Payload bytes are a pure function of it, so any sector
/// read back can be attributed to the generation that wrote it without keeping copies.</summary>
public readonly record struct Content(ContentKind Kind, uint Gen, uint Iteration)
{
    public static readonly Content Hole = new(ContentKind.Hole, 0, 0);
    public static readonly Content BeyondEof = new(ContentKind.BeyondEof, 0, 0);

    public static Content Data(uint gen, uint iteration = 0) => new(ContentKind.Data, gen, iteration);

    public override string ToString() => Kind switch
    {
        ContentKind.Hole => "hole",
        ContentKind.BeyondEof => "eof",
        _ => Iteration == 0 ? $"g{Gen}" : $"g{Gen}.{Iteration}",
    };
}
