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
public sealed class UringRegistration : SafeHandle
{
    private readonly UringRing _ring;

    private UringRegistration(UringRing ring) : base(0, ownsHandle: true) => _ring = ring;

    public override bool IsInvalid => handle == 0;

    public UringRing Ring => _ring;

    /// <summary>Registers [address, address+length) as buffer 0 of <paramref name="ring"/>.</summary>
    public static (UringRegistration? Registration, SysResult Result) Register(UringRing ring, nint address, long length)
    {
        var r = SysResult.FromReturnedError(UringNative.Register(ring, address, (nuint)length));
        if (!r.Ok)
            return (null, r);
        var registration = new UringRegistration(ring);
        var added = false;
        ring.DangerousAddRef(ref added);
        registration.SetHandle(1);
        return (registration, r);
    }

    /// <summary>Unregisters now, reporting the result as a step does.</summary>
    public SysResult Unregister()
    {
        var r = SysResult.FromReturnedError(UringNative.Unregister(_ring));
        if (r.Ok)
        {
            SetHandleAsInvalid();
            _ring.DangerousRelease();
        }
        return r;
    }

    protected override bool ReleaseHandle()
    {
        var ok = UringNative.Unregister(_ring) == 0;
        _ring.DangerousRelease();
        return ok;
    }
}
