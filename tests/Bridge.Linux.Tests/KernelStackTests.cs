using System.IO.Pipes;
using Bridge.Linux.Execution;
using Bridge.Linux.Host;
using Bridge.Linux.Interop;

namespace Bridge.Linux.Tests;

/// <summary>Where a call left running waits in the kernel, on the host kernel: a read(2) of an empty pipe sleeps in
/// fs/pipe.c's pipe_read (anon_pipe_read on recent kernels: 6.18 here). Every test
/// releases its reader before the pipe is disposed: disposing a pipe a read is blocked in waits for that read.</summary>
public class KernelStackTests
{
    [Fact]
    public void AThreadReadingAnEmptyPipeIsSleepingInPipeReadAndAnExitedOneIsNowhere()
    {
        using var pipe = new AnonymousPipeServerStream(PipeDirection.Out);
        using var reader = new AnonymousPipeClientStream(PipeDirection.In, pipe.ClientSafePipeHandle);
        var tid = 0;
        var thread = new Thread(() =>
        {
            Volatile.Write(ref tid, ThreadId.Current);
            _ = reader.ReadByte();
        });
        thread.Start();
        try
        {
            var where = SleepingInTheKernel(() => Volatile.Read(ref tid));
            Assert.StartsWith($"thread {tid} in state S (sleeping), ", where);
            AssertNamesPipeRead(where);
        }
        finally
        {
            pipe.WriteByte(1);
        }
        Assert.True(thread.Join(TimeSpan.FromSeconds(10)));
        // Join returns when the managed thread is done; its kernel task goes a moment later (the CI saw it still there).
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (KernelStack.Describe(tid) is not null && DateTime.UtcNow < deadline)
            Thread.Sleep(10);
        Assert.Null(KernelStack.Describe(tid));
        Assert.Equal("gone", KernelStack.After("gone", tid));
    }

    [Fact]
    public void AStepWorkerAbandonedInsideASystemCallSaysWhereItsThreadWaits()
    {
        using var pipe = new AnonymousPipeServerStream(PipeDirection.Out);
        using var reader = new AnonymousPipeClientStream(PipeDirection.In, pipe.ClientSafePipeHandle);
        using var worker = new StepWorker("test steps");
        Assert.Equal(WorkerEnd.Hung, worker.Run(() => reader.ReadByte(), TimeSpan.FromMilliseconds(200), CancellationToken.None));
        var tid = worker.AbandonedThreadId;
        try
        {
            Assert.NotEqual(0, tid);
            SleepingInTheKernel(() => tid);
            var detail = KernelStack.After("no return after 0.2s", tid);
            Assert.StartsWith($"no return after 0.2s; thread {tid} in state S (sleeping), ", detail);
            AssertNamesPipeRead(detail);
        }
        finally
        {
            // Released, the abandoned call returns and its thread ends; the worker goes on with a new one.
            pipe.WriteByte(1);
        }
        Assert.Equal(WorkerEnd.Returned, worker.Run(() => { }, TimeSpan.FromSeconds(10), CancellationToken.None));
    }

    /// <summary>The stack of the thread (readable as root), innermost first, without the system call entry.</summary>
    private static void AssertNamesPipeRead(string where)
    {
        if (!SystemInfo.IsRoot)
            return;
        Assert.Matches(@"kernel stack innermost first: .*\b(anon_)?pipe_read\+0x[0-9a-f]+/0x[0-9a-f]+", where);
        Assert.DoesNotContain("do_syscall_64", where);
        Assert.DoesNotContain("[<", where);
    }

    /// <summary>Describes the thread once it sleeps (it may take a moment to start and enter read(2)).</summary>
    private static string SleepingInTheKernel(Func<int> tid)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            if (tid() is > 0 and var id && KernelStack.Describe(id) is { } where && where.Contains("state S", StringComparison.Ordinal)
                && (!SystemInfo.IsRoot || where.Contains("pipe_read", StringComparison.Ordinal)))
                return where;
            Assert.True(DateTime.UtcNow < deadline, "the reading thread did not sleep in read(2) within 10 s");
            Thread.Sleep(10);
        }
    }
}
