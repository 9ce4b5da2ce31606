using System.Runtime.InteropServices;

namespace Bridge.Linux.Interop;

/// <summary>The kernel's id of the calling thread (gettid(2)), which names it under /proc/self/task. Tmds.LibC and
/// Mono.Unix do not bind it; glibc has exported it since 2.30.</summary>
public static partial class ThreadId
{
    public static int Current => gettid();

    [LibraryImport("libc.so.6")]
    private static partial int gettid();
}
