using Bridge.Core.Scenarios;

namespace Bridge.Simulator.Policies;

/// <summary>
/// linux-6.1: FOLL_PIN accounting (folio_maybe_dma_pinned) exists, but writeback does not consult it; io_uring
/// refuses regular-file buffers itself (EOPNOTSUPP); writable long-term RDMA pins of ext4/xfs/btrfs MAP_SHARED
/// are allowed, and the device's writes after a writeback are lost unless deregistration dirties the pages.
/// </summary>
internal static class Linux61Table
{
    private const string Umem = "drivers/infiniband/core/umem.c ib_umem_get (v6.1): pin_user_pages_fast(FOLL_WRITE | FOLL_LONGTERM, FOLL_FORCE when not writable until b40656aa7d55 in v6.2); mm/gup.c check_vma_flags (v6.1) has no file-backed check";
    private const string UringFile = "io_uring/rsrc.c io_pin_pages (v6.1): pin_user_pages(FOLL_WRITE | FOLL_LONGTERM) first, then vm_file && !vma_is_shmem && !is_file_hugepages → -EOPNOTSUPP";
    private const string UringOk = "io_uring/rsrc.c io_pin_pages (v6.1): anonymous, vma_is_shmem() or is_file_hugepages(): registered";

    public static Policy Create() => new(
        "linux-6.1",
        "FOLL_PIN tracking; io_uring refuses regular files itself; writable long-term RDMA pins of file mappings allowed",
        [
            .. Enum.GetValues<MemoryClass>().SelectMany(m => new PolicyRow[]
            {
                new PinRow(PinPathTable.RdmaMr, m, true, null, false, Umem),
                new PinRow(PinPathTable.RdmaMr, m, false, null, false, Umem),
            }),
            new PinRow(PinPathTable.UringRegister, MemoryClass.FileShared, true, "EOPNOTSUPP", true, UringFile),
            new PinRow(PinPathTable.UringRegister, MemoryClass.FilePrivate, true, "EOPNOTSUPP", true, UringFile),
            new PinRow(PinPathTable.UringRegister, MemoryClass.ShmemShared, true, null, false, UringOk),
            new PinRow(PinPathTable.UringRegister, MemoryClass.ShmemPrivate, true, null, false, UringOk),
            new PinRow(PinPathTable.UringRegister, MemoryClass.AnonShared, true, null, false, UringOk),
            new PinRow(PinPathTable.UringRegister, MemoryClass.Hugetlb, true, null, false, UringOk),
            new PinRow(PinPathTable.UringRegister, MemoryClass.AnonPrivate, true, null, false, UringOk),

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
            new SwitchRow(Switch.ReadOnlyLongtermPinUnsharesCowPages, false,
                "include/linux/mm.h gup_must_unshare(flags, page) (v6.1): false for !PageAnon pages"),

            new UnpinRow(PinPathTable.RdmaMr, true,
                "drivers/infiniband/core/umem.c __ib_umem_release (v6.1): unpin_user_page_range_dirty_lock(…, make_dirty = umem->writable && dirty)"),
            new UnpinRow(PinPathTable.UringRegister, false,
                "io_uring/rsrc.c io_buffer_unmap (v6.1): unpin_user_page() only"),

            new BufferlessRow(BackingTable.Ext4.FsType!, BufferlessAction.WarnAndDrop,
                ["EXT4-fs warning (device sim): mpage_prepare_extent_to_map: inode #12: comm bridge: page {0} does not have buffers attached"],
                "fs/ext4/inode.c mpage_prepare_extent_to_map (v5.18+, in v6.1): ext4_warning_inode(\"page %lu does not have buffers attached\"), clear dirty, skip the page"),
        ]);
}
