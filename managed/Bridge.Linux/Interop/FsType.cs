using System.Text;
using Bridge.Core.Scenarios;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace Bridge.Linux.Interop;

/// <summary>The filesystem type of a path, from statfs(2)'s f_type (include/uapi/linux/magic.h).</summary>
public static class FsType
{
    private const int SysStatfs = 137; // x86_64
    private const int SysFstatfs = 138;

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
