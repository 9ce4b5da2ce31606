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
}
