using System.Text;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace Bridge.Linux.Interop;

/// <summary>The filesystem type of a path, from statfs(2)'s f_type (include/uapi/linux/magic.h).</summary>
public static class FsType
{
    private const int SysStatfs = 137; // x86_64
    private const int SysFstatfs = 138;

    private static readonly Dictionary<long, string> Magic = new()
    {
        [0xEF53] = "ext4",
        [0x58465342] = "xfs",
        [0x9123683E] = "btrfs",
        [0x01021994] = "tmpfs",
        [0x958458f6] = "hugetlbfs",
        [0x01021997] = "9p",
        [0x794c7630] = "overlayfs",
    };

    public static unsafe string Of(string path)
    {
        var buf = stackalloc long[16]; // struct statfs is 120 bytes on x86_64; f_type is its first field
        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = bytes)
            SysResult.From((int)syscall(SysStatfs, p, buf)).ThrowIfFailed($"statfs {path}");
        return Name(buf[0]);
    }

    public static unsafe string Of(FileDescriptor fd)
    {
        var buf = stackalloc long[16];
        SysResult.From((int)syscall(SysFstatfs, fd.Fd, buf)).ThrowIfFailed("fstatfs");
        return Name(buf[0]);
    }

    private static string Name(long magic) => Magic.TryGetValue(magic & 0xFFFFFFFF, out var name) ? name : $"0x{magic:x}";
}
