using Bridge.Core.Scenarios;

namespace Bridge.Simulator.Policies;

/// <summary>
/// linux-6.1: FOLL_PIN accounting (folio_maybe_dma_pinned) exists, but writeback does not consult it; io_uring
/// refuses regular-file buffers itself (EOPNOTSUPP); writable long-term RDMA pins of ext4/xfs/btrfs MAP_SHARED
/// are allowed, and the device's writes after a writeback are lost unless deregistration dirties the pages.
/// </summary>
internal static class Linux61Table
{
    public static Policy Create() => new(
        "linux-6.1",
        "FOLL_PIN tracking; io_uring refuses regular files itself; writable long-term RDMA pins of file mappings allowed",
        [
            .. PinPathRules.For(Era.Linux61),
            .. FileWriterRules.For(Era.Linux61),
            new SwitchRow(Switch.WritebackCleansPinnedPages, true,
                "mm/page-writeback.c folio_clear_dirty_for_io → folio_mkclean (v6.1): pins raise folio_maybe_dma_pinned(), but writeback does not consult it"),
            new SwitchRow(Switch.DirectIoDirtiesOnCompletion, true,
                "fs/iomap/direct-io.c iomap_dio_bio_end_io (v6.1): IOMAP_DIO_DIRTY for user-backed reads → bio_check_pages_dirty(); block/bio.c bio_set_pages_dirty"),
            new SwitchRow(Switch.EvictReleasesBuffersOfReferencedPages, false,
                "mm/truncate.c mapping_evict_folio (v6.1): returns 0 when folio_ref_count() exceeds pages + private + 1, before filemap_release_folio()"),
            new SwitchRow(Switch.DirectIoOnShmem, false,
                "fs/open.c do_dentry_open (v6.1): O_DIRECT without FMODE_CAN_ODIRECT → EINVAL; shmem does not set it before v6.6"),
            new SwitchRow(Switch.ForkCopiesPinnedPages, true,
                "mm/memory.c copy_present_page via page_needs_cow_for_dma (70e806e4e645, v5.9; hugetlb 4eae4efa2c29, v5.10): the child gets a copy of a pinned page, the parent keeps it"),
            new SwitchRow(Switch.RefusedDeviceAccessFlushes, false,
                "drivers/infiniband/sw/rxe/rxe_comp.c rxe_comp_queue_pkt (v6.1): the first queued response runs the completer at once (rxe_run_task → rxe_do_task), so the NAK completes IB_WC_REM_ACCESS_ERR before rxe_resp.c's RESPST_ERROR moves the self-connected QP to error (rxe_qp_error); measured on Debian 6.1.0-57: EACCES"),
            new SwitchRow(Switch.ReadOnlyLongtermPinUnsharesCowPages, false,
                "include/linux/mm.h gup_must_unshare(flags, page) (v6.1): false for !PageAnon pages"),
            new SwitchRow(Switch.LockedDirectWriteKeepsStoresOut, false,
                "fs/btrfs/inode.c btrfs_dio_iomap_begin (v6.1): a write's extent range is unlocked once btrfs_get_blocks_direct_write has made its ordered extent (unlock_extents, since f85781fb505e, v5.9), and fs/iomap/direct-io.c iomap_dio_complete runs invalidate_inode_pages2_range after the bio completed; a fault or an O_DIRECT read's completion (bio_check_pages_dirty) that dirties a page of the range in between makes it fail → dio_warn_stale_pagecache: measured on Debian 6.1.0-57, btrfs, O_DIRECT write racing O_DIRECT reads into the mapping: 'Page cache invalidation failure on direct I/O' and fsync EIO (2 of 200 iterations; stores: 1 of 200 in one run, 0 in another)"),

            new BufferlessRow(BackingTable.Ext4.FsType!, BufferlessAction.WarnAndDrop,
                ["EXT4-fs warning (device sim): mpage_prepare_extent_to_map: inode #12: comm bridge: page {0} does not have buffers attached"],
                "fs/ext4/inode.c mpage_prepare_extent_to_map (v5.18+, in v6.1): ext4_warning_inode(\"page %lu does not have buffers attached\"), clear dirty, skip the page"),
        ]);
}
