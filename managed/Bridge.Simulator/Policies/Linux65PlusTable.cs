using Bridge.Core.Scenarios;

namespace Bridge.Simulator.Policies;

/// <summary>
/// linux-6.5+ (measured: 6.12, 6.18): GUP refuses writable FOLL_LONGTERM pins of file mappings that need dirty
/// tracking (EFAULT), io_uring delegates its check to GUP; shmem, hugetlb, anonymous and MAP_PRIVATE memory and
/// read-only pins are allowed. tmpfs takes O_DIRECT (v6.6+).
/// </summary>
internal static class Linux65PlusTable
{
    public static Policy Create() => new(
        "linux-6.5+",
        "writable FOLL_LONGTERM of dirty-tracked file mappings refused with EFAULT by GUP, io_uring included (6.12, 6.18)",
        [
            .. PinPathRules.For(Era.Linux65Plus),
            .. FileWriterRules.For(Era.Linux65Plus),
            new SwitchRow(Switch.WritebackCleansPinnedPages, true,
                "mm/page-writeback.c folio_clear_dirty_for_io → folio_mkclean (v6.12, v6.18): unchanged; the fix refuses the pin instead (mm/gup.c)"),
            new SwitchRow(Switch.DirectIoDirtiesOnCompletion, true,
                "fs/iomap/direct-io.c iomap_dio_bio_end_io (v6.12): IOMAP_DIO_DIRTY → bio_check_pages_dirty(); host 6.18 measured: O_DIRECT read into an ext4 MAP_SHARED mapping reaches disk after fsync"),
            new SwitchRow(Switch.EvictReleasesBuffersOfReferencedPages, false,
                "mm/truncate.c mapping_evict_folio (v6.12): refcount check before filemap_release_folio()"),
            new SwitchRow(Switch.DirectIoOnShmem, true,
                "mm/shmem.c shmem_file_open sets FMODE_CAN_ODIRECT ('tmpfs: trivial support for direct IO', v6.6; not in v6.5 itself); host 6.18 measured: open(O_DIRECT) on tmpfs and memfd succeeds"),
            new SwitchRow(Switch.ForkCopiesPinnedPages, true,
                "mm/memory.c copy_present_page via folio_needs_cow_for_dma (v6.5+): the child gets a copy of a pinned page, the parent keeps it"),
            new SwitchRow(Switch.RefusedDeviceAccessFlushes, true,
                "drivers/infiniband/sw/rxe/rxe_comp.c rxe_comp_queue_pkt (v6.12): always rxe_sched_task(&qp->send_task); rxe_resp.c RESPST_ERR_RKEY_VIOLATION → do_class_ac_error (goto_error) → RESPST_ERROR → rxe_qp_error on the same QP first, then rxe_completer sees IB_QPS_ERR: drain_resp_pkts drops the NAK, flush_send_queue completes IB_WC_WR_FLUSH_ERR; measured on Debian 6.12.118: EIO"),
            new SwitchRow(Switch.ReadOnlyLongtermPinUnsharesCowPages, true,
                "mm/internal.h gup_must_unshare(vma, flags, page) (v6.5+): a FOLL_LONGTERM R/O pin of a page-cache page in an is_cow_mapping() VMA faults with FAULT_FLAG_UNSHARE"),
            new SwitchRow(Switch.LockedDirectWriteKeepsStoresOut, true,
                "fs/btrfs/direct-io.c lock_extent_direct, btrfs_dio_iomap_begin and btrfs_page_mkwrite waiting for the write's ordered extent (v6.12, v6.18); measured: no 'Page cache invalidation failure' and no fsync EIO on btrfs in 200 iterations of an O_DIRECT write racing stores or O_DIRECT reads into the mapping, on Debian 6.12.118 and on 6.18.44, where ext4 and xfs had them (6.18: 1 and 35-36 of 200). The commit that closed 6.1's window is not identified"),

            new BufferlessRow(BackingTable.Ext4.FsType!, BufferlessAction.WarnAndDrop,
                ["EXT4-fs warning (device sim): mpage_prepare_extent_to_map: inode #12: comm bridge: page {0} does not have buffers attached"],
                "fs/ext4/inode.c mpage_prepare_extent_to_map (v6.12): folio_buffers() NULL → ext4_warning_inode, folio_clear_dirty, skip"),
        ]);
}
