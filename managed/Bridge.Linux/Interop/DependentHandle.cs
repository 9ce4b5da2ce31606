using System.Runtime.InteropServices;

namespace Bridge.Linux.Interop;

/// <summary>
/// A handle that lives on a parent handle — a buffer registration on its io_uring ring, a memory region on its
/// RDMA device: it holds a reference on the parent for as long as it exists, and can be released early with the
/// release call's result reported (an unpin step), or released exactly once when disposed.
/// </summary>
public abstract class DependentHandle<TParent> : SafeHandle
    where TParent : SafeHandle
{
    protected DependentHandle(TParent parent, nint handle) : base(0, ownsHandle: true)
    {
        var added = false;
        parent.DangerousAddRef(ref added);
        Parent = parent;
        SetHandle(handle);
    }

    protected TParent Parent { get; }

    public override bool IsInvalid => handle == 0;

    /// <summary>The native release call: 0 or -errno.</summary>
    protected abstract int Release(nint handle);

    /// <summary>Releases now (through Dispose, so still exactly once) and reports the call's result as a step does.</summary>
    public SysResult ReleaseNow()
    {
        Dispose();
        return SysResult.FromReturnedError(_releaseResult);
    }

    private int _releaseResult;

    protected override bool ReleaseHandle()
    {
        _releaseResult = Release(handle);
        Parent.DangerousRelease();
        return _releaseResult == 0;
    }
}
