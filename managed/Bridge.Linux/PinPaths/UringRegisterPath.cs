using Bridge.Core.Execution;
using Bridge.Core.Scenarios;
using Bridge.Linux.Execution;
using Bridge.Linux.Interop;

namespace Bridge.Linux.PinPaths;

/// <summary>
/// The io_uring long-term pin: io_uring_register_buffers over the mapped range (io_uring/rsrc.c,
/// io_sqe_buffer_register → io_pin_pages → pin_user_pages_fast(FOLL_WRITE | FOLL_LONGTERM)). The device is the
/// ring: READ_FIXED from a file into the registered buffer writes the pinned pages; WRITE_FIXED reads them.
/// Registration always asks for write access, so <see cref="PinAccess"/> has no say here.
/// </summary>
public sealed class UringRegisterPath : IPinPath
{
    public PinPathInfo Row => PinPathTable.UringRegister;

    public string? Unavailable => UringRing.Unavailable;

    /// <summary>The ring is the device: made with the pin.</summary>
    public IDisposable? SetUpDevice() => null;

    public (IPinnedRange? Pin, SysResult Result) Pin(MappedRegion mapping, long offset, long length, PinAccess access)
    {
        var (ring, created) = UringRing.Create();
        if (ring is null)
            return (null, created);
        var (registration, r) = UringRegistration.Register(ring, mapping.Address + (nint)offset, length);
        if (registration is null)
        {
            ring.Dispose();
            return (null, r);
        }
        return (new Pinned(ring, registration, mapping.Address + (nint)offset), r);
    }

    private sealed class Pinned(UringRing ring, UringRegistration registration, nint address) : IPinnedRange
    {
        private readonly Lock _ring = new(); // one I/O at a time on the ring, whichever race thread asks

        public CallResult DeviceWrite(AlignedBuffer source, FileDescriptor sourceFile, long fileOffset, long pinOffset, long length)
        {
            lock (_ring)
                return KernelCalls.Time(() => KernelCalls.Complete(ring.ReadFixed(sourceFile, address + (nint)pinOffset, length, fileOffset), length));
        }

        public CallResult DeviceRead(FileDescriptor target, long fileOffset, long pinOffset, long length)
        {
            lock (_ring)
                return KernelCalls.Time(() => KernelCalls.Complete(ring.WriteFixed(target, address + (nint)pinOffset, length, fileOffset), length));
        }

        public SysResult Unpin()
        {
            lock (_ring)
                return registration.ReleaseNow();
        }

        public void Dispose()
        {
            registration.Dispose();
            ring.Dispose();
        }
    }
}
