using System.Text;
using Bridge.Linux.Host;
using static Tmds.Linux.LibC;

namespace Bridge.Linux.Interop;

/// <summary>mount(2) / umount2(2) and the mount table, for scratch filesystems.</summary>
public static class Mounts
{
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
                // EINVAL: not a mount point (any more); ENOENT: the directory is gone too.
                if (r.Ok || r.Errno == EINVAL || r.Errno == ENOENT)
                    return;
                if (r.Errno != EBUSY)
                    throw new SysException($"umount {target}", r.Errno);
                Thread.Sleep(50);
            }
            SysResult.From(umount2(d, MNT_DETACH)).ThrowIfFailed($"umount -l {target}");
        }
    }

    /// <summary>Mount points whose path starts with <paramref name="prefix"/> (<see cref="MountTable"/>).</summary>
    public static IReadOnlyList<string> Under(string prefix) => MountTable.StartingWith(prefix);
}
