namespace Bridge.Simulator.Model;

/// <summary>Who owns a physical page.</summary>
public enum FrameOwner : byte
{
    /// <summary>In the file's page cache at <see cref="Frame.Index"/>.</summary>
    PageCache,
    /// <summary>Anonymous memory: a MAP_PRIVATE copy-on-write copy, or an anonymous mapping's page.</summary>
    Anon,
    /// <summary>Taken out of the file by truncate or punch while a pin still held it (page->mapping == NULL).</summary>
    Orphan,
    /// <summary>Dropped from the page cache and freed.</summary>
    Freed,
}

/// <summary>
/// A physical 4 KiB page (struct page / folio): its sectors and the flags the pin and writeback rules look at.
/// </summary>
public sealed class Frame
{
    public const int Size = 4096;
    public const int SectorsPerPage = Size / Bridge.Core.Blocks.BlockGeometry.SectorSize;

    public Frame(FrameOwner owner, int index, Stamp fill)
    {
        Owner = owner;
        Index = index;
        Array.Fill(Sectors, fill);
    }

    public Frame(FrameOwner owner, int index, ReadOnlySpan<Stamp> sectors)
    {
        Owner = owner;
        Index = index;
        sectors.CopyTo(Sectors);
    }

    public Stamp[] Sectors { get; } = new Stamp[SectorsPerPage];
    public FrameOwner Owner { get; set; }

    /// <summary>Page index within the file (for page-cache pages) or the mapping (anonymous pages).</summary>
    public int Index { get; }

    /// <summary>PG_dirty.</summary>
    public bool Dirty { get; set; }

    /// <summary>PG_writeback: a write of this page to storage is in flight.</summary>
    public bool Writeback { get; set; }

    /// <summary>Filesystem buffers (buffer_heads) attached: ->page_mkwrite / ->write_begin attach them; reclaim and
    /// invalidation release them from clean pages.</summary>
    public bool HasBuffers { get; set; }

    /// <summary>Number of PTEs mapping the page (page_mapped()).</summary>
    public int MapCount { get; set; }

    /// <summary>A private anonymous page shared with a forked child that is still alive: a store copies it.</summary>
    public bool CowShared { get; set; }

    /// <summary>Long-term pins (FOLL_LONGTERM; in the legacy era, plain get_user_pages references).</summary>
    public int LongPins { get; set; }

    /// <summary>Short-term pins held by direct I/O in flight.</summary>
    public int ShortPins { get; set; }

    /// <summary>The task that held the page lock died in a kernel BUG; whoever waits for the lock waits forever.</summary>
    public bool LockedByDeadTask { get; set; }

    /// <summary>An extra reference beyond the cache's and the mappings': what makes eviction fail.</summary>
    public bool Referenced => LongPins + ShortPins > 0;

    public void Write(Stamp stamp) => Array.Fill(Sectors, stamp);

    public override string ToString() =>
        $"{Owner}#{Index} {Sectors[0].Content}{(Dirty ? " dirty" : "")}{(Writeback ? " wb" : "")}{(HasBuffers ? " bufs" : "")} map={MapCount} pins={LongPins}/{ShortPins}";
}
