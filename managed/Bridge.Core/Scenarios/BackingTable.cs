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

/// <summary>One backing: a row of facts shared by the parser, the oracle, the simulator, the executors and the
/// targets. How the real executor makes one is its Linux provider row (Bridge.Linux.Backings.BackingProviders).</summary>
/// <param name="HasFile">There is a file to fsync, truncate and read back through O_DIRECT and buffered I/O.</param>
/// <param name="HasStorage">Data lives beyond the page cache, so writeback and persistence points matter; the
/// real executor makes the filesystem for the run (a loop image, or a scratch disk inside a VM).</param>
/// <param name="FsType">The filesystem type statfs reports, if any.</param>
/// <param name="FsMagic">statfs(2)'s f_type for <paramref name="FsType"/> (include/uapi/linux/magic.h).</param>
/// <param name="PageSize">The unit in which the page cache holds this backing: a punch that covers part of one
/// zeroes it in place (the page stays in the file, and a pin on it stays the file's); only whole pages leave. File
/// sizes on it are multiples of it.</param>
/// <param name="VmModuleGroup">The module group of containers/vm/recipe.json a VM loads for it (null: built in).</param>
/// <param name="PunchZapsPrivateCopies">A punch hole over whole pages also unmaps a MAP_PRIVATE mapping's COW copies of
/// them, so the mapping reads the hole afterwards: hugetlbfs_punch_hole → hugetlb_vmdelete_list(i_mmap, …, zap_flags
/// 0) zaps every vma mapping the range; other filesystems unmap with truncate_pagecache_range's even_cows=0 and
/// leave the copies (measured on 6.18: found by pinbridge explore, seed 2026).</param>
/// <param name="Reflinks">The filesystem shares extents between files (->remap_file_range: FICLONERANGE, and
/// copy_file_range tries it first within one superblock); mkfs.xfs has made reflink filesystems by default since
/// xfsprogs 5.1.</param>
/// <param name="ChecksumsDirectReads">The filesystem verifies its data checksums in the destination pages of an
/// O_DIRECT read after the read: when another writer changes those pages meanwhile (an O_DIRECT read into the
/// mapping, the io_uring device's read into the pinned pages, racing a store or a write(2) there), the read fails with EIO and the kernel logs "csum failed … direct IO failed"
/// (fs/btrfs/inode.c btrfs_check_read_dio_bio / btrfs_data_csum_ok; measured on 6.1, 6.12 and 6.18). The model has no
/// checksums: a real kernel behaviour `compare` reports as a disagreement.</param>
/// <param name="LocksDirectWriteRange">An O_DIRECT write holds the range's extent lock and an ordered extent until
/// its data is written (fs/btrfs/direct-io.c lock_extent_direct, btrfs_dio_iomap_begin), and a write fault waits for
/// that ordered extent (btrfs_page_mkwrite): no store dirties a page of the range while the write is in flight, so the
/// invalidation after it finds no page to keep (never on btrfs 6.12 and 6.18; measured on 6.18: no fsync EIO in 13 runs of
/// scenarios/writers/writers-race.scn, where ext4 and xfs had it in 4 of 5). Debian 6.1 does not keep them out: an
/// era's fact, the simulator's Switch.LockedDirectWriteKeepsStoresOut.</param>
/// <param name="CowUnit">What one copy-on-write of a MAP_PRIVATE mapping copies: the page one page-table entry maps.
/// Every write fault, write pin (GUP's FOLL_WRITE breaks COW) and read-only long-term pin (FAULT_FLAG_UNSHARE) that
/// copies one block of the mapping copies every other block of the same unit too, with what the mapping showed there
/// at that moment — the page cache's content where the mapping still shared it. hugetlbfs maps and copies whole huge
/// pages (mm/hugetlb.c hugetlb_fault → hugetlb_wp allocates a huge folio and copy_user_large_folio copies all of it);
/// elsewhere wp_page_copy copies one base page, even of a large page-cache folio (mm/memory.c do_wp_page). Measured on
/// 6.18: a store, an O_DIRECT read into the mapping or an io_uring register of one 1 MiB block of a private hugetlbfs
/// mapping left the other block of its huge page on the copy (a later punch of that block zeroed the page cache, the
/// mapping still read the initial fill; found by pinbridge explore, `pin uring-register blocks=14`, `punch blocks=8`).</param>
/// <param name="ShiftsRanges">fallocate takes FALLOC_FL_COLLAPSE_RANGE and FALLOC_FL_INSERT_RANGE (ext4 on extent-mapped
/// files: ext4_collapse_range, ext4_insert_range; xfs: xfs_falloc_collapse_range, xfs_falloc_insert_range); btrfs_fallocate,
/// shmem_fallocate and hugetlbfs_fallocate refuse the modes with EOPNOTSUPP (measured on 6.18: ext4 and xfs shift, btrfs,
/// tmpfs and memfd return EOPNOTSUPP).</param>
/// <param name="ShiftZapsPrivateCopies">A collapse or insert also unmaps a MAP_PRIVATE mapping's COW copies of the pages from
/// the range on, so the mapping reads the moved data: ext4 truncates with truncate_pagecache (unmap_mapping_range
/// even_cows=1); xfs with xfs_flush_unmap_range → truncate_pagecache_range (even_cows=0), which leaves the copies
/// mapped (measured on 6.18: an xfs private mapping kept showing its copies after a collapse, ext4's showed the moved data).</param>
public sealed record BackingInfo(
    string Name, BackingKind Kind, bool HasFile, bool HasStorage, string? FsType, long? FsMagic, long PageSize, string? VmModuleGroup, string Description,
    bool PunchZapsPrivateCopies = false, bool Reflinks = false, bool ChecksumsDirectReads = false, bool LocksDirectWriteRange = false,
    long CowUnit = BackingTable.BasePage, bool ShiftsRanges = false, bool ShiftZapsPrivateCopies = false);

