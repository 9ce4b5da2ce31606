using Bridge.Core.Execution;
using Bridge.Core.Scenarios;
using Bridge.Linux.Interop;

namespace Bridge.Linux.PinPaths;

/// <summary>
/// A long-term pin path on the real kernel (one per row of <see cref="PinPathTable"/>, listed in
/// <see cref="PinPathRegistry"/>): takes the pin over part of the mapping and plays the device that reads and
/// writes the pinned pages.
/// </summary>
public interface IPinPath
{
    /// <summary>The path's row: its name, access flags and device writer.</summary>
    PinPathInfo Row { get; }

    /// <summary>Why this path cannot run here (no RDMA device, native shim missing), or null when it can.</summary>
    string? Unavailable { get; }

    /// <summary>Sets up this path's device where the kernel can provide one but none exists yet (rdma-mr:
    /// soft-RoCE over a loaded rdma_rxe, as inside a VM that loaded the path's module group); returns what tears it
    /// down again, or null when nothing was set up.</summary>
    IDisposable? SetUpDevice();

    /// <summary>Pins <paramref name="length"/> bytes of the mapping at <paramref name="offset"/>. A refusal is a
    /// result (EFAULT, EOPNOTSUPP …), not an exception.</summary>
    (IPinnedRange? Pin, SysResult Result) Pin(MappedRegion mapping, long offset, long length, PinAccess access);
}

/// <summary>A held pin: the device's view of the pinned pages. Offsets are relative to the pinned range.</summary>
public interface IPinnedRange : IDisposable
{
    /// <summary>The device writes <paramref name="length"/> bytes at <paramref name="pinOffset"/>: the data is in
    /// <paramref name="source"/> (stamped memory) and, identically, in <paramref name="sourceFile"/> at
    /// <paramref name="fileOffset"/> — a path takes whichever its device reads from (io_uring READ_FIXED reads the
    /// file; RDMA WRITE sends the memory).</summary>
    CallResult DeviceWrite(AlignedBuffer source, FileDescriptor sourceFile, long fileOffset, long pinOffset, long length);

    /// <summary>The device reads the pinned bytes out to <paramref name="target"/> at <paramref name="fileOffset"/>.</summary>
    CallResult DeviceRead(FileDescriptor target, long fileOffset, long pinOffset, long length);

    /// <summary>Releases the pin (io_uring_unregister_buffers, ibv_dereg_mr), reporting the call's result.</summary>
    SysResult Unpin();
}
