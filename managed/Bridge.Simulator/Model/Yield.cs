namespace Bridge.Simulator.Model;

/// <summary>A point where a racing thread may be preempted. Kernel operations are iterators that yield one at
/// every place another thread (or the device) could interleave: between pages, between sectors of an I/O.</summary>
public enum Yield : byte
{
    Preempt,
}

/// <summary>How one kernel operation ended.</summary>
public sealed class OpResult
{
    public string? Errno { get; private set; }

    /// <summary>The calling task died in a kernel BUG (or waits forever on a lock such a task held).</summary>
    public bool Hung { get; private set; }

    public string? Detail { get; private set; }

    public bool Ok => Errno is null && !Hung && NotRunReason is null;

    /// <summary>Why the executor would not attempt the call at all (it would fault the harness: SIGSEGV, SIGBUS).</summary>
    public string? NotRunReason { get; private set; }

    public void NotRun(string why) => NotRunReason ??= why;

    public void Fail(string errno, string? detail = null)
    {
        Errno ??= errno;
        Detail ??= detail;
    }

    public void Hang(string detail)
    {
        Hung = true;
        Detail ??= detail;
    }
}
