using Bridge.Core.Scenarios;

namespace Bridge.Simulator.Model;

/// <summary>
/// The scenario's file: its size, its page cache and — for a filesystem with storage — the disk's sectors.
/// On shmem and hugetlbfs the page cache is the data: a page not in the cache is a hole.
/// </summary>
public sealed class FileInode
{
    /// <param name="capacity">Pages the file can ever have (<see cref="Scenario.MaxFileBlocks"/>): its size, plus what
    /// insert-range steps may add.</param>
    public FileInode(BackingInfo backing, long size, int capacity, Stamp initial)
    {
        Backing = backing;
        Size = size;
        Capacity = capacity;
        Cache = new Frame?[Capacity];
        if (backing.HasStorage)
        {
            Disk = new Stamp[Capacity * Frame.SectorsPerPage];
            Array.Fill(Disk, Stamp.Hole);
            Disk.AsSpan(0, SizePages * Frame.SectorsPerPage).Fill(initial);
        }
        else if (initial != Stamp.Hole)
        {
            for (var p = 0; p < SizePages; p++)
                Cache[p] = new Frame(FrameOwner.PageCache, p, initial) { Dirty = true };
        }
    }

    public BackingInfo Backing { get; }
    public long Size { get; set; }
    public int SizePages => (int)(Size / Frame.Size);

    /// <summary>Pages the file can ever have: only insert-range grows it past its initial size.</summary>
    public int Capacity { get; }

    public Frame?[] Cache { get; }

    /// <summary>Sectors on storage; null on shmem/hugetlbfs.</summary>
    public Stamp[]? Disk { get; }

    public bool HasStorage => Disk is not null;

    /// <summary>A writeback error recorded in the mapping's error sequence (errseq_set on mapping->wb_err) that the
    /// scenario's descriptor has not yet seen: its next fsync, fdatasync, msync(MS_SYNC) or sync_file_range returns it
    /// once (file_check_and_advance_wb_err).</summary>
    public bool UnseenWritebackError { get; set; }

    public Span<Stamp> DiskPage(int page) => Disk.AsSpan(page * Frame.SectorsPerPage, Frame.SectorsPerPage);

    /// <summary>The cached page, or a new one read from storage (a hole on shmem). Pages read in are clean and
    /// carry no buffers: ->readpage(s) need not attach them; ->page_mkwrite does.</summary>
    public Frame GetOrReadPage(int page)
    {
        if (Cache[page] is { } cached)
            return cached;
        var frame = HasStorage
            ? new Frame(FrameOwner.PageCache, page, DiskPage(page))
            : new Frame(FrameOwner.PageCache, page, Stamp.Hole);
        Cache[page] = frame;
        return frame;
    }
}
