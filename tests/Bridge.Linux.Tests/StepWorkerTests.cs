using Bridge.Linux.Execution;

namespace Bridge.Linux.Tests;

/// <summary>The thread steps run on: reused while steps return, replaced after one hangs.</summary>
public class StepWorkerTests
{
    [Fact]
    public void StepsThatReturnShareOneThreadAndAHungStepTimesOutWithoutStoppingTheNext()
    {
        using var worker = new StepWorker("test steps");
        int first = 0, second = 0, afterHang = 0;
        Assert.True(worker.Run(() => first = Environment.CurrentManagedThreadId, TimeSpan.FromSeconds(10)));
        Assert.True(worker.Run(() => second = Environment.CurrentManagedThreadId, TimeSpan.FromSeconds(10)));
        Assert.Equal(first, second);
        Assert.NotEqual(Environment.CurrentManagedThreadId, first);

        using var release = new ManualResetEventSlim();
        using var hungReturned = new ManualResetEventSlim();
        Assert.False(worker.Run(() => { release.Wait(); hungReturned.Set(); }, TimeSpan.FromMilliseconds(200)));
        Assert.True(worker.Run(() => afterHang = Environment.CurrentManagedThreadId, TimeSpan.FromSeconds(10)));
        Assert.NotEqual(first, afterHang);

        // The abandoned step may still return, long after its timeout: that must harm nothing.
        release.Set();
        Assert.True(hungReturned.Wait(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        Assert.True(worker.Run(() => { }, TimeSpan.FromSeconds(10)));
    }
}
