using Bridge.Core.Execution;
using Bridge.Core.Observations;
using Bridge.Core.Scenarios;
using Bridge.Linux.Host;
using Bridge.Linux.Interop;

namespace Bridge.Linux.Execution;

/// <summary>
/// The real kernel as the <see cref="Sequencer"/>'s executor for one scenario: each step's handler runs on the
/// step worker so that a call that never returns becomes a hang while the run goes on; checks read the files and
/// the mapping; races run on threads of their own. A step may take <paramref name="stepTimeout"/> (a race its bound
/// plus that); once the run is interrupted, a call still running <see cref="StepWorker.InterruptGrace"/> later is
/// abandoned.
/// </summary>
internal sealed class KernelExecutor(RunContext ctx, StepWorker worker, TimeSpan stepTimeout) : IStepExecutor
{
    /// <summary>A call was left running (it hung, or was abandoned at an interruption): it may still be inside a
    /// syscall on the scenario's mapping or files, which must then stay as they are.</summary>
    public bool Abandoned { get; private set; }

    /// <summary>Inside a VM whose host boots it again on the same disks: <see cref="PowerCut.NextBoot"/>.</summary>
    public PowerCut PowerCut { get; init; } = PowerCut.None;

    public CallResult Run(Step step, CancellationToken interrupt)
    {
        var handler = StepHandlers.All[step.Verb];
        CallResult call = default;
        Exception? failure = null;
        var start = MonotonicClock.Now;
        var end = worker.Run(() =>
        {
            try
            {
                call = handler(ctx, step, 0);
            }
            catch (Exception e) when (e is SysException or IOException)
            {
                failure = e;
            }
        }, stepTimeout, interrupt);
        Abandoned |= end != WorkerEnd.Returned;
        if (end == WorkerEnd.Hung)
            return CallResult.Hang(KernelStack.After($"no return after {stepTimeout.TotalSeconds:0.###}s", worker.AbandonedThreadId), start, MonotonicClock.Now);
        if (end == WorkerEnd.Interrupted)
            return CallResult.Interrupted(KernelStack.After($"still running {StepWorker.InterruptGrace.TotalSeconds:0.#}s after the run was interrupted; abandoned", worker.AbandonedThreadId), start, MonotonicClock.Now);
        // A harness call (not the step's own) failed: the scenario cannot go on.
        return failure is null ? call : throw failure;
    }

    public CallResult Check(Step step, CheckPlan plan, List<ViewRead> views, CancellationToken interrupt) => FileViewReader.Read(ctx, step, plan, views, interrupt);

    public (long Start, long End) Race(Step race, IReadOnlyList<RaceTally> body, CancellationToken interrupt)
    {
        var (start, end, abandoned) = RaceRunner.Run(ctx, race, body, stepTimeout, interrupt);
        Abandoned |= abandoned;
        return (start, end);
    }
}
