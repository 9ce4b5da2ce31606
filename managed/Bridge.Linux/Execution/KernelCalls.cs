using Bridge.Core.Execution;
using Bridge.Core.Observations;
using Bridge.Linux.Interop;

namespace Bridge.Linux.Execution;

/// <summary>Turns system calls into the <see cref="CallResult"/> every handler returns, timed on
/// <see cref="MonotonicClock"/>.</summary>
internal static class KernelCalls
{
    /// <summary>Times <paramref name="call"/>.</summary>
    public static CallResult Time(Func<SysResult> call)
    {
        var start = MonotonicClock.Now;
        var r = call();
        return Of(r, start, MonotonicClock.Now);
    }

    public static CallResult Of(SysResult r, long start, long end, string? detail = null) =>
        r.Ok ? CallResult.Success(start, end, detail) : CallResult.Failed(r.Errno, start, end, detail);

    /// <summary>A call not attempted because it would fault the harness (SIGSEGV, SIGBUS).</summary>
    public static CallResult NotRun(string why) => CallResult.NotRun(why, MonotonicClock.Now);

    /// <summary>A call that returned but moved fewer bytes than asked fails as <see cref="Errnos.ShortTransfer"/>.</summary>
    public static SysResult Complete(SysResult r, long expected) =>
        !r.Ok || r.Value == expected ? r : new SysResult(r.Value, Errnos.ShortTransfer);
}
