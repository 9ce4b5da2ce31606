namespace Bridge.Simulator.Model;

public sealed partial class Kernel
{
    /// <summary>
    /// ftruncate: shrinking zaps every PTE past the new end — private COW copies included
    /// (truncate_pagecache → unmap_mapping_range(even_cows=1)) — waits for writeback, and removes the pages from
    /// the cache (truncate_inode_pages_range). A page a pin still holds is not freed: it lives on as an orphan
    /// (page->mapping == NULL) that the device keeps writing into and nothing writes back. Its blocks are freed,
    /// so growing the file again exposes holes.
    /// </summary>
    public void Truncate(long size)
    {
        var file = File!;
        var newPages = (int)(size / Frame.Size);
        for (var p = newPages; p < file.SizePages; p++)
        {
            UnmapFilePage(p, evenCows: true);
            RemoveFromCache(p);
            if (file.HasStorage)
                file.DiskPage(p).Fill(Stamp.Hole);
        }
        file.Size = size;
    }

    /// <summary>fallocate(PUNCH_HOLE | KEEP_SIZE): truncate_pagecache_range unmaps with even_cows=0, so a private
    /// mapping keeps its COW copies — except where the backing's row says punch zaps them too (hugetlbfs:
    /// hugetlb_vmdelete_list unmaps every vma, COW copies included, which then live on only as a pin's orphans);
    /// the file's pages leave the cache (pinned ones as orphans); blocks become holes.
    /// The cache holds hugetlbfs files in 2 MiB pages: one only partly inside the hole is zeroed in place and stays
    /// (hugetlbfs_punch_hole → hugetlbfs_zero_partial_page), pin and all.</summary>
    public void Punch(IReadOnlyList<int> pages)
    {
        var file = File!;
        var unit = (int)(Scenario.Backing.PageSize / Frame.Size);
        var punched = pages.ToHashSet();
        foreach (var p in pages.Where(p => p < file.SizePages))
        {
            var first = p / unit * unit;
            if (!Enumerable.Range(first, unit).All(punched.Contains))
            {
                file.Cache[p]?.Write(Stamp.Hole);
                continue;
            }
            UnmapFilePage(p, evenCows: Scenario.Backing.PunchZapsPrivateCopies);
            RemoveFromCache(p);
            if (file.HasStorage)
                file.DiskPage(p).Fill(Stamp.Hole);
        }
    }

    /// <summary>unmap_mapping_range over one page: the file's page always; a private mapping's COW copy only with
    /// <paramref name="evenCows"/> (a pinned copy then lives on as an orphan).</summary>
    private void UnmapFilePage(int page, bool evenCows)
    {
        if (page >= MappingPages)
            return; // an insert grew the file past the mapping: nothing maps these pages
        if (evenCows)
            ZapPte(page);
        else if (Vma.Ptes[page].Frame is { Owner: FrameOwner.PageCache })
            Vma.Zap(page);
    }

    private void ZapPte(int page)
    {
        if (Vma.Ptes[page].Frame is { Owner: FrameOwner.Anon } copy && copy.Referenced)
            copy.Owner = FrameOwner.Orphan; // a pinned COW copy outlives its mapping
        Vma.Zap(page);
    }

    /// <summary>truncate_inode_page: cancel_dirty_page, drop buffers (do_invalidatepage), delete from the cache.</summary>
    private void RemoveFromCache(int page)
    {
        if (File!.Cache[page] is not { } frame)
            return;
        frame.Dirty = false;
        frame.HasBuffers = false;
        frame.Owner = frame.Referenced ? FrameOwner.Orphan : FrameOwner.Freed;
        File.Cache[page] = null;
    }
}
