using Bridge.Core.Scenarios;
using Bridge.Linux.Interop;
using static Tmds.Linux.LibC;

namespace Bridge.Linux.Backings;

/// <summary>How the executor makes a backing's filesystem for a run: the mkfs tool and its arguments (the device
/// — a loop device over a sparse image, or a VM's scratch disk — comes last).</summary>
public sealed record Mkfs(string Tool, IReadOnlyList<string> Args);

/// <summary>How the executor gets one backing of <see cref="BackingTable"/>: its Linux provider row. What every
/// other part of Bridge needs to know of the backing is in the <see cref="Backing"/> row itself.</summary>
/// <param name="SupportsWrite">write(2) works on the file (hugetlbfs has no write_iter: fill it through a mapping).</param>
/// <param name="Mkfs">For a backing with storage: how its filesystem is made (root: it is loop-mounted).</param>
/// <param name="Create">Makes one scenario's instance: the data file (or none), its map flags, where the source
/// and output files go. Throws <see cref="BackingUnavailableException"/> with the reason when it cannot here.</param>
public sealed record BackingProvider(BackingInfo Backing, bool SupportsWrite, Mkfs? Mkfs, Func<ScratchSpace, Scenario, BackingInstance> Create);

public static class BackingProviders
{
    private const long ImageSize = 512L << 20; // sparse; xfs wants at least 300 MiB

    public static readonly IReadOnlyList<BackingProvider> All =
    [
        new(BackingTable.Ext4, true, new("mkfs.ext4", ["-F", "-q", "-E", "nodiscard"]), (s, _) => OnDisk(s, Ext4Directory(s))),
        new(BackingTable.Xfs, true, new("mkfs.xfs", ["-f", "-q"]), (s, _) => OnDisk(s, LoopFs(s, BackingTable.Xfs))),
        new(BackingTable.Btrfs, true, new("mkfs.btrfs", ["-f", "-q"]), (s, _) => OnDisk(s, LoopFs(s, BackingTable.Btrfs))),
        new(BackingTable.Tmpfs, true, null, (s, _) => OnDisk(s, SystemInfo.IsRoot ? s.VirtualFilesystem(BackingTable.Tmpfs.FsType!, "size=1g") : s.SharedMemory(), AuxDirectory(s))),
        new(BackingTable.Memfd, true, null, (s, _) => Memfd(s, 0, BackingTable.Memfd, release: null)),
        new(BackingTable.Hugetlb, false, null, Hugetlb),
        new(BackingTable.Anon, true, null, (s, _) => Anon(s)),
    ];

    public static BackingProvider For(BackingInfo backing) =>
        All.FirstOrDefault(p => p.Backing == backing) ?? throw new InvalidOperationException($"no provider for backing {backing.Name}");

    /// <summary>The backing's filesystem, made once per run (loop-mounted: root only).</summary>
    private static string LoopFs(ScratchSpace s, BackingInfo backing)
    {
        if (!SystemInfo.IsRoot)
            throw new BackingUnavailableException($"{backing.FsType} needs root to loop-mount a scratch image");
        var mkfs = For(backing).Mkfs ?? throw new InvalidOperationException($"backing {backing.Name} has no mkfs");
        return s.Filesystem(backing.FsType!, mkfs.Tool, mkfs.Args, ImageSize);
    }

    /// <summary>ext4: a loop-mounted image as root; without root, or where the system refuses loop devices (an
    /// unprivileged container has no /dev/loop-control), a directory on an ext4 filesystem that exists.</summary>
    private static string Ext4Directory(ScratchSpace s)
    {
        var refused = LoopFsOrRefusal(s, BackingTable.Ext4, out var mounted);
        if (mounted is not null)
            return mounted;
        var fsType = FsType.Of(s.Root);
        return fsType == BackingTable.Ext4.FsType
            ? s.Root
            : throw new BackingUnavailableException($"{refused}, and the scratch directory {s.Root} is {fsType}, not ext4; set BRIDGE_SCRATCH to a directory on ext4");
    }

    /// <summary>Source and output files need O_DIRECT: on a memory backing they live on the auxiliary files'
    /// filesystem (or, without root or loop devices, in the scratch root).</summary>
    private static string AuxDirectory(ScratchSpace s)
    {
        LoopFsOrRefusal(s, BackingTable.AuxiliaryFiles, out var mounted);
        return s.NewDirectory(mounted ?? s.Root);
    }

    /// <summary>Loop-mounts the backing's filesystem (root only) into <paramref name="mounted"/>, or returns why it
    /// cannot here.</summary>
    private static string? LoopFsOrRefusal(ScratchSpace s, BackingInfo backing, out string? mounted)
    {
        mounted = null;
        if (!SystemInfo.IsRoot)
            return "not root";
        try
        {
            mounted = LoopFs(s, backing);
            return null;
        }
        catch (BackingUnavailableException e)
        {
            return e.Message;
        }
    }

    private static BackingInstance Anon(ScratchSpace s)
    {
        var aux = AuxDirectory(s);
        return new BackingInstance(null, null, MAP_ANONYMOUS, aux, null, directories: [aux]);
    }

    private static BackingInstance OnDisk(ScratchSpace s, string root, string? aux = null)
    {
        var dir = s.NewDirectory(root);
        var path = Path.Combine(dir, "data");
        var fd = FileDescriptor.OpenOrThrow(path, O_RDWR | O_CREAT | O_TRUNC);
        return new BackingInstance(fd, path, 0, aux ?? dir, FsType.Of(fd),
            sibling: name => FileDescriptor.Open(Path.Combine(dir, name), O_RDWR | O_CREAT | O_TRUNC), directories: aux is null ? [dir] : [dir, aux]);
    }

    private static BackingInstance Memfd(ScratchSpace s, uint flags, BackingInfo backing, Action? release)
    {
        var (fd, r) = FileDescriptor.MemfdCreate("bridge-data", flags);
        if (fd is null)
        {
            release?.Invoke();
            throw new BackingUnavailableException($"memfd_create(flags 0x{flags:x}): {r.ErrnoName}");
        }
        var aux = AuxDirectory(s);
        return new BackingInstance(fd, $"/proc/{Environment.ProcessId}/fd/{fd.Fd}", 0, aux, backing.FsType, release,
            name => FileDescriptor.MemfdCreate(name, flags), [aux]); // memfds of one kind share one internal mount
    }

    /// <summary>Enough huge pages for the file four times over: a private mapping's COW copies are huge pages too,
    /// and fork must copy pinned ones for the child (mm/hugetlb.c copy_hugetlb_page_range).</summary>
    private static BackingInstance Hugetlb(ScratchSpace s, Scenario scenario)
    {
        var reservation = HugePages.Reserve(pages: (int)(4 * scenario.Geometry.FileSize / scenario.Backing.PageSize));
        return Memfd(s, MFD_HUGETLB, scenario.Backing, reservation.Dispose);
    }
}
