using System.Collections.Concurrent;

namespace Bridge.Linux.Execution;

/// <summary>
/// The thread steps run on, one at a time, so that a call that never returns becomes a timeout while the runner goes
/// on. It lives across steps and scenarios: a thread per step cost ~4 ms of guest time each under TCG. A worker whose
/// step hung is abandoned (it may sit in the kernel for good) and the next step gets a fresh one.
/// </summary>
internal sealed class StepWorker(string threadName) : IDisposable
{
    private BlockingCollection<Action>? _queue;

    /// <summary>Runs <paramref name="action"/> on the worker; false when it has not returned within the timeout.</summary>
    public bool Run(Action action, TimeSpan timeout)
    {
        var queue = _queue ??= Start(threadName);
        // Never disposed: Set may still be returning on the worker when Wait returns here, and a hung worker may set
        // it much later. Without a WaitHandle requested it holds no OS handle.
        var done = new ManualResetEventSlim();
        queue.Add(() =>
        {
            try
            {
                action();
            }
            finally
            {
                done.Set();
            }
        });
        if (done.Wait(timeout))
            return true;
        queue.CompleteAdding();
        _queue = null;
        return false;
    }

    public void Dispose()
    {
        _queue?.CompleteAdding();
        _queue = null;
    }

    private static BlockingCollection<Action> Start(string name)
    {
        var queue = new BlockingCollection<Action>();
        new Thread(() =>
        {
            foreach (var work in queue.GetConsumingEnumerable())
                work();
            queue.Dispose();
        })
        { IsBackground = true, Name = name }.Start();
        return queue;
    }
}
