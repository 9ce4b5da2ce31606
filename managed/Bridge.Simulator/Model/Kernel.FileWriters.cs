namespace Bridge.Simulator.Model;

public sealed partial class Kernel
{
    /// <summary>A write past EOF grows the file first (i_size_write); the blocks between were freed by the truncate
    /// that shortened it, so they read as holes.</summary>
    public void GrowTo(int blocks)
    {
        var size = (long)blocks * PagesPerBlock * Frame.Size;
        if (File!.Size < size)
            File.Size = size;
    }

    /// <summary>generic_perform_write (buffered write, and copy_file_range's splice): copies into the cached page —
    /// read in first when it is not cached — whatever maps or pins it, attaches buffers (->write_begin) and dirties it.
    /// A private mapping's COW copy is not the file's page and keeps its content.</summary>
    public void WriteCachedPage(int page, Stamp stamp)
    {
        var frame = File!.GetOrReadPage(page);
        frame.Write(stamp);
        if (File.HasStorage)
            frame.HasBuffers = true;
        SetPageDirty(frame);
    }

    /// <summary>A writer that replaces the pages (O_DIRECT write, reflink, clone, zero-range), after the caller wrote
    /// the range back: the cached pages are unmapped from the page tables (even_cows=0: private COW copies stay),
    /// dropped from the cache — a pinned one lives on as an orphan, as after truncate — and the disk holds the new
    /// content, which the next read brings in.</summary>
    public void ReplacePages(IEnumerable<int> pages, Stamp stamp)
    {
        foreach (var p in pages)
        {
            if (Vma.Ptes[p].Frame is { Owner: FrameOwner.PageCache })
                Vma.Zap(p);
            RemoveFromCache(p);
            if (File!.HasStorage)
                File.DiskPage(p).Fill(stamp);
            else
                File.Cache[p] = new Frame(FrameOwner.PageCache, p, stamp) { Dirty = true };
        }
    }

    /// <summary>O_DIRECT's invalidation of the range (mm/filemap.c kiocb_invalidate_pages →
    /// invalidate_inode_pages2_range), after the write-back: a page dirtied again since (a store into the mapping)
    /// cannot be dropped (invalidate_complete_folio2 fails on a dirty folio), and the whole call falls back to a
    /// buffered write (iomap_dio_rw returns -ENOTBLK; ext4_dio_write_iter, xfs_file_write_iter and btrfs_direct_write
    /// then write through the page cache; generic_file_direct_write did the same before iomap). Otherwise the pages are
    /// unmapped and dropped — a pinned one lives on as an orphan. Returns whether they were dropped.</summary>
    public bool InvalidateForDirectWrite(IReadOnlyList<int> pages)
    {
        if (pages.Any(p => File!.Cache[p] is { Dirty: true }))
            return false;
        foreach (var p in pages)
        {
            if (Vma.Ptes[p].Frame is { Owner: FrameOwner.PageCache })
                Vma.Zap(p);
            RemoveFromCache(p);
        }
        return true;
    }

    /// <summary>The O_DIRECT write's completion: the data is on disk, and the range is invalidated again
    /// (kiocb_invalidate_post_direct_write) — a page a store faulted in and dirtied while the write was in flight
    /// cannot be dropped: it stays, holding what the store wrote over what the fault read, the kernel logs "Page cache
    /// invalidation failure on direct I/O" and records EIO in the mapping's error sequence for the next fsync
    /// (dio_warn_stale_pagecache, fs/direct-io.c; iomap since v4.19, 5a9d929d6e13).</summary>
    public void CompleteDirectWrite(IReadOnlyList<int> pages, Stamp stamp)
    {
        foreach (var p in pages)
        {
            File!.DiskPage(p).Fill(stamp);
            if (File.Cache[p] is { Dirty: true })
            {
                File.UnseenWritebackError = true;
                continue;
            }
            if (Vma.Ptes[p].Frame is { Owner: FrameOwner.PageCache })
                Vma.Zap(p);
            RemoveFromCache(p);
        }
    }

    /// <summary>A persistence call's check of the mapping's error sequence after it waited (file_check_and_advance_wb_err):
    /// an error recorded since the descriptor last looked fails the call with EIO, once.</summary>
    public void ReportWritebackError(CallStatus result)
    {
        if (File is not { UnseenWritebackError: true })
            return;
        File.UnseenWritebackError = false;
        result.Fail("EIO", "a writeback error recorded since the last check (dio_warn_stale_pagecache)");
    }
}
