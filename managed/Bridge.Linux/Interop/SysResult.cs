using System.Runtime.InteropServices;
using Bridge.Core.Observations;

namespace Bridge.Linux.Interop;

/// <summary>A syscall's outcome: a non-negative value, or the errno it set. Read errno only through
/// <see cref="Marshal.GetLastPInvokeError"/> right after the call (Tmds.LibC imports with SetLastError=true;
/// its own errno property can be clobbered by the runtime in between).</summary>
public readonly record struct SysResult(long Value, int Errno)
{
    public bool Ok => Errno == 0;
    public string ErrnoName => Bridge.Core.Observations.Errnos.Name(Errno);

    public static SysResult From(long ret) => ret < 0 ? new SysResult(ret, Marshal.GetLastPInvokeError()) : new SysResult(ret, 0);

    /// <summary>For calls that return an error number instead of setting errno (posix_fadvise, io_uring's -errno).</summary>
    public static SysResult FromReturnedError(long ret) => ret < 0 ? new SysResult(ret, (int)-ret) : ret > 0 && ret < 4096 ? new SysResult(-ret, (int)ret) : new SysResult(ret, 0);

    public SysResult ThrowIfFailed(string what) => Ok ? this : throw new SysException(what, Errno);
}

/// <summary>A setup call failed (not a step: steps record errnos, they do not throw).</summary>
public sealed class SysException(string what, int errno) : Exception($"{what}: {Errnos.Name(errno)} ({errno})")
{
    public int Errno { get; } = errno;
}
