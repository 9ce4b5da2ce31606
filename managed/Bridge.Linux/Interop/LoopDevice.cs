using static Tmds.Linux.LibC;

namespace Bridge.Linux.Interop;

/// <summary>Attaches an image file to a free loop device with LOOP_CONFIGURE and LO_FLAGS_AUTOCLEAR: the kernel
/// detaches it by itself once the last user (our fd, then the mount) is gone, so an interrupted run cannot leak
/// a loop device (containers share the host's /dev/loop*).</summary>
public static class LoopDevice
{
    private const int LoopCtlGetFree = 0x4C82;
    private const int LoopConfigure = 0x4C0A;
    private const uint LoFlagsAutoclear = 4;
    private const int LoopConfigSize = 304; // struct loop_config: fd, block_size, loop_info64 (232), __reserved[8]
    private const int LoFlagsOffset = 8 + 52; // loop_config.info.lo_flags

    /// <summary>Returns the open loop device (keep it open until the filesystem is mounted) and its path.</summary>
    public static unsafe (FileDescriptor Device, string Path) Attach(string image)
    {
        using var backing = FileDescriptor.OpenOrThrow(image, O_RDWR);
        using var control = FileDescriptor.OpenOrThrow("/dev/loop-control", O_RDWR);
        var config = stackalloc byte[LoopConfigSize];
        for (var attempt = 0; ; attempt++)
        {
            var n = SysResult.From(ioctl(control.Fd, LoopCtlGetFree)).ThrowIfFailed("LOOP_CTL_GET_FREE");
            var path = $"/dev/loop{n.Value}";
            var device = FileDescriptor.OpenOrThrow(path, O_RDWR);
            new Span<byte>(config, LoopConfigSize).Clear();
            *(uint*)config = (uint)backing.Fd;
            *(uint*)(config + LoFlagsOffset) = LoFlagsAutoclear;
            var r = SysResult.From(ioctl(device.Fd, LoopConfigure, config));
            if (r.Ok)
                return (device, path);
            device.Dispose();
            // Another process (a parallel run, a container) took the device between GET_FREE and CONFIGURE.
            if (r.Errno != EBUSY || attempt >= 16)
                throw new SysException($"LOOP_CONFIGURE {path} with {image}", r.Errno);
            Thread.Sleep(10 * (attempt + 1));
        }
    }

    /// <summary>Loop devices whose backing file is under <paramref name="directory"/> (for leak assertions).</summary>
    public static IReadOnlyList<string> BackedBy(string directory) =>
        Directory.Exists("/sys/block")
            ? Directory.GetDirectories("/sys/block", "loop*")
                .Where(d => File.Exists(Path.Combine(d, "loop", "backing_file")) &&
                            File.ReadAllText(Path.Combine(d, "loop", "backing_file")).Trim().StartsWith(directory, StringComparison.Ordinal))
                .Select(d => "/dev/" + Path.GetFileName(d))
                .ToList()
            : [];
}
