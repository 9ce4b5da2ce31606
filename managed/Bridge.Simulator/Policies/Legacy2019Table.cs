using Bridge.Core.Scenarios;

namespace Bridge.Simulator.Policies;

/// <summary>
/// linux-2019-legacy: the kernel of the 2019 put_user_page() thread (v5.0/v5.1). Long-term pins are plain
/// get_user_pages() references (no FOLL_PIN accounting); drivers end with set_page_dirty + put_page. Writeback
/// cleans and write-protects pinned pages; invalidation strips the buffers of a pinned clean page; ext4 then BUGs
/// on the buffer-less page a later set_page_dirty produced.
/// </summary>
internal static class Legacy2019Table
{
    public static Policy Create() => new(
        "linux-2019-legacy",
        "get_user_pages + set_page_dirty + put_page (v5.0/v5.1, the put_user_page() thread of March 2019)",
        [
            .. PinPathRules.For(Era.Legacy2019),
            .. FileWriterRules.For(Era.Legacy2019),
            new SwitchRow(Switch.WritebackCleansPinnedPages, true,
                "mm/page-writeback.c write_cache_pages → clear_page_dirty_for_io → page_mkclean (v5.0): no pin check; the PTEs are write-protected and PG_dirty cleared under the device"),
            new SwitchRow(Switch.DirectIoDirtiesOnCompletion, true,
                "fs/direct-io.c dio_bio_complete (v5.0): set_page_dirty_lock() on READ when dio->should_dirty; fs/iomap.c iomap_dio_bio_end_io: IOMAP_DIO_DIRTY → bio_check_pages_dirty"),
            new SwitchRow(Switch.EvictReleasesBuffersOfReferencedPages, true,
                "mm/truncate.c invalidate_inode_page → invalidate_complete_page (v5.0): try_to_release_page() drops the buffers, then remove_mapping() fails on the pin's extra reference; the page stays cached without buffers"),
            new SwitchRow(Switch.DirectIoOnShmem, false,
                "fs/open.c do_dentry_open (v5.0): O_DIRECT needs a_ops->direct_IO, which shmem lacks → EINVAL"),
            new SwitchRow(Switch.ForkCopiesPinnedPages, false,
                "mm/memory.c copy_one_pte (v5.0): every private anonymous page is write-protected and shared with the child, pinned or not; the parent's next store copies it away from the pin (CVE-2020-29374, cow.c's fork cases)"),
            new SwitchRow(Switch.RefusedDeviceAccessFlushes, false,
                "drivers/infiniband/sw/rxe/rxe_comp.c rxe_comp_queue_pkt (v5.0): rxe_run_task(&qp->comp.task, must_sched) runs the completer at once for the first queued response, so the NAK completes IB_WC_REM_ACCESS_ERR before rxe_resp.c's RESPST_ERROR moves the self-connected QP to error"),
            new SwitchRow(Switch.ReadOnlyLongtermPinUnsharesCowPages, false,
                "mm/gup.c follow_page_pte (v5.0): a read pin takes the page the PTE maps; no unshare of page-cache pages in COW mappings"),
            new SwitchRow(Switch.LockedDirectWriteKeepsStoresOut, false,
                "fs/btrfs/inode.c btrfs_get_blocks_direct (v5.0): a write unlocks the extent range (unlock_extent_cached) right after btrfs_get_blocks_direct_write made the ordered extent, and mm/filemap.c generic_file_direct_write invalidates after the write, calling dio_warn_stale_pagecache when a page stays: 6.1's window (not measured on v5.0)"),

            new BufferlessRow(BackingTable.Ext4.FsType!, BufferlessAction.Oops,
                [
                    "kernel BUG at /build/linux-fQ94TU/linux-4.4.0/fs/ext4/inode.c:1899!",
                    "Call Trace:",
                    " ext4_writepage",
                    " __writepage",
                    " write_cache_pages",
                    " ext4_writepages",
                    " do_writepages",
                ],
                "fs/ext4/inode.c mpage_prepare_extent_to_map / ext4_writepage (v5.0): page_buffers() BUG_ON(!PagePrivate). Log text as quoted from a 4.4 kernel in John Hubbard's 'mm/fs: put_user_page() proposal' cover letter (linux-fsdevel, July 2018, mail.spinics.net/lists/linux-fsdevel/msg129289.html); mechanism per Jan Kara's report (linux-fsdevel msg119989, Jan 2018)"),
        ]);
}
