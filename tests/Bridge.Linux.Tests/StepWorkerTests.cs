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
        using var interrupt = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        using var release = new ManualResetEventSlim();
        var clock = Stopwatch.StartNew();
        Assert.Equal(WorkerEnd.Interrupted, worker.Run(() => release.Wait(), TimeSpan.FromMinutes(10), interrupt.Token));
        // Abandoned within the grace of the interruption, not at the ten-minute timeout.
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(200) + StepWorker.InterruptGrace, TimeSpan.FromSeconds(5));

        // A step that returns within the grace (most calls do) keeps its result.
        var returned = false;
        clock.Restart();
        Assert.Equal(WorkerEnd.Returned, worker.Run(() => { Thread.Sleep(StepWorker.InterruptGrace / 4); returned = true; }, TimeSpan.FromMinutes(10), interrupt.Token));
        Assert.True(returned);
        Assert.True(clock.Elapsed < StepWorker.InterruptGrace, $"took {clock.Elapsed}");
        release.Set();
    }
}
