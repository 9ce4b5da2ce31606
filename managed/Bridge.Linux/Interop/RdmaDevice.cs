using System.Runtime.InteropServices;
using Bridge.Core.Observations;

namespace Bridge.Linux.Interop;

/// <summary>An open RDMA device with its PD, CQ, self-connected RC QP and registered bounce buffer
/// (native/verbs.c's bridge_rdma); closed exactly once.</summary>
public sealed class RdmaDevice : SafeHandle
{
    public const int TimeoutMs = 30_000;

    /// <summary>The ::ffff:IPv4 GID of a RoCE v2 port (index 0 is the link-local IPv6 one): docs/ARCHITECTURE.md §12.</summary>
    public const int RoceV2GidIndex = 1;

    // enum ibv_wc_status values that mean "this MR does not allow that": local protection, invalid request (rxe
    // reports a missing remote right this way), remote access.
    private const int IbvWcLocProtErr = 4, IbvWcRemInvReqErr = 9, IbvWcRemAccessErr = 10;

    private RdmaDevice() : base(0, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == 0;

    public string Name { get; private set; } = "";

    /// <summary>The device's side of every transfer: page-aligned, registered for local access.</summary>
    public nint Bounce => VerbsNative.Bounce(this);

    public static unsafe (RdmaDevice? Device, SysResult Result) Open(long bounceLength, string? device = null)
    {
        var name = stackalloc byte[64];
        int r;
        nint ptr;
        try
        {
            r = VerbsNative.Open(device, RoceV2GidIndex, (nuint)bounceLength, out ptr, name, 64);
        }
        catch (DllNotFoundException e)
        {
            throw new RdmaUnavailableException($"libbridge_verbs.so or libibverbs.so.1 cannot be loaded ({e.Message.Split('\n')[0]}); install rdma-core (libibverbs1, ibverbs-providers) and build native/");
        }
        if (r < 0)
            return (null, SysResult.FromReturnedError(r));
        var rdma = new RdmaDevice { Name = Marshal.PtrToStringUTF8((nint)name) ?? "" };
        rdma.SetHandle(ptr);
        return (rdma, default);
    }

    /// <summary>Why RDMA cannot be used here, or null: probed once by opening the first device.</summary>
    public static string? Unavailable => _probe.Value;

    /// <summary>Probes again (after soft-RoCE was set up).</summary>
    public static void Reprobe() => _probe = new Lazy<string?>(ProbeDevice);

    private static Lazy<string?> _probe = new(ProbeDevice);

    private static string? ProbeDevice()
    {
        try
        {
            var (device, r) = Open(4096);
            device?.Dispose();
            return r.Ok ? null
                : r.Errno is 19 or 38 /* ENODEV, ENOSYS: no uverbs in the kernel */
                    ? $"no RDMA device ({r.ErrnoName}): run where rdma_rxe exists — 'pinbridge rxe up' there, or --target vm:debian-6.12"
                    : $"opening the RDMA device failed: {r.ErrnoName}";
        }
        catch (RdmaUnavailableException e)
        {
            return e.Message;
        }
    }

    /// <summary>RDMA WRITE of <paramref name="length"/> bytes from the bounce buffer at <paramref name="bounceOffset"/>
    /// into <paramref name="region"/> at <paramref name="address"/>, waited for: the device writing the pinned pages.</summary>
    public SysResult Write(long bounceOffset, RdmaMemoryRegion region, nint address, long length, out int wcStatus) =>
        Completion(VerbsNative.Write(this, (nuint)bounceOffset, region, address, checked((uint)length), TimeoutMs, out wcStatus), wcStatus);

    /// <summary>RDMA READ of <paramref name="length"/> bytes at <paramref name="address"/> of <paramref name="region"/>
    /// into the bounce buffer at <paramref name="bounceOffset"/>, waited for: the device reading the pinned pages.</summary>
    public SysResult Read(long bounceOffset, RdmaMemoryRegion region, nint address, long length, out int wcStatus) =>
        Completion(VerbsNative.Read(this, (nuint)bounceOffset, region, address, checked((uint)length), TimeoutMs, out wcStatus), wcStatus);

    /// <summary>A failed operation's work completion status in words (libibverbs' ibv_wc_status_str), for the step's
    /// detail: EIO alone does not say whether the responder refused the access or the QP flushed the request.</summary>
    public static string WorkCompletion(int wcStatus) =>
        $"work completion status {wcStatus} ({Marshal.PtrToStringUTF8(VerbsNative.WcStatusString(wcStatus)) ?? "?"})";

    /// <summary>A failed work completion as an errno: a remote or local access error is EACCES (an MR without the
    /// access the operation needs), anything else EIO.</summary>
    private static SysResult Completion(int ret, int wcStatus) =>
        ret == 0 ? default
        : ret == -5 && wcStatus is IbvWcRemAccessErr or IbvWcLocProtErr or IbvWcRemInvReqErr ? new SysResult(-1, 13)
        : SysResult.FromReturnedError(ret);

    protected override bool ReleaseHandle()
    {
        VerbsNative.Close(handle);
        return true;
    }
}

/// <summary>A registered memory region (ibv_reg_mr: the long-term pin); deregistered exactly once. Keeps its
/// device open for as long as it exists.</summary>
public sealed class RdmaMemoryRegion : DependentHandle<RdmaDevice>
{
    private RdmaMemoryRegion(RdmaDevice device, nint mr) : base(device, mr)
    {
    }

    public static (RdmaMemoryRegion? Region, SysResult Result) Register(RdmaDevice device, nint address, long length, int access)
    {
        var r = VerbsNative.RegMr(device, address, (nuint)length, access, out var mr);
        return r < 0 ? (null, SysResult.FromReturnedError(r)) : (new RdmaMemoryRegion(device, mr), default);
    }

    protected override int Release(nint handle) => VerbsNative.DeregMr(handle);
}

/// <summary>rdma-core is missing: the RDMA pin path is unavailable, and says so.</summary>
public sealed class RdmaUnavailableException(string message) : Exception(message);
