using System.Text;
using static Tmds.Linux.LibC;

namespace Bridge.Linux.Interop;

/// <summary>mount(2) / umount2(2) and the mount table, for scratch filesystems.</summary>
public static class Mounts
{
    private const int MntDetach = 2;

    public static unsafe void Mount(string source, string target, string fsType, string? options = null)
    {
        var src = Encoding.UTF8.GetBytes(source + "\0");
        var dst = Encoding.UTF8.GetBytes(target + "\0");
        var type = Encoding.UTF8.GetBytes(fsType + "\0");
        var data = options is null ? null : Encoding.UTF8.GetBytes(options + "\0");
        fixed (byte* s = src, d = dst, t = type, o = data)
            SysResult.From(mount(s, d, t, 0, o)).ThrowIfFailed($"mount -t {fsType} {source} {target}");
    }

    /// <summary>Unmounts; a busy mount (a straggling reader) is retried, then lazily detached so cleanup always ends.</summary>
    public static unsafe void Unmount(string target)
    {
        var dst = Encoding.UTF8.GetBytes(target + "\0");
        fixed (byte* d = dst)
        {
            for (var attempt = 0; attempt < 20; attempt++)
            {
                var r = SysResult.From(umount2(d, 0));
                if (r.Ok || r.Errno == 22 /* EINVAL: not mounted */ || r.Errno == 2)
                    return;
                if (r.Errno != 16 /* EBUSY */)
                    throw new SysException($"umount {target}", r.Errno);
                Thread.Sleep(50);
            }
            SysResult.From(umount2(d, MntDetach)).ThrowIfFailed($"umount -l {target}");
        }
    }

    /// <summary>Mount points under <paramref name="prefix"/> from /proc/self/mountinfo.</summary>
    public static IReadOnlyList<string> Under(string prefix) =>
        File.ReadAllLines("/proc/self/mountinfo")
            .Select(l => l.Split(' ')[4])
            .Where(m => m.StartsWith(prefix, StringComparison.Ordinal))
            .ToList();
}
