using Bridge.Core.Exploration;
using Bridge.Core.Execution;
using Bridge.Core.Observations;
using Bridge.Core.Scenarios;
using Bridge.Simulator.Model;
using Bridge.Simulator.Policies;

namespace Bridge.Simulator.Execution;

/// <summary>
/// One scenario on one fresh kernel model, as the <see cref="Sequencer"/>'s executor: each call drains its
/// operation on the model clock (one quantum per preemption point, one more per call); races interleave on a seeded
/// scheduler; between steps the flusher may run (<see cref="SimOptions.FlusherChance"/>). A call on the model takes
/// microseconds, so an interruption is left to the sequencer, between steps.
/// </summary>
internal sealed class ModelExecutor : IStepExecutor
{
    private readonly ulong _runId;
    private readonly SimOptions _options;
    private readonly ModelClock _clock = new();
    private readonly SplitMix64 _random;
    private readonly Kernel _kernel;

    public ModelExecutor(Scenario scenario, Policy policy, ulong runId, SimOptions options)
    {
        _runId = runId;
        _options = options;
        _random = new SplitMix64(runId ^ 0x5EED_0F_B41D6EUL);
        _kernel = new Kernel(scenario, policy, _random);
    }

    /// <summary>What the modelled kernel logged (warnings, oopses).</summary>
    public IReadOnlyList<string> KernelLog => _kernel.Log.ToList();

    /// <summary>The model cuts the power in place (<see cref="Kernel.PowerCut"/>): only persisted state remains, and
    /// the steps after it run on.</summary>
    public PowerCut PowerCut => PowerCut.InPlace;

    public CallResult Run(Step step, CancellationToken interrupt) => Timed(status => VerbOps.Table[step.Verb](_kernel, step, 0, status));

    public CallResult Check(Step step, CheckPlan plan, List<ViewRead> views, CancellationToken interrupt) =>
        Timed(status => ModelViewReader.Read(_kernel, plan, _runId, views, status));

    public (long Start, long End) Race(Step race, IReadOnlyList<RaceTally> body, CancellationToken interrupt) =>
        new RaceRun(_kernel, _clock, _random, _options, race).Run(body);

    public void BetweenSteps(Step finished)
    {
        if (finished.Effect != Effect.Check && _random.Chance(_options.FlusherChance))
            Drain(_kernel.FlusherPass());
    }

    private CallResult Timed(Func<CallStatus, IEnumerable<Yield>> op)
    {
        var status = new CallStatus();
        var start = _clock.Now;
        Drain(op(status));
        _clock.Tick();
        return status.ToCall(start, _clock.Now);
    }

    private void Drain(IEnumerable<Yield> op)
    {
        foreach (var _ in op)
            _clock.Tick();
    }
}
