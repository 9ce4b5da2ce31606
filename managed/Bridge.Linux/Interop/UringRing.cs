using System.Runtime.InteropServices;

namespace Bridge.Linux.Interop;

/// <summary>An io_uring instance (native/uring.c's bridge_ring); destroyed exactly once, which also drops any
/// buffer registration it still holds. One I/O at a time: callers serialize.</summary>
public sealed class UringRing : SafeHandle
{
    public const int TimeoutMs = 30_000;

    public UringRing() : base(0, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == 0;

    public static string? Unavailable => UringNative.Unavailable;

    public static (UringRing? Ring, SysResult Result) Create(uint entries = 8)
    {
        var r = UringNative.Create(entries, out var ptr);
        if (r < 0)
            return (null, SysResult.FromReturnedError(r));
        var ring = new UringRing();
        ring.SetHandle(ptr);
        return (ring, default);
    }

    public SysResult ReadFixed(FileDescriptor fd, nint buf, long len, long offset) =>
        SysResult.FromReturnedError(UringNative.ReadFixed(this, fd.Fd, buf, checked((uint)len), offset, TimeoutMs));

    public SysResult WriteFixed(FileDescriptor fd, nint buf, long len, long offset) =>
        SysResult.FromReturnedError(UringNative.WriteFixed(this, fd.Fd, buf, checked((uint)len), offset, TimeoutMs));

    public SysResult Read(FileDescriptor fd, nint buf, long len, long offset) =>
        SysResult.FromReturnedError(UringNative.Readv(this, fd.Fd, buf, checked((uint)len), offset, TimeoutMs));

    public SysResult Write(FileDescriptor fd, nint buf, long len, long offset) =>
        SysResult.FromReturnedError(UringNative.Writev(this, fd.Fd, buf, checked((uint)len), offset, TimeoutMs));

    protected override bool ReleaseHandle()
    {
        UringNative.Destroy(handle);
        return true;
    }
}

/// <summary>A registered buffer (the long-term pin) on a ring: unregistered exactly once when released. It keeps
/// its ring alive for as long as it exists.</summary>
public sealed class UringRegistration : DependentHandle<UringRing>
{
    // bridge_uring holds one registration per ring: the handle value only marks "registered".
    private UringRegistration(UringRing ring) : base(ring, 1)
    {
    }

    public UringRing Ring => Parent;

    /// <summary>Registers [address, address+length) as buffer 0 of <paramref name="ring"/>.</summary>
    public static (UringRegistration? Registration, SysResult Result) Register(UringRing ring, nint address, long length)
    {
        var r = SysResult.FromReturnedError(UringNative.Register(ring, address, (nuint)length));
        return (r.Ok ? new UringRegistration(ring) : null, r);
    }

    protected override int Release(nint handle) => UringNative.Unregister(Parent);
}
