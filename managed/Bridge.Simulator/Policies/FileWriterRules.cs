using Bridge.Core.Scenarios;

namespace Bridge.Simulator.Policies;

/// <summary>Whether a file writer's call (<see cref="VerbInfo.File"/>) works on a backing, and if not, the errno the
/// kernel returns. Where it works, what it does to the page cache is the verb row's <see cref="FileWriter.Replaces"/>
/// (the same in every era modelled); whether it works is what differs.</summary>
public sealed record FileWriterRow(VerbInfo Verb, BackingInfo Backing, string? Errno, string Models) : PolicyRow(Models)
{
    public override string Key => $"{Verb.Keyword} on {Backing.Name}";
    public override string Value => Errno ?? "allow";
    public override PolicyRow Flipped() => this with { Errno = Errno is null ? "EOPNOTSUPP" : null };
}

/// <summary>The file writers' rows of every era: one per file-writer verb × backing with a file, each citing the kernel
/// code that accepts or refuses the call (the required keys of every <see cref="Policy"/>).</summary>
public static class FileWriterRules
{
    /// <summary>The verbs that need a row per backing: the file writers and the verbs that shift the file's blocks
    /// (fallocate modes a filesystem may lack).</summary>
    public static IEnumerable<VerbInfo> Verbs => Core.Scenarios.Verbs.All.Where(v => v.File is not null || v.Shift is not null);

    /// <summary>The backings a file writer can name (the parser requires a file).</summary>
    public static IEnumerable<BackingInfo> Backings => BackingTable.All.Where(b => b.HasFile);

    public static IEnumerable<PolicyRow> For(Era era) =>
        from verb in Verbs
        from backing in Backings
        select Row(era, verb, backing);

    private static FileWriterRow Row(Era era, VerbInfo verb, BackingInfo backing)
    {
        if (verb.Shift is not null)
            return backing.ShiftsRanges
                ? new(verb, backing, null, "fs/ext4/extents.c ext4_collapse_range / ext4_insert_range (v3.15 / v4.1), fs/xfs/xfs_file.c " +
                    "xfs_falloc_collapse_range / xfs_falloc_insert_range → xfs_flush_unmap_range: written back from the range on, " +
                    "truncate_pagecache, extents shifted")
                : new(verb, backing, RangeShift.UnsupportedErrno, "mm/shmem.c shmem_fallocate, fs/hugetlbfs/inode.c hugetlbfs_fallocate, " +
                    "fs/btrfs/file.c btrfs_fallocate: modes other than KEEP_SIZE|PUNCH_HOLE (btrfs: |ZERO_RANGE) → EOPNOTSUPP");
        const string noWriteIter = "fs/read_write.c vfs_write: hugetlbfs_file_operations has no ->write_iter → EINVAL";
        if (backing.Kind == BackingKind.Hugetlb && verb.File!.Source != FileSource.Zeros)
            return new(verb, backing, "EINVAL", verb == Verbs_.ODirect
                ? "fs/open.c do_dentry_open: hugetlbfs has no ->direct_IO (no FMODE_CAN_ODIRECT) → EINVAL"
                : noWriteIter + (verb.ReadsSiblingFile ? " (the source beside the data file is a hugetlbfs memfd too)" : ""));
        if (verb == Verbs_.ODirect && backing.Kind == BackingKind.Shmem)
            return era == Era.Linux65Plus
                ? new(verb, backing, null, "mm/shmem.c shmem_file_open sets FMODE_CAN_ODIRECT (e88e0d366f9c, v6.6); shmem_file_write_iter writes through the page cache")
                : new(verb, backing, "EINVAL", "fs/open.c do_dentry_open: O_DIRECT needs ->direct_IO (FMODE_CAN_ODIRECT from v6.2); shmem has none before v6.6 → EINVAL");
        if (verb == Verbs_.Clone && !backing.Reflinks)
            return new(verb, backing, "EOPNOTSUPP", "fs/remap_range.c vfs_clone_file_range → do_clone_file_range: no ->remap_file_range → EOPNOTSUPP");
        if (verb == Verbs_.Zero && !backing.HasStorage)
            return new(verb, backing, "EOPNOTSUPP", "mm/shmem.c shmem_fallocate, fs/hugetlbfs/inode.c hugetlbfs_fallocate: modes other than KEEP_SIZE|PUNCH_HOLE → EOPNOTSUPP");
        return new(verb, backing, null, !verb.File!.ReplacesPagesOn(backing)
            ? "mm/filemap.c generic_perform_write (copy_file_range without a reflink: fs/splice.c do_splice_direct): into the cached page, a pinned one included"
            : Replacing[verb.File.Replaces]);
    }

    /// <summary>Where each page-replacing writer writes the range back and drops its cached pages — a pinned one
    /// too: neither invalidate_inode_pages2_range nor truncate_inode_pages_range asks who else holds the page.</summary>
    private static readonly Dictionary<PageReplacement, string> Replacing = new()
    {
        [PageReplacement.WhereStorage] = "fs/iomap/direct-io.c iomap_dio_rw (fs/direct-io.c for ext4 before v5.5) → mm/filemap.c " +
            "kiocb_invalidate_pages / invalidate_inode_pages2_range: written back, then dropped from the cache",
        [PageReplacement.WhereReflink] = "fs/read_write.c vfs_copy_file_range tries ->remap_file_range first (v5.3+); fs/xfs/xfs_reflink.c " +
            "xfs_reflink_remap_prep, fs/btrfs/reflink.c btrfs_remap_file_range (ioctl.c before v5.11) → truncate_inode_pages_range",
        [PageReplacement.Always] = "fs/remap_range.c vfs_clone_file_range → ->remap_file_range (xfs_reflink_remap_prep, btrfs_remap_file_range); " +
            "fallocate ZERO_RANGE: fs/ext4/extents.c ext4_zero_range, fs/xfs/xfs_bmap_util.c xfs_flush_unmap_range, fs/btrfs/file.c " +
            "btrfs_zero_range → truncate_pagecache_range",
    };

    private static class Verbs_
    {
        public static VerbInfo ODirect => Core.Scenarios.Verbs.ODirectWriteFile;
        public static VerbInfo Clone => Core.Scenarios.Verbs.Clone;
        public static VerbInfo Zero => Core.Scenarios.Verbs.ZeroRange;
    }
}
