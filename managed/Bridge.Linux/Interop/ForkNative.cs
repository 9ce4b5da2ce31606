using System.Runtime.InteropServices;

namespace Bridge.Linux.Interop;

/// <summary>P/Invoke declarations for native/fork.c (libbridge_fork.so).</summary>
internal static partial class ForkNative
{
    [StructLayout(LayoutKind.Sequential)]
    internal struct Copy
    {
        public nint Dst;
        public nint Src;
        public nuint Len;
    }

    [LibraryImport("bridge_fork", EntryPoint = "bridge_fork_copy")]
    private static unsafe partial int ForkCopy(Copy* copies, nuint count);

    /// <summary>Forks a child that performs the copies in its own address space and exits; 0 or -errno.</summary>
    internal static unsafe SysResult ForkAndCopy(ReadOnlySpan<Copy> copies)
    {
        fixed (Copy* p = copies)
            return SysResult.FromReturnedError(ForkCopy(p, (nuint)copies.Length));
    }
}
