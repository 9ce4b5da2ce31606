using System.Diagnostics;
using Bridge.Linux.Execution;

namespace Bridge.Linux.Tests;

/// <summary>The thread steps run on: reused while steps return, replaced after one hangs or is abandoned at an
/// interruption.</summary>
public class StepWorkerTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public void StepsThatReturnShareOneThreadAndAHungStepTimesOutWithoutStoppingTheNext()
    {
        using var worker = new StepWorker("test steps");
        int first = 0, second = 0, afterHang = 0;
        Assert.Equal(WorkerEnd.Returned, worker.Run(() => first = Environment.CurrentManagedThreadId, TimeSpan.FromSeconds(10), None));
        Assert.Equal(WorkerEnd.Returned, worker.Run(() => second = Environment.CurrentManagedThreadId, TimeSpan.FromSeconds(10), None));
        Assert.Equal(first, second);
        Assert.NotEqual(Environment.CurrentManagedThreadId, first);

        using var release = new ManualResetEventSlim();
        using var hungReturned = new ManualResetEventSlim();
        Assert.Equal(WorkerEnd.Hung, worker.Run(() => { release.Wait(); hungReturned.Set(); }, TimeSpan.FromMilliseconds(200), None));
        Assert.Equal(WorkerEnd.Returned, worker.Run(() => afterHang = Environment.CurrentManagedThreadId, TimeSpan.FromSeconds(10), None));
        Assert.NotEqual(first, afterHang);

        // The abandoned step may still return, long after its timeout: that must harm nothing.
        release.Set();
        Assert.True(hungReturned.Wait(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        Assert.Equal(WorkerEnd.Returned, worker.Run(() => { }, TimeSpan.FromSeconds(10), None));
    }

    [Fact]
    public void AnInterruptionAbandonsAStepStillRunningAfterTheGraceAndWaitsForOneThatReturnsWithinIt()
    {
        using var worker = new StepWorker("test steps");
        var clock = Stopwatch.StartNew();
        using var interrupt = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        // The grace is measured from the moment the token was cancelled, not from the timer's nominal 200 ms: the
        // runtime's timers may fire a millisecond early (CI saw 597.8 ms against a nominal 600).
        var cancelledAt = TimeSpan.Zero;
        using var _ = interrupt.Token.Register(() => cancelledAt = clock.Elapsed);
        using var release = new ManualResetEventSlim();
        Assert.Equal(WorkerEnd.Interrupted, worker.Run(() => release.Wait(), TimeSpan.FromMinutes(10), interrupt.Token));
        var abandonedAt = clock.Elapsed;
        // Abandoned a grace after the interruption (the wait's millisecond tick may round it down by one), not at the
        // ten-minute timeout.
        Assert.InRange(abandonedAt - cancelledAt, StepWorker.InterruptGrace - TimeSpan.FromMilliseconds(2), TimeSpan.FromSeconds(5));

        // A step that returns within the grace (most calls do) keeps its result.
        var returned = false;
        Assert.Equal(WorkerEnd.Returned, worker.Run(() => { Thread.Sleep(StepWorker.InterruptGrace / 4); returned = true; }, TimeSpan.FromMinutes(10), interrupt.Token));
        Assert.True(returned);
        release.Set();
    }
}
