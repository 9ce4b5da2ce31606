using Bridge.Core.Scenarios;
using Bridge.Linux.Interop;
using static Tmds.Linux.LibC;

namespace Bridge.Linux.Backings;

/// <summary>How the executor gets each backing of <see cref="Backings"/>: one row per backing.</summary>
/// <param name="SupportsWrite">write(2) works on the file (hugetlbfs has no write_iter: fill it through a mapping).</param>
public sealed record BackingProvider(string Name, bool SupportsWrite, Func<ScratchSpace, Scenario, BackingInstance> Create);

public static class BackingProviders
{
    private const long ImageSize = 512L << 20; // sparse; xfs wants at least 300 MiB

    public static readonly IReadOnlyList<BackingProvider> All =
    [
        new("ext4", true, (s, _) => OnDisk(s, Ext4Directory(s))),
        new("xfs", true, (s, _) => OnDisk(s, LoopFs(s, "xfs", "mkfs.xfs", ["-f", "-q"]))),
        new("btrfs", true, (s, _) => OnDisk(s, LoopFs(s, "btrfs", "mkfs.btrfs", ["-f", "-q"]))),
        new("tmpfs", true, (s, _) => OnDisk(s, SystemInfo.IsRoot ? s.VirtualFilesystem("tmpfs", "size=1g") : s.SharedMemory(), AuxDirectory(s))),
        new("memfd", true, (s, _) => Memfd(s, 0, "tmpfs", release: null)),
        new("hugetlb", false, Hugetlb),
        new("anon", true, (s, _) => new BackingInstance(null, null, MAP_ANONYMOUS, AuxDirectory(s), null)),
    ];

    public static BackingProvider For(BackingInfo backing) =>
        All.FirstOrDefault(p => p.Name == backing.Name) ?? throw new InvalidOperationException($"no provider for backing {backing.Name}");

    private static string LoopFs(ScratchSpace s, string fsType, string mkfs, string[] args) =>
        SystemInfo.IsRoot
            ? s.Filesystem(fsType, mkfs, args, ImageSize)
            : throw new BackingUnavailableException($"{fsType} needs root to loop-mount a scratch image");

    /// <summary>ext4: a loop-mounted image as root; otherwise a directory on an ext4 filesystem that exists.</summary>
    private static string Ext4Directory(ScratchSpace s)
    {
        if (SystemInfo.IsRoot)
            return LoopFs(s, "ext4", "mkfs.ext4", ["-F", "-q", "-E", "nodiscard"]);
        return FsType.Of(s.Root) == "ext4"
            ? s.Root
            : throw new BackingUnavailableException($"not root and the scratch directory {s.Root} is {FsType.Of(s.Root)}, not ext4; set BRIDGE_SCRATCH to a directory on ext4");
    }

    /// <summary>Source and output files need O_DIRECT: on a memory backing they live on ext4 (or the scratch root).</summary>
    private static string AuxDirectory(ScratchSpace s) =>
        s.NewDirectory(SystemInfo.IsRoot ? s.Filesystem("ext4", "mkfs.ext4", ["-F", "-q", "-E", "nodiscard"], ImageSize) : s.Root);

    private static BackingInstance OnDisk(ScratchSpace s, string root, string? aux = null)
    {
        var dir = s.NewDirectory(root);
        var path = Path.Combine(dir, "data");
        var fd = FileDescriptor.OpenOrThrow(path, O_RDWR | O_CREAT | O_TRUNC);
        return new BackingInstance(fd, path, 0, aux ?? dir, FsType.Of(fd));
    }

    private static BackingInstance Memfd(ScratchSpace s, uint flags, string fsType, Action? release)
    {
        var (fd, r) = FileDescriptor.MemfdCreate("bridge-data", flags);
        if (fd is null)
        {
            release?.Invoke();
            throw new BackingUnavailableException($"memfd_create(flags 0x{flags:x}): {r.ErrnoName}");
        }
        return new BackingInstance(fd, $"/proc/{Environment.ProcessId}/fd/{fd.Fd}", 0, AuxDirectory(s), fsType, release);
    }

    /// <summary>Enough 2 MiB pages for the file four times over: a private mapping's COW copies are huge pages too,
    /// and fork must copy pinned ones for the child (mm/hugetlb.c copy_hugetlb_page_range).</summary>
    private static BackingInstance Hugetlb(ScratchSpace s, Scenario scenario)
    {
        var reservation = HugePages.Reserve(pages: (int)(4 * scenario.Geometry.FileSize / HugePages.Size));
        return Memfd(s, MFD_HUGETLB, "hugetlbfs", reservation.Dispose);
    }
}
