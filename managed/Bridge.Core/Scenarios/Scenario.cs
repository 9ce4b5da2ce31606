using Bridge.Core.Blocks;

namespace Bridge.Core.Scenarios;

public enum MapKind { Shared, Private }

/// <summary>What the file holds before the first step: generation 0 in every block, synced; or a sparse file.</summary>
public enum InitialFill { Data, Hole }

/// <summary>A parsed, validated scenario: the backing, the file, the mapping and the steps.
/// <see cref="Text"/> is its source (for a matrix instance, the template with the variables substituted, same
/// line numbers), which is what travels to an agent inside a VM or container.</summary>
public sealed record Scenario(
    string Name,
    string SourceFile,
    BackingInfo Backing,
    MapKind Map,
    BlockGeometry Geometry,
    InitialFill Init,
    IReadOnlyList<Step> Steps,
    string Text)
{
    /// <summary>Every step, race bodies included, in index order.</summary>
    public IEnumerable<Step> AllSteps() => Steps.SelectMany(s => s.Body.Count == 0 ? [s] : s.Body.Prepend(s));

    public int StepCount => AllSteps().Count();

    /// <summary>The most blocks the data file can come to hold: its size, plus every block an insert-range may add.
    /// Checks read the first <see cref="Blocks.BlockGeometry.BlockCount"/>; the blocks an insert pushes past them are
    /// kept by the oracle and the model, since a collapse may bring them back.</summary>
    public int MaxFileBlocks => Geometry.BlockCount + AllSteps().Where(s => s.Verb.Shift is { Inserts: true }).Sum(s => s.Blocks.Count);

    public Step StepAt(int index) => AllSteps().First(s => s.Index == index);

    public string Label => $"{Backing.Name}/{Map.ToString().ToLowerInvariant()}";

    /// <summary>A step as reports name it: its text and line (<c>'dma gen=2 blocks=0-3' (line 11)</c>); step -1 is
    /// the initial fill; a number that is no step of this scenario (read from a foreign header) says so.</summary>
    public string Describe(int step) =>
        step < 0 ? "the initial fill"
        : step < StepCount ? $"'{StepAt(step).Text}' (line {StepAt(step).At.Line})"
        : $"step {step}, which this scenario does not have";
}