/// <summary>What a filesystem that checksums O_DIRECT reads in their destination logs when one fails
/// (<see cref="BackingInfo.ChecksumsDirectReads"/>).</summary>
public static class DirectReadChecksum
{
    public const string Log = "csum failed";
}

public static class BackingTable
{
    /// <summary>The base page (PAGE_SIZE on x86-64).</summary>
    public const long BasePage = 4096;

    private const long Page = BasePage;
    private const long HugePage = 2L << 20;

    public static readonly BackingInfo Ext4 = new("ext4", BackingKind.DiskFs, true, true, "ext4", 0xEF53, Page, "ext4",
        "file on ext4 (a loop-mounted scratch image as root, else a scratch directory on ext4)", ShiftsRanges: true, ShiftZapsPrivateCopies: true);
    public static readonly BackingInfo Xfs = new("xfs", BackingKind.DiskFs, true, true, "xfs", 0x58465342, Page, "xfs",
        "file on a loop-mounted scratch xfs image (root)", Reflinks: true, ShiftsRanges: true);
    public static readonly BackingInfo Btrfs = new("btrfs", BackingKind.DiskFs, true, true, "btrfs", 0x9123683E, Page, "btrfs",
        "file on a loop-mounted scratch btrfs image (root; data checksums on)", Reflinks: true, ChecksumsDirectReads: true, LocksDirectWriteRange: true);
    public static readonly BackingInfo Tmpfs = new("tmpfs", BackingKind.Shmem, true, false, "tmpfs", 0x01021994, Page, null, "file on tmpfs");
    public static readonly BackingInfo Memfd = new("memfd", BackingKind.Shmem, true, false, "tmpfs", 0x01021994, Page, null, "memfd_create() file");
    public static readonly BackingInfo Hugetlb = new("hugetlb", BackingKind.Hugetlb, true, false, "hugetlbfs", 0x958458f6, HugePage, null,
        "memfd_create(MFD_HUGETLB) file of 2 MiB pages (reserved for the run)", PunchZapsPrivateCopies: true, CowUnit: HugePage);
    public static readonly BackingInfo Anon = new("anon", BackingKind.Anon, false, false, null, null, Page, null, "anonymous memory, no file");

    public static readonly IReadOnlyList<BackingInfo> All = [Ext4, Xfs, Btrfs, Tmpfs, Memfd, Hugetlb, Anon];

    /// <summary>Where the real executor keeps the source and output files of every scenario: they need O_DIRECT,
    /// which memory backings lack, so they live on this backing's filesystem whatever the scenario's backing is.</summary>
    public static BackingInfo AuxiliaryFiles => Ext4;

    public static BackingInfo? Find(string name) => All.FirstOrDefault(b => b.Name == name);
}
