using Bridge.Core.Observations;
using Bridge.Core.Scenarios;

namespace Bridge.Core.Execution;

/// <summary>
/// What an executor — the real kernel (Bridge.Linux) or the kernel model (Bridge.Simulator) — does for the
/// <see cref="Sequencer"/>: run one call of a step, read the views of a check, and run a race's body steps
/// concurrently. It decides nothing about which steps run; the sequencer does, the same way for both. Each call takes
/// the run's interruption token: once it is cancelled (SIGINT, SIGTERM) the call in flight ends within a second —
/// a race's threads stop between iterations, a check between reads, a call still running is abandoned as
/// <see cref="CallResult.Interrupted"/>.
/// </summary>
public interface IStepExecutor
{
    /// <summary>One call of a top-level step (never check or race): its handler, keyed by the step's verb row.</summary>
    CallResult Run(Step step, CancellationToken interrupt);

    /// <summary>A check: reads <paramref name="plan"/>'s views, in order, into <paramref name="views"/>.</summary>
    CallResult Check(Step step, CheckPlan plan, List<ViewRead> views, CancellationToken interrupt);

    /// <summary>Runs every tally's step concurrently, each repeating (iteration i is its i-th call) until the race's
    /// count or time bound, until its tally says stop, or until the run is interrupted; returns when the race began
    /// and ended.</summary>
    (long Start, long End) Race(Step race, IReadOnlyList<RaceTally> body, CancellationToken interrupt);

    /// <summary>Whether and how this executor cuts the power at a crash step.</summary>
    PowerCut PowerCut => PowerCut.None;

    /// <summary>After each top-level step while the scenario goes on (the simulator's flusher may run here).</summary>
    void BetweenSteps(Step finished)
    {
    }
}
