namespace Bridge.Core.Scenarios;

/// <summary>What kind of memory backs a scenario's mapping — the distinction the kernel's pin rules turn on.</summary>
public enum BackingKind
{
    /// <summary>A block filesystem that writes pages back and needs dirty tracking (ext4, xfs, btrfs).</summary>
    DiskFs,
    /// <summary>shmem: tmpfs files and memfd. No writeback to storage; the page cache is the data.</summary>
    Shmem,
    /// <summary>hugetlbfs files and MFD_HUGETLB memfds.</summary>
    Hugetlb,
    /// <summary>Anonymous memory: no file at all.</summary>
    Anon,
}

/// <summary>One backing: a row of facts shared by the parser, the oracle, the simulator and the executors.</summary>
/// <param name="HasFile">There is a file to fsync, truncate and read back through O_DIRECT and buffered I/O.</param>
/// <param name="HasStorage">Data lives beyond the page cache, so writeback and persistence points matter.</param>
/// <param name="FsType">The filesystem type statfs reports, if any.</param>
public sealed record BackingInfo(string Name, BackingKind Kind, bool HasFile, bool HasStorage, string? FsType, string Description)
{
    /// <summary>The unit in which the page cache holds this backing: a punch that covers part of one zeroes it in
    /// place (the page stays in the file, and a pin on it stays the file's); only whole pages leave.</summary>
    public long PageSize => Kind == BackingKind.Hugetlb ? 2L << 20 : 4096;
}

public static class BackingTable
{
    public static readonly IReadOnlyList<BackingInfo> All =
    [
        new("ext4", BackingKind.DiskFs, true, true, "ext4", "file on ext4 (a loop-mounted scratch image as root, else a scratch directory on ext4)"),
        new("xfs", BackingKind.DiskFs, true, true, "xfs", "file on a loop-mounted scratch xfs image (root)"),
        new("btrfs", BackingKind.DiskFs, true, true, "btrfs", "file on a loop-mounted scratch btrfs image (root; data checksums on)"),
        new("tmpfs", BackingKind.Shmem, true, false, "tmpfs", "file on tmpfs"),
        new("memfd", BackingKind.Shmem, true, false, "tmpfs", "memfd_create() file"),
        new("hugetlb", BackingKind.Hugetlb, true, false, "hugetlbfs", "memfd_create(MFD_HUGETLB) file of 2 MiB pages (reserved for the run)"),
        new("anon", BackingKind.Anon, false, false, null, "anonymous memory, no file"),
    ];

    public static BackingInfo? Find(string name) => All.FirstOrDefault(b => b.Name == name);
}
