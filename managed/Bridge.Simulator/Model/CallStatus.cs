using Bridge.Core.Execution;

namespace Bridge.Simulator.Model;

/// <summary>How one modelled system call is ending, filled in while its iterator runs (a kernel operation that
/// yields at preemption points cannot return a value); <see cref="ToCall"/> makes it the Core
/// <see cref="CallResult"/> both executors report, once the call is over.</summary>
public sealed class CallStatus
{
    private string? _errno, _detail, _notRun;
    private bool _hung;

    /// <summary>The calling task died in a kernel BUG (or waits forever on a lock such a task held).</summary>
    public bool Hung => _hung;

    /// <summary>The executor would not attempt the call at all (it would fault the harness: SIGSEGV, SIGBUS).</summary>
    public void NotRun(string why) => _notRun ??= why;

    public bool IsNotRun => _notRun is not null;

    /// <summary>The call fails with <paramref name="errno"/> (the first failure wins).</summary>
    public void Fail(string errno, string? detail = null)
    {
        _errno ??= errno;
        _detail ??= detail;
    }

    public void Hang(string detail)
    {
        _hung = true;
        _detail ??= detail;
    }

    /// <summary>The call's result: not-run, hung, failed or ok, in that precedence.</summary>
    public CallResult ToCall(long start, long end) =>
        _notRun is { } why ? CallResult.NotRun(why, start)
        : _hung ? CallResult.Hang(_detail!, start, end)
        : _errno is { } errno ? CallResult.Failed(errno, start, end, _detail)
        : CallResult.Success(start, end, _detail);
}
