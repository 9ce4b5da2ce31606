using System.Runtime.InteropServices;
using Bridge.Core.Scenarios;

namespace Bridge.Linux.Interop;

/// <summary>The filesystem type of a path, from statfs(2)'s f_type (include/uapi/linux/magic.h).</summary>
public static partial class FsType
{
    private static readonly Dictionary<long, string> Magic = Names();

    /// <summary>The backings' filesystems (each row carries its magic), and those a scratch directory may sit on
    /// that are no backing: a VM's 9p root, a container's overlay.</summary>
    private static Dictionary<long, string> Names()
    {
        var names = new Dictionary<long, string> { [0x01021997] = "9p", [0x794c7630] = "overlayfs" };
        foreach (var backing in BackingTable.All)
            if (backing.FsMagic is { } magic)
                names.TryAdd(magic, backing.FsType!);
        return names;
    }

    public static string Of(string path)
    {
        SysResult.From(statfs(path, out var buffer)).ThrowIfFailed($"statfs {path}");
        return Name(buffer.Type);
    }

    public static string Of(FileDescriptor fd)
    {
        SysResult.From(fstatfs(fd.Fd, out var buffer)).ThrowIfFailed("fstatfs");
        return Name(buffer.Type);
    }

    private static string Name(long magic) => Magic.TryGetValue(magic & 0xFFFFFFFF, out var name) ? name : $"0x{magic:x}";

    /// <summary>glibc's struct statfs on 64-bit Linux (bits/statfs.h; __fsword_t is long). Tmds.LibC binds statvfs,
    /// whose struct has no f_type, but not statfs; so libc's own statfs is imported here, never the raw syscall.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct StatFsBuffer
    {
        public nint Type;
        public nint BlockSize;
        public ulong Blocks;
        public ulong BlocksFree;
        public ulong BlocksAvailable;
        public ulong Files;
        public ulong FilesFree;
        public ulong FsId;
        public nint NameLength;
        public nint FragmentSize;
        public nint Flags;
        public nint Spare0, Spare1, Spare2, Spare3;
    }

    [LibraryImport("libc.so.6", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statfs(string path, out StatFsBuffer buffer);

    [LibraryImport("libc.so.6", SetLastError = true)]
    private static partial int fstatfs(int fd, out StatFsBuffer buffer);
}
