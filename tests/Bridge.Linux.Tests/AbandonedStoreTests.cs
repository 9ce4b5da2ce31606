using Bridge.Core.Scenarios;
using Bridge.Linux.Backings;
using Bridge.Linux.Execution;

namespace Bridge.Linux.Tests;

/// <summary>A race whose store hung in a page fault (still holding its share of <see cref="RunContext.MappingChange"/>)
/// and whose mprotect waits behind it is abandoned when its time is up: giving the run's context back must not throw
/// (ReaderWriterLockSlim.Dispose refuses while a thread waits on it), or the run, not the step, fails.</summary>
public class AbandonedStoreTests
{
    [Fact]
    public void A_context_whose_abandoned_race_still_holds_and_waits_on_the_mapping_lock_is_given_back_without_an_exception()
    {
        using var scratch = new ScratchSpace();
        var scenario = ScenarioFile.Parse("backing anon\nfile size=16K\nstore gen=1\ncheck\n", "abandoned.scn")[0];
        var ctx = new RunContext(scenario, 1, BackingProviders.For(BackingTable.Anon).Create(scratch, scenario));
        using var held = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var store = new Thread(() =>
        {
            ctx.MappingChange.EnterReadLock();
            held.Set();
            release.Wait(); // the hung fault: it ends only after the context went
            try
            {
                ctx.MappingChange.ExitReadLock();
            }
            catch (ObjectDisposedException)
            {
                // the lock went with the context
            }
        });
        store.Start();
        held.Wait(TestContext.Current.CancellationToken);
        var mprotect = new Thread(() =>
        {
            try
            {
                ctx.MappingChange.EnterWriteLock();
                ctx.MappingChange.ExitWriteLock();
            }
            catch (ObjectDisposedException)
            {
                // the context went while this waited: what an abandoned step meets
            }
        });
        mprotect.Start();
        while (ctx.MappingChange.WaitingWriteCount == 0)
            Thread.Sleep(1);

        var disposal = Record.Exception(ctx.Dispose);

        release.Set();
        store.Join();
        mprotect.Join();
        Assert.Null(disposal);
    }
}
