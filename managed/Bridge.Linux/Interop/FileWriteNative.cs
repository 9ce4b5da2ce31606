using System.Runtime.InteropServices;

namespace Bridge.Linux.Interop;

/// <summary>P/Invoke declarations for native/filewrite.c (libbridge_filewrite.so): the data file's writers libc
/// bindings lack. Each returns 0 or -errno; descriptors are borrowed for the call (<see cref="SafeHandle.DangerousAddRef"/>).</summary>
public static partial class FileWriteNative
{
    [LibraryImport("bridge_filewrite", EntryPoint = "bridge_copy_range")]
    private static partial int CopyRangeCall(int srcFd, long srcOff, int dstFd, long dstOff, ulong len);

    [LibraryImport("bridge_filewrite", EntryPoint = "bridge_clone_range")]
    private static partial int CloneRangeCall(int srcFd, ulong srcOff, int dstFd, ulong dstOff, ulong len);

    [LibraryImport("bridge_filewrite", EntryPoint = "bridge_zero_range")]
    private static partial int ZeroRangeCall(int fd, long off, long len);

    [LibraryImport("bridge_filewrite", EntryPoint = "bridge_shift_range")]
    private static partial int ShiftRangeCall(int fd, int insert, long off, long len);

    /// <summary>copy_file_range of <paramref name="length"/> bytes at the same offset of both files.</summary>
    public static SysResult CopyRange(FileDescriptor source, FileDescriptor target, long offset, long length) =>
        Borrowed(source, target, (s, t) => CopyRangeCall(s, offset, t, offset, (ulong)length));

    /// <summary>ioctl(FICLONERANGE) of <paramref name="length"/> bytes at the same offset of both files.</summary>
    public static SysResult CloneRange(FileDescriptor source, FileDescriptor target, long offset, long length) =>
        Borrowed(source, target, (s, t) => CloneRangeCall(s, (ulong)offset, t, (ulong)offset, (ulong)length));

    /// <summary>fallocate(FALLOC_FL_ZERO_RANGE) over the range.</summary>
    public static SysResult ZeroRange(FileDescriptor file, long offset, long length) =>
        Borrowed(file, file, (f, _) => ZeroRangeCall(f, offset, length));

    /// <summary>fallocate(FALLOC_FL_INSERT_RANGE) when <paramref name="insert"/>, else fallocate(FALLOC_FL_COLLAPSE_RANGE),
    /// over the range.</summary>
    public static SysResult ShiftRange(FileDescriptor file, bool insert, long offset, long length) =>
        Borrowed(file, file, (f, _) => ShiftRangeCall(f, insert ? 1 : 0, offset, length));

    private static SysResult Borrowed(FileDescriptor a, FileDescriptor b, Func<int, int, int> call)
    {
        var (addedA, addedB) = (false, false);
        try
        {
            a.DangerousAddRef(ref addedA);
            b.DangerousAddRef(ref addedB);
            return SysResult.FromReturnedError(call(a.Fd, b.Fd));
        }
        finally
        {
            if (addedB)
                b.DangerousRelease();
            if (addedA)
                a.DangerousRelease();
        }
    }
}
