using Bridge.Core.Execution;
using Bridge.Core.Observations;
using Bridge.Core.Scenarios;
using Bridge.Linux.Interop;

namespace Bridge.Linux.Execution;

/// <summary>
/// The real kernel as the <see cref="Sequencer"/>'s executor for one scenario: each step's handler runs on the
/// step worker so that a call that never returns becomes a hang while the run goes on; checks read the files and
/// the mapping; races run on threads of their own.
/// </summary>
internal sealed class KernelExecutor(RunContext ctx, StepWorker worker, TimeSpan stepTimeout) : IStepExecutor
{
    public CallResult Run(Step step)
    {
        var handler = StepHandlers.All[step.Verb];
        CallResult call = default;
        Exception? failure = null;
        var start = MonotonicClock.Now;
        var returned = worker.Run(() =>
        {
            try
            {
                call = handler(ctx, step, 0);
            }
            catch (Exception e) when (e is SysException or IOException)
            {
                failure = e;
            }
        }, stepTimeout);
        if (!returned)
            return CallResult.Hang($"no return after {stepTimeout.TotalSeconds:0}s", start, MonotonicClock.Now);
        // A harness call (not the step's own) failed: the scenario cannot go on.
        return failure is null ? call : throw failure;
    }

    public CallResult Check(Step step, CheckPlan plan, List<ViewRead> views) => FileViewReader.Read(ctx, step, plan, views);

    public (long Start, long End) Race(Step race, IReadOnlyList<RaceTally> body) => RaceRunner.Run(ctx, race, body);
}
