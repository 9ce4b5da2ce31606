using Bridge.Core.Observations;
using Bridge.Core.Scenarios;

namespace Bridge.Core.Execution;

/// <summary>
/// What an executor — the real kernel (Bridge.Linux) or the kernel model (Bridge.Simulator) — does for the
/// <see cref="Sequencer"/>: run one call of a step, read the views of a check, and run a race's body steps
/// concurrently. It decides nothing about which steps run; the sequencer does, the same way for both.
/// </summary>
public interface IStepExecutor
{
    /// <summary>One call of a top-level step (never check or race): its handler, keyed by the step's verb row.</summary>
    CallResult Run(Step step);

    /// <summary>A check: reads <paramref name="plan"/>'s views, in order, into <paramref name="views"/>.</summary>
    CallResult Check(Step step, CheckPlan plan, List<ViewRead> views);

    /// <summary>Runs every tally's step concurrently, each repeating (iteration i is its i-th call) until the race's
    /// count or time bound, or until its tally says stop; returns when the race began and ended.</summary>
    (long Start, long End) Race(Step race, IReadOnlyList<RaceTally> body);

    /// <summary>After each top-level step while the scenario goes on (the simulator's flusher may run here).</summary>
    void BetweenSteps(Step finished)
    {
    }
}
