using Bridge.Core.Observations;
using Bridge.Core.Scenarios;

namespace Bridge.Core.Execution;

/// <summary>One view a check reads: a file through one read path.</summary>
public readonly record struct CheckView(string File, ReadPath Path);

/// <summary>
/// What every check of a scenario reads, in order — the same for the real kernel and the simulator: the data file
/// through O_DIRECT (which first writes back the page cache: filemap_write_and_wait_range), through the page cache,
/// and through the mapping; then every output file the scenario names, in ordinal order, through O_DIRECT and the
/// page cache. Anonymous memory has no file: only its mapping. Output files exist from the start, sparse, the size
/// of the data file. A view an executor cannot read (O_DIRECT unsupported, the mapping gone) is still in the plan,
/// read as unavailable with the reason. After a power cut (<see cref="PowerCut"/>) the mapping no longer exists and the
/// page cache starts empty: a check reads every file's disk view and the buffered view (read from the disk again),
/// and no mapping (<see cref="AfterPowerCut"/>).
/// </summary>
public sealed class CheckPlan
{
    /// <summary>The scenario's own file, as views and block stamps name it.</summary>
    public const string DataFile = "data";

    private CheckPlan(IReadOnlyList<string> outputFiles, IReadOnlyList<CheckView> views)
    {
        OutputFiles = outputFiles;
        Views = views;
    }

    /// <summary>Every output file the scenario's steps name (<c>to=</c>), in ordinal order.</summary>
    public IReadOnlyList<string> OutputFiles { get; }

    /// <summary>The views of one check, in the order they are read.</summary>
    public IReadOnlyList<CheckView> Views { get; }

    public static CheckPlan For(Scenario scenario)
    {
        var outputs = scenario.AllSteps().Select(s => s.Args.Target).OfType<string>().Distinct().Order(StringComparer.Ordinal).ToList();
        ReadPath[] dataPaths = scenario.Backing.HasFile ? [ReadPath.Disk, ReadPath.Buffered, ReadPath.Mapping] : [ReadPath.Mapping];
        var views = dataPaths.Select(p => new CheckView(DataFile, p))
            .Concat(outputs.SelectMany(o => new[] { new CheckView(o, ReadPath.Disk), new CheckView(o, ReadPath.Buffered) }))
            .ToList();
        return new CheckPlan(outputs, views);
    }

    /// <summary>The plan of the check <paramref name="check"/>: this scenario's, without the mapping when a step before
    /// the check cut the power.</summary>
    public static CheckPlan For(Scenario scenario, Step check)
    {
        var plan = For(scenario);
        return scenario.Steps.TakeWhile(s => s.Index < check.Index).Any(s => s.Verb.CutsPower) ? plan.AfterPowerCut() : plan;
    }

    /// <summary>The views a check reads once the power was cut: no mapping survives a reboot.</summary>
    public CheckPlan AfterPowerCut() => new(OutputFiles, [.. Views.Where(v => v.Path != ReadPath.Mapping)]);

    /// <summary>Whether an executor read exactly this plan, in order.</summary>
    public bool Matches(IReadOnlyList<ViewRead> read) =>
        read.Select(v => new CheckView(v.File, v.Path)).SequenceEqual(Views);
}
