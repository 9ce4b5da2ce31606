using System.Runtime.InteropServices;

namespace Bridge.Linux.Interop;

/// <summary>P/Invoke declarations for native/verbs.c (libbridge_verbs.so, linked against libibverbs.so.1). The
/// library is loaded on first use only, so Bridge runs — and says why RDMA is unavailable — without rdma-core.</summary>
internal static unsafe partial class VerbsNative
{
    private const string Library = "bridge_verbs";

    [LibraryImport(Library, EntryPoint = "bridge_rdma_open", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Open(string? device, int gidIndex, nuint bounceLength, out nint rdma, byte* name, nuint nameLength);

    [LibraryImport(Library, EntryPoint = "bridge_rdma_close")]
    internal static partial void Close(nint rdma);

    [LibraryImport(Library, EntryPoint = "bridge_rdma_bounce")]
    internal static partial nint Bounce(RdmaDevice rdma);

    [LibraryImport(Library, EntryPoint = "bridge_rdma_reg_mr")]
    internal static partial int RegMr(RdmaDevice rdma, nint addr, nuint length, int access, out nint mr);

    [LibraryImport(Library, EntryPoint = "bridge_rdma_dereg_mr")]
    internal static partial int DeregMr(nint mr);

    [LibraryImport(Library, EntryPoint = "bridge_rdma_write")]
    internal static partial int Write(RdmaDevice rdma, nuint bounceOffset, RdmaMemoryRegion mr, nint addr, uint length, int timeoutMs, out int wcStatus);

    [LibraryImport(Library, EntryPoint = "bridge_rdma_read")]
    internal static partial int Read(RdmaDevice rdma, nuint bounceOffset, RdmaMemoryRegion mr, nint addr, uint length, int timeoutMs, out int wcStatus);

    [LibraryImport(Library, EntryPoint = "bridge_rdma_wc_status_str")]
    internal static partial nint WcStatusString(int wcStatus);
}
