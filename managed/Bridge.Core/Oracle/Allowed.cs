using System.Collections.Immutable;
using Bridge.Core.Blocks;

namespace Bridge.Core.Oracle;

/// <summary>
/// What a block may hold on one path at one moment: any of the listed contents, plus — for a step repeated in a
/// race — any iteration up to a bound of its generation (a race of a million iterations stays one entry).
/// When <see cref="MixOk"/>, a mix of allowed contents is allowed too — sector by sector, and inside a sector
/// (a bad crc32c whose header names an allowed content): writeback or a copy caught the page while a writer was
/// changing it, and without stable pages nothing orders the two. Each content remembers the step that wrote it (-1: setup).
/// <see cref="Iterations"/> is keyed by iteration 0 of the generation, as it sits (<see cref="Content.Moved"/>).
/// </summary>
public sealed record Allowed(
    ImmutableDictionary<Content, int> Origins,
    ImmutableDictionary<Content, (uint MaxIteration, int Step)> Iterations,
    bool MixOk)
{
    public static Allowed Exactly(Content content, int step) =>
        new(ImmutableDictionary<Content, int>.Empty.Add(content, step), ImmutableDictionary<Content, (uint, int)>.Empty, false);

    /// <summary>Iterations 0..<paramref name="maxIteration"/> of generation <paramref name="gen"/>.</summary>
    public static Allowed AnyIteration(uint gen, uint maxIteration, int step) =>
        new(ImmutableDictionary<Content, int>.Empty, ImmutableDictionary<Content, (uint, int)>.Empty.Add(Content.Data(gen), (maxIteration, step)), true);

    public bool Contains(Content c) => OriginOf(c) is not null;

    public int? OriginOf(Content c) =>
        Origins.TryGetValue(c, out var step) ? step
        : c.Kind == ContentKind.Data && Iterations.TryGetValue(c with { Iteration = 0 }, out var range) && c.Iteration <= range.MaxIteration ? range.Step
        : null;

    /// <summary>Either's contents, mixed: what the disk may hold when writeback may have caught either.</summary>
    public Allowed Union(Allowed other) => new(
        Origins.SetItems(other.Origins.Where(kv => !Origins.ContainsKey(kv.Key))),
        Iterations.SetItems(other.Iterations.Where(kv => !Iterations.TryGetValue(kv.Key, out var mine) || mine.MaxIteration < kv.Value.MaxIteration)),
        true);

    /// <summary>What the block <paramref name="blocks"/> further on may hold, moved here by a collapse (an insert
    /// moves data the other way: a negative distance).</summary>
    public Allowed MovedBy(int blocks) => new(
        Origins.ToImmutableDictionary(kv => kv.Key.MovedBy(blocks), kv => kv.Value),
        Iterations.ToImmutableDictionary(kv => kv.Key.MovedBy(blocks), kv => kv.Value),
        MixOk);

    public Allowed WithMix(bool mixOk) => this with { MixOk = mixOk };

    public int Count => Origins.Count + Iterations.Count;

    /// <summary>The single step the contract requires, when exactly one content is allowed.</summary>
    public int? SoleOrigin => Origins.Count == 1 && Iterations.IsEmpty ? Origins.First().Value : null;

    public override string ToString()
    {
        var parts = Origins.Keys.OrderBy(v => v.Kind).ThenBy(v => v.Gen).ThenBy(v => v.Iteration).Select(c => c.ToString())
            .Concat(Iterations.OrderBy(kv => kv.Key.Gen).ThenBy(kv => kv.Key.Moved).Select(kv => $"{kv.Key}.0-{kv.Value.MaxIteration}"))
            .ToList();
        return (parts.Count == 1 && Iterations.IsEmpty ? "" : "one of ") + string.Join("|", parts) + (MixOk && Count > 1 ? " (sector mix allowed)" : "");
    }
}
