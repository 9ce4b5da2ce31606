namespace Bridge.Simulator.Model;

public sealed partial class Kernel
{
    /// <summary>
    /// A user access (CPU load/store, or GUP on the user's behalf) to mapping page <paramref name="page"/>: returns
    /// the frame the access reaches, faulting it in as handle_mm_fault would. A write to a shared file page whose PTE
    /// is read-only goes through ->page_mkwrite, which attaches buffers and dirties the page — the only way a clean
    /// page becomes dirty through a mapping (mm/memory.c do_wp_page → wp_page_shared → do_page_mkwrite).
    /// A write to a private file page copies it (wp_page_copy).
    /// </summary>
    public Frame Fault(int page, bool write)
    {
        ref var pte = ref Vma.Ptes[page];
        if (Vma.Anonymous)
        {
            if (pte.Frame is null)
                Vma.Map(page, new Frame(FrameOwner.Anon, page, Stamp.Hole), Vma.VmWrite);
            return write && pte.Frame!.CowShared ? CopyOnWrite(page, pte.Frame, writable: true) : pte.Frame!;
        }
        if (Vma.Shared)
        {
            var frame = File!.GetOrReadPage(page);
            if (pte.Frame != frame)
                Vma.Map(page, frame, writable: false); // write-notify: shared file PTEs start read-only
            if (write && !pte.Writable)
            {
                PageMkwrite(frame);
                pte.Writable = true;
            }
            return frame;
        }
        if (pte.Frame is { Owner: FrameOwner.Anon } copy)
        {
            if (write && copy.CowShared)
                return CopyOnWrite(page, copy, writable: true); // shared with a live child: do_wp_page copies
            if (write)
                pte.Writable = true; // an exclusive anonymous page is reused, not copied again
            return copy;
        }
        var cached = File!.GetOrReadPage(page);
        if (!write)
        {
            Vma.Map(page, cached, writable: false);
            return cached;
        }
        return CopyOnWrite(page, cached, writable: true);
    }

    /// <summary>Replaces the private mapping's view of <paramref name="page"/> with an anonymous copy of
    /// <paramref name="source"/> — and the view of every other page of its COW unit (the backing row's
    /// <see cref="Bridge.Core.Scenarios.BackingInfo.CowUnit"/>: one PTE's page; mm/hugetlb.c hugetlb_wp copies a whole
    /// huge folio) with a copy of what the mapping showed there, unless it is already the process's own page.</summary>
    public Frame CopyOnWrite(int page, Frame source, bool writable)
    {
        var perUnit = (int)(Scenario.Backing.CowUnit / Frame.Size);
        var first = page / perUnit * perUnit;
        for (var other = first; other < Math.Min(first + perUnit, Vma.Ptes.Length); other++)
            if (other != page && Shown(other) is { } shown && shown is not { Owner: FrameOwner.Anon, CowShared: false })
                Vma.Map(other, new Frame(FrameOwner.Anon, other, shown.Sectors), writable);
        var copy = new Frame(FrameOwner.Anon, page, source.Sectors);
        Vma.Map(page, copy, writable);
        return copy;
    }

    /// <summary>The frame the mapping shows at <paramref name="page"/> without a fault: the one its PTE maps, else the
    /// file's page a read fault would map; null past the end of the file or with neither.</summary>
    private Frame? Shown(int page) =>
        Vma.Ptes[page].Frame ?? (File is { } file && page < file.SizePages ? file.GetOrReadPage(page) : null);

    /// <summary>->page_mkwrite of a disk filesystem (block_page_mkwrite, ext4_page_mkwrite, iomap_page_mkwrite):
    /// buffers attached, blocks allocated, page dirtied. shmem has no ->page_mkwrite; its pages are simply dirtied.
    /// folio_wait_stable() is not modelled: the scratch devices do not ask for stable writes.</summary>
    private void PageMkwrite(Frame frame)
    {
        if (File!.HasStorage)
            frame.HasBuffers = true;
        frame.Dirty = true;
    }

    /// <summary>set_page_dirty_lock() from outside the fault path (direct-I/O completion, pin release): marks the
    /// page dirty without attaching buffers — a page that lost them stays without.</summary>
    public static void SetPageDirty(Frame frame) => frame.Dirty = true;

    /// <summary>GUP of one page for a pin (short- or long-term): a write pin faults for writing (COW on a private
    /// mapping, ->page_mkwrite on a shared one). A read-only long-term pin of a page-cache page in a private
    /// mapping is unshared into an anonymous copy where the policy says so (gup_must_unshare).</summary>
    public Frame GupPage(int page, bool write, bool longTerm)
    {
        if (write)
            return Fault(page, write: true);
        var frame = Fault(page, write: false);
        if (longTerm && PrivateFileMapping && frame.Owner == FrameOwner.PageCache &&
            Policy.Is(Policies.Switch.ReadOnlyLongtermPinUnsharesCowPages))
            return CopyOnWrite(page, frame, writable: false);
        return frame;
    }
}
