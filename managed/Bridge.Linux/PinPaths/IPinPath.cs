using Bridge.Core.Scenarios;
using Bridge.Linux.Execution;
using Bridge.Linux.Interop;

namespace Bridge.Linux.PinPaths;

/// <summary>
/// A long-term pin path on the real kernel (one per row of <see cref="PinPaths"/>): takes the pin over part of
/// the mapping and plays the device that reads and writes the pinned pages. Adding a path = one native file, one
/// class implementing this, one simulator rule, their tests.
/// </summary>
public interface IPinPath
{
    string Name { get; }

    /// <summary>Why this path cannot run here (no RDMA device, native shim missing), or null when it can.</summary>
    string? Unavailable { get; }

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
    StepCall DeviceWrite(AlignedBuffer source, FileDescriptor sourceFile, long fileOffset, long pinOffset, long length);

    /// <summary>The device reads the pinned bytes out to <paramref name="target"/> at <paramref name="fileOffset"/>.</summary>
    StepCall DeviceRead(FileDescriptor target, long fileOffset, long pinOffset, long length);

    /// <summary>Releases the pin (io_uring_unregister_buffers, ibv_dereg_mr), reporting the call's result.</summary>
    SysResult Unpin();
}
