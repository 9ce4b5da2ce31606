namespace Bridge.Core.Scenarios;

/// <summary>The arguments a step was given, after validation against its verb's <see cref="ArgSpec"/>s.
/// Defaults are filled in: <see cref="Blocks"/> is "all blocks" (or the pinned blocks for dma) when not given.</summary>
public sealed record StepArgs
{
    public uint? Gen { get; init; }
    public BlockSet? Blocks { get; init; }
    public long? Size { get; init; }
    public string? Target { get; init; }
    public string? PinPath { get; init; }
    public PinAccess? Access { get; init; }
    public string? Mode { get; init; }
    public TimeSpan? For { get; init; }
    public int? Count { get; init; }
}

/// <summary>One step of a scenario. Steps are numbered in source order over the flattened scenario: a race
/// has an index and so does each step in its body, so every result and every culprit names one line.</summary>
public sealed record Step(int Index, SourceSpan At, VerbInfo Verb, StepArgs Args, string Text, IReadOnlyList<Step> Body)
{
    public string Keyword => Verb.Keyword;
    public Effect Effect => Verb.Effect;
    public BlockSet Blocks => Args.Blocks ?? throw new InvalidOperationException($"{Keyword} has no blocks");
    public uint Gen => Args.Gen ?? throw new InvalidOperationException($"{Keyword} has no generation");

    /// <summary>The row of the pin path a pin step names.</summary>
    public PinPathInfo PinPath => Args.PinPath is { } name && PinPathTable.Find(name) is { } path
        ? path
        : throw new InvalidOperationException($"{Keyword} names no pin path");

    public override string ToString() => $"#{Index} {Text} ({At})";
}
