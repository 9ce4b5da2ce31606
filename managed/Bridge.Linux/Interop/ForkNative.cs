using System.Runtime.InteropServices;

namespace Bridge.Linux.Interop;

/// <summary>P/Invoke declarations for native/fork.c (libbridge_fork.so).</summary>
internal static partial class ForkNative
{
    [StructLayout(LayoutKind.Sequential)]
    internal struct Copy
    {
        public nint Dst;
        public nint Src;
        public nuint Len;
    }

    [LibraryImport("bridge_fork", EntryPoint = "bridge_fork_hold")]
    internal static unsafe partial int Hold(Copy* copies, nuint count, out int child, out int release);

    [LibraryImport("bridge_fork", EntryPoint = "bridge_fork_release")]
    internal static partial int Release(int child, int release);
}

/// <summary>A forked child that did its stores and now waits, sharing the parent's COW pages, until released:
/// released (and reaped) exactly once.</summary>
public sealed class ForkedChild : SafeHandle
{
    private int _pid;

    private ForkedChild() : base(-1, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == -1;

    public int Pid => _pid;

    /// <summary>Forks a child that performs <paramref name="copies"/> in its own address space and stays alive.</summary>
    internal static unsafe (ForkedChild? Child, SysResult Result) Start(ReadOnlySpan<ForkNative.Copy> copies)
    {
        int r, pid, release;
        fixed (ForkNative.Copy* p = copies)
            r = ForkNative.Hold(p, (nuint)copies.Length, out pid, out release);
        if (r < 0)
            return (null, SysResult.FromReturnedError(r));
        var child = new ForkedChild { _pid = pid };
        child.SetHandle(release);
        return (child, default);
    }

    protected override bool ReleaseHandle() => ForkNative.Release(_pid, (int)handle) == 0;
}
