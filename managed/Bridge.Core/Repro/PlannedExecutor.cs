using Bridge.Core.Blocks;
using Bridge.Core.Execution;
using Bridge.Core.Observations;
using Bridge.Core.Scenarios;

namespace Bridge.Core.Repro;

/// <summary>
/// The executor a reproducer's expectations are computed with: every call succeeds, except the pin steps of the
/// branch being computed (refused with EFAULT), and the calls a real executor declines because they would fault the
/// harness (<see cref="HarnessFaults"/>: a store into a read-only mapping, touching a page past end of file, a
/// mapping that is gone) — decided here, at generation time, the way Bridge.Linux's step handlers decide them, so
/// the reproducer leaves out the same calls. Races record one call per body step; <see cref="ReproPlan"/> gives
/// them their iteration counts and timing.
/// </summary>
internal sealed class PlannedExecutor(Scenario scenario, IReadOnlySet<int> refusedPins) : IStepExecutor
{
    private bool _readOnly;
    private string? _mappingGone;
    private int _fileBlocks = scenario.Geometry.BlockCount;

    /// <summary>The expectations go on past a power cut (what the check after the reboot may read); the program itself
    /// stops there and tells the user to cut the power.</summary>
    public PowerCut PowerCut => PowerCut.InPlace;

    /// <summary>Why each step was decided not-run, by step index.</summary>
    public Dictionary<int, string> NotRun { get; } = [];

    public CallResult Run(Step step, CancellationToken interrupt)
    {
        if (Declined(step) is { } why)
        {
            NotRun[step.Index] = why;
            return CallResult.NotRun(why);
        }
        if (step.Effect == Effect.Pin && refusedPins.Contains(step.Index))
            return CallResult.Failed("EFAULT", 0, 0);
        switch (step.Effect)
        {
            case Effect.Protect:
                _readOnly = step.Args.Mode == "ro";
                break;
            case Effect.Unmap:
                _mappingGone = $"unmapped by {step}";
                break;
            case Effect.Resize:
                _fileBlocks = (int)(step.Args.Size!.Value / scenario.Geometry.BlockSize);
                break;
        }
        return CallResult.Success(0, 0);
    }

    public CallResult Check(Step step, CheckPlan plan, List<ViewRead> views, CancellationToken interrupt)
    {
        views.AddRange(plan.Views.Select(v => new ViewRead(v.File, v.Path, [])));
        return CallResult.Success(0, 0);
    }

    public (long Start, long End) Race(Step race, IReadOnlyList<RaceTally> body, CancellationToken interrupt)
    {
        foreach (var tally in body)
            tally.Record(Run(tally.Step, interrupt));
        return (0, 0);
    }

    /// <summary>The harness's own decisions (Bridge.Linux StepHandlers.MappingProblem and PastEof), from the verb's row.</summary>
    private string? Declined(Step step)
    {
        var verb = step.Verb;
        if (!verb.NeedsMapping || step.Effect == Effect.Unmap)
            return null;
        if (_mappingGone is not null)
            return _mappingGone;
        var storesFromCpu = verb.Writer == Writer.Cpu;
        if (storesFromCpu && _readOnly)
            return HarnessFaults.StoreIntoReadOnlyMapping;
        var touchesBlocks = step.Effect is Effect.WriteMapping or Effect.CopyFromMapping or Effect.ForkWrite;
        return touchesBlocks && scenario.Backing.HasFile && step.Blocks.Last >= _fileBlocks
            ? HarnessFaults.PastEndOfFile(step.Blocks.Last, _fileBlocks)
            : null;
    }
}
