using Bridge.Linux.Interop;

namespace Bridge.Linux.Execution;

/// <summary>One call of a step (one iteration in a race): its result and when the call began and returned.
/// <see cref="NotRun"/> says why it was not attempted (it would fault the harness, or a step it needs failed).</summary>
public readonly record struct StepCall(SysResult Result, long Start, long End, string? NotRun = null, string? Detail = null)
{
    public static StepCall Skip(string why) => new(default, 0, 0, why);

    /// <summary>Times <paramref name="call"/>; the first failing call's errno is the result.</summary>
    public static StepCall Time(Func<SysResult> call)
    {
        var start = MonotonicClock.Now;
        var r = call();
        return new StepCall(r, start, MonotonicClock.Now);
    }
}
