using System.Collections.Concurrent;
using Bridge.Linux.Interop;

namespace Bridge.Linux.Execution;

/// <summary>How a call run on the <see cref="StepWorker"/> ended.</summary>
internal enum WorkerEnd
{
    /// <summary>It returned.</summary>
    Returned,
    /// <summary>It had not returned within its timeout: a hang; the worker was abandoned.</summary>
    Hung,
    /// <summary>The run was interrupted and it had not returned <see cref="StepWorker.InterruptGrace"/> later; the
    /// worker was abandoned.</summary>
    Interrupted,
}

/// <summary>
/// The thread steps run on, one at a time, so that a call that never returns becomes a timeout while the runner goes
/// on. It lives across steps and scenarios: a thread per step cost ~4 ms of guest time each under TCG. A worker whose
/// step hung, or was still running a moment after the run was interrupted, is abandoned (it may sit in the kernel for
/// good) and the next step gets a fresh one.
/// </summary>
internal sealed class StepWorker(string threadName) : IDisposable
{
    /// <summary>How long a call may go on after the run was interrupted before it is abandoned: most calls return
    /// within milliseconds, and a signal must be obeyed within a second, cleanup included.</summary>
    public static readonly TimeSpan InterruptGrace = TimeSpan.FromMilliseconds(400);

    private BlockingCollection<Action>? _queue;

    /// <summary>The kernel's id of the running worker thread, once it has started (0 before).</summary>
    private int _threadId;

    /// <summary>The kernel's id of the last abandoned worker thread (0 when it had not started): where it waits is
    /// <see cref="Host.KernelStack.Describe"/>.</summary>
    public int AbandonedThreadId { get; private set; }

    /// <summary>Runs <paramref name="action"/> on the worker and waits for it: up to <paramref name="timeout"/>, or
    /// <see cref="InterruptGrace"/> past the moment <paramref name="interrupt"/> is cancelled.</summary>
    public WorkerEnd Run(Action action, TimeSpan timeout, CancellationToken interrupt = default)
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
        WorkerEnd end;
        try
        {
            end = done.Wait(timeout, interrupt) ? WorkerEnd.Returned : WorkerEnd.Hung;
        }
        catch (OperationCanceledException)
        {
            end = done.Wait(InterruptGrace) ? WorkerEnd.Returned : WorkerEnd.Interrupted;
        }
        if (end != WorkerEnd.Returned)
        {
            AbandonedThreadId = Volatile.Read(ref _threadId);
            _threadId = 0;
            queue.CompleteAdding();
            _queue = null;
        }
        return end;
    }

    public void Dispose()
    {
        _queue?.CompleteAdding();
        _queue = null;
    }

    private BlockingCollection<Action> Start(string name)
    {
        var queue = new BlockingCollection<Action>();
        new Thread(() =>
        {
            Volatile.Write(ref _threadId, ThreadId.Current);
            foreach (var work in queue.GetConsumingEnumerable())
                work();
            queue.Dispose();
        })
        { IsBackground = true, Name = name }.Start();
        return queue;
    }
}
