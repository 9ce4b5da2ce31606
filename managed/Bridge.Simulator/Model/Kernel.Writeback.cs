using System.Globalization;
using Bridge.Simulator.Policies;

namespace Bridge.Simulator.Model;

public sealed partial class Kernel
{
    /// <summary>
    /// Starts writeback of one dirty page-cache page, as write_cache_pages → ->writepages does: the filesystem looks
    /// at the page's buffers first (ext4 BUGs or warns on a page without them, per policy), then
    /// clear_page_dirty_for_io cleans the page and page_mkclean write-protects every PTE — pinned or not, per policy
    /// — and PG_writeback is set. Returns false when the page is not written (dropped, or the task died).
    /// </summary>
    private bool StartWriteback(Frame frame, CallStatus result)
    {
        if (frame.LockedByDeadTask)
        {
            result.Hang($"page {frame.Index} is locked by a task that died in a kernel BUG");
            return false;
        }
        if (!frame.HasBuffers && Policy.Bufferless(File!.Backing.FsType) is { } rule && rule.Action != BufferlessAction.WriteBack)
        {
            Log.AddRange(rule.Log.Select(line => string.Format(CultureInfo.InvariantCulture, line, frame.Index)));
            if (rule.Action == BufferlessAction.Oops)
            {
                frame.LockedByDeadTask = true;
                result.Hang($"kernel BUG in writeback of page {frame.Index} (dirty without buffers)");
                return false;
            }
            frame.Dirty = false;
            return false;
        }
        frame.Dirty = false;
        if (frame.Referenced && !Policy.Is(Policies.Switch.WritebackCleansPinnedPages))
            frame.Dirty = true; // the hypothetical fix: a pinned page stays dirty and writable
        else
            Vma.WriteProtect(frame);
        frame.Writeback = true;
        return true;
    }

    /// <summary>The I/O of a page under writeback: the device reads the frame sector by sector, so a concurrent
    /// writer (a DMA, a store through a still-writable PTE) can leave the disk with sectors of several contents.</summary>
    private IEnumerable<Yield> WritebackIo(Frame frame)
    {
        var disk = File!.Disk!;
        var first = frame.Index * Frame.SectorsPerPage;
        for (var s = 0; s < Frame.SectorsPerPage; s++)
        {
            disk[first + s] = frame.Sectors[s];
            if (s % 4 == 3)
                yield return Yield.Preempt;
        }
        frame.Writeback = false;
    }

    /// <summary>Writes one dirty page and waits for it.</summary>
    private IEnumerable<Yield> WritePage(Frame frame, CallStatus result)
    {
        if (!StartWriteback(frame, result))
            yield break;
        foreach (var y in WritebackIo(frame))
            yield return y;
    }

    /// <summary>filemap_write_and_wait_range (WB_SYNC_ALL) over pages [first, last]: waits for writeback in flight,
    /// then writes every dirty page and waits for it. What fsync, fdatasync, msync(MS_SYNC), sync_file_range with
    /// both WAIT flags, and an O_DIRECT read's flush of the page cache do to the data.</summary>
    public IEnumerable<Yield> WriteAndWait(int first, int last, CallStatus result)
    {
        if (File is not { HasStorage: true })
            yield break;
        last = Math.Min(last, File.Capacity - 1);
        for (var p = first; p <= last && !result.Hung; p++)
            if (File.Cache[p] is { } frame)
                foreach (var y in WaitThenWrite(frame, result))
                    yield return y;
    }

    /// <summary>Waits for the page's writeback in flight, then writes it if it is (still) a dirty page-cache page.
    /// (A positive pattern, not `is not … continue`: Stryker's removal of that `continue` breaks definite
    /// assignment and drops every mutant of the method.)</summary>
    private IEnumerable<Yield> WaitThenWrite(Frame frame, CallStatus result)
    {
        while (frame.Writeback)
            yield return Yield.Preempt;
        if (frame is { Dirty: true, Owner: FrameOwner.PageCache })
            foreach (var y in WritePage(frame, result))
                yield return y;
    }

    /// <summary>One pass of the flusher (WB_SYNC_NONE, dirty_expire): writes the dirty pages not already under
    /// writeback. A BUG here kills the kworker, not the caller: the page stays locked for whoever comes next.</summary>
    public IEnumerable<Yield> FlusherPass()
    {
        if (File is not { HasStorage: true })
            yield break;
        for (var p = 0; p < File.Capacity; p++)
            if (File.Cache[p] is { Dirty: true, Writeback: false, LockedByDeadTask: false } frame)
                foreach (var y in WritePage(frame, new CallStatus()))
                    yield return y;
    }

    /// <summary>
    /// POSIX_FADV_DONTNEED over pages [first, last] (mm/fadvise.c generic_fadvise): starts WB_SYNC_NONE writeback of
    /// dirty pages, then invalidates what it can while that I/O is still in flight, then the I/O completes.
    /// </summary>
    public IEnumerable<Yield> FadviseDontneed(int first, int last, CallStatus result)
    {
        if (File is not { HasStorage: true })
            yield break;
        var started = new List<Frame>();
        for (var p = first; p <= last && p < File.Capacity && !result.Hung; p++)
            if (File.Cache[p] is { Dirty: true, Writeback: false } frame && StartWriteback(frame, result))
                started.Add(frame);
        Invalidate(first, last);
        foreach (var frame in started)
            foreach (var y in WritebackIo(frame))
                yield return y;
    }

    /// <summary>
    /// invalidate_mapping_pages over pages [first, last]: drops clean, unmapped, idle pages. Whether a pinned page's
    /// buffers are released before the pin's reference makes the removal fail is the policy's
    /// <see cref="Policies.Switch.EvictReleasesBuffersOfReferencedPages"/>.
    /// </summary>
    public void Invalidate(int first, int last)
    {
        if (File is not { HasStorage: true })
            return; // shmem pages are the data: never dropped by invalidation
        for (var p = first; p <= last && p < File.Capacity; p++)
            if (File.Cache[p] is { Dirty: false, Writeback: false, MapCount: 0 } frame)
                Evict(p, frame);
    }

    /// <summary>Evicts a clean, unmapped, idle page, unless a pin's reference keeps it cached (with or without its
    /// buffers, per policy).</summary>
    private void Evict(int page, Frame frame)
    {
        if (frame.Referenced)
        {
            if (Policy.Is(Policies.Switch.EvictReleasesBuffersOfReferencedPages))
                frame.HasBuffers = false;
            return;
        }
        frame.HasBuffers = false;
        frame.Owner = FrameOwner.Freed;
        File!.Cache[page] = null;
    }
}
