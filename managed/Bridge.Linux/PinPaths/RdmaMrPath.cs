using Bridge.Core.Execution;
using Bridge.Core.Scenarios;
using Bridge.Linux.Execution;
using Bridge.Linux.Host;
using Bridge.Linux.Interop;
using Bridge.Linux.Rdma;

namespace Bridge.Linux.PinPaths;

/// <summary>
/// The RDMA long-term pin: ibv_reg_mr over the mapped range (drivers/infiniband/core/umem.c ib_umem_get →
/// pin_user_pages_fast(FOLL_LONGTERM, plus FOLL_WRITE unless the region is remote-read only)). The device is a
/// soft-RoCE QP connected to itself: RDMA WRITE from its bounce buffer into the region writes the pinned pages
/// without the CPU, RDMA READ reads them. ibv_dereg_mr unpins (dirtying the pages when the region was writable).
/// </summary>
public sealed class RdmaMrPath : IPinPath
{
    // enum ibv_access_flags
    private const int IbvAccessLocalWrite = 1, IbvAccessRemoteWrite = 2, IbvAccessRemoteRead = 4;

    public PinPathInfo Row => PinPathTable.RdmaMr;

    public string? Unavailable => RdmaDevice.Unavailable;

    /// <summary>With no RDMA device but rdma_rxe loaded (a VM that loaded the path's module group), brings up
    /// soft-RoCE, recorded in the run's ledger first so that a killed run's device is swept; elsewhere the scenarios
    /// say why they were skipped.</summary>
    public IDisposable? SetUpDevice()
    {
        if (RdmaDevice.Unavailable is null || !Directory.Exists("/sys/module/rdma_rxe") || SoftRoce.IsUp)
            return null;
        var device = new SoftRoceDevice(RunLedger.Current.Take(SoftRoce.Leftover.Kind, SoftRoce.Device));
        try
        {
            SoftRoce.Up();
            RdmaDevice.Reprobe();
            return device;
        }
        catch
        {
            device.Dispose(); // half set up: taken down now like a whole one
            throw;
        }
    }

    private sealed class SoftRoceDevice(LedgerEntry entry) : IDisposable
    {
        public void Dispose()
        {
            SoftRoce.Down();
            RunLedger.Current.Release(entry);
        }
    }

    public (IPinnedRange? Pin, SysResult Result) Pin(MappedRegion mapping, long offset, long length, PinAccess access)
    {
        var (device, opened) = RdmaDevice.Open(length);
        if (device is null)
            return (null, opened);
        var flags = ((access & PinAccess.LocalWrite) != 0 ? IbvAccessLocalWrite : 0)
                    | ((access & PinAccess.RemoteWrite) != 0 ? IbvAccessRemoteWrite : 0)
                    | ((access & PinAccess.RemoteRead) != 0 ? IbvAccessRemoteRead : 0);
        var address = mapping.Address + (nint)offset;
        var (region, r) = RdmaMemoryRegion.Register(device, address, length, flags);
        if (region is null)
        {
            device.Dispose();
            return (null, r);
        }
        return (new Pinned(device, region, address), r);
    }

    private sealed class Pinned(RdmaDevice device, RdmaMemoryRegion region, nint address) : IPinnedRange
    {
        private readonly Lock _qp = new(); // one work request at a time on the QP, whichever race thread asks

        public unsafe CallResult DeviceWrite(AlignedBuffer source, FileDescriptor sourceFile, long fileOffset, long pinOffset, long length)
        {
            lock (_qp)
            {
                new ReadOnlySpan<byte>((byte*)source.Address + fileOffset, checked((int)length)).CopyTo(new Span<byte>((byte*)device.Bounce + pinOffset, (int)length));
                var status = 0;
                var call = KernelCalls.Time(() => device.Write(pinOffset, region, address + (nint)pinOffset, length, out status));
                return call.Ok || status == 0 ? call : call with { Detail = RdmaDevice.WorkCompletion(status) };
            }
        }

        public CallResult DeviceRead(FileDescriptor target, long fileOffset, long pinOffset, long length)
        {
            lock (_qp)
            {
                var status = 0;
                var call = KernelCalls.Time(() => device.Read(pinOffset, region, address + (nint)pinOffset, length, out status));
                if (!call.Ok)
                    return status == 0 ? call : call with { Detail = RdmaDevice.WorkCompletion(status) };
                // What the device read lands in the output file (outside the timed part: the pin was read).
                var written = KernelCalls.Complete(target.PWrite(device.Bounce + (nint)pinOffset, length, fileOffset), length);
                return written.Ok ? call : KernelCalls.Of(written, call.Start, call.End, "writing what the device read to the output file failed");
            }
        }

        public SysResult Unpin()
        {
            lock (_qp)
                return region.ReleaseNow();
        }

        public void Dispose()
        {
            region.Dispose();
            device.Dispose();
        }
    }
}
