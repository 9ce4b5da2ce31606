using System.Runtime.InteropServices;

namespace Bridge.Linux.Interop;

/// <summary>P/Invoke declarations for native/uring.c (libbridge_uring.so). Every function returns 0, a byte
/// count, or -errno, exactly as the C side documents in native/uring.h.</summary>
internal static partial class UringNative
{
    private const string Library = "bridge_uring";

    [LibraryImport(Library, EntryPoint = "bridge_uring_create")]
    internal static partial int Create(uint entries, out nint ring);

    [LibraryImport(Library, EntryPoint = "bridge_uring_destroy")]
    internal static partial void Destroy(nint ring);

    [LibraryImport(Library, EntryPoint = "bridge_uring_register")]
    internal static partial int Register(UringRing ring, nint addr, nuint len);

    [LibraryImport(Library, EntryPoint = "bridge_uring_unregister")]
    internal static partial int Unregister(UringRing ring);

    [LibraryImport(Library, EntryPoint = "bridge_uring_read_fixed")]
    internal static partial long ReadFixed(UringRing ring, int fd, nint buf, uint len, long offset, int timeoutMs);

    [LibraryImport(Library, EntryPoint = "bridge_uring_write_fixed")]
    internal static partial long WriteFixed(UringRing ring, int fd, nint buf, uint len, long offset, int timeoutMs);

    [LibraryImport(Library, EntryPoint = "bridge_uring_readv")]
    internal static partial long Readv(UringRing ring, int fd, nint buf, uint len, long offset, int timeoutMs);

    [LibraryImport(Library, EntryPoint = "bridge_uring_writev")]
    internal static partial long Writev(UringRing ring, int fd, nint buf, uint len, long offset, int timeoutMs);

    /// <summary>Why the shim cannot be used here (library not built, liburing missing), or null.</summary>
    internal static string? Unavailable { get; } = Probe();

    private static string? Probe()
    {
        try
        {
            var r = Create(2, out var ring);
            if (r == 0)
                Destroy(ring);
            return r == 0 ? null : $"io_uring_queue_init: {Bridge.Core.Observations.Errnos.Name(-r)}";
        }
        catch (DllNotFoundException e)
        {
            return $"libbridge_uring.so not loadable ({e.Message.Split('\n')[0]}); build native/ (make native)";
        }
    }
}
