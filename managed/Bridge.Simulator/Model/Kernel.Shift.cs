using Bridge.Core.Scenarios;

namespace Bridge.Simulator.Model;

public sealed partial class Kernel
{
    /// <summary>fallocate(COLLAPSE_RANGE / INSERT_RANGE) over <paramref name="pages"/> pages from
    /// <paramref name="first"/> (fs/ext4/extents.c ext4_collapse_range, ext4_insert_range; fs/xfs/xfs_file.c
    /// xfs_falloc_collapse_range, xfs_falloc_insert_range → xfs_flush_unmap_range): the pages from the range on are written
    /// back and waited for (a collapse's removed range is not: ext4 writes back from its end; it is discarded), then
    /// the pages from the range's start are unmapped — private COW copies too where the backing's row says so
    /// (<see cref="BackingInfo.ShiftZapsPrivateCopies"/>: ext4's truncate_pagecache, even_cows=1; a pinned copy lives on as
    /// an orphan), and everywhere past a collapse's new end (xfs_falloc_setsize → truncate_setsize, even_cows=1) — and
    /// dropped from the cache (a pinned page lives on as an orphan the device
    /// keeps writing into); then the extents shift: every page from the range on holds what the page
    /// <see cref="RangeShift.Distance"/> away held, its sectors still naming the offset they were written at, an inserted
    /// range is a hole, and the size moves by the range.</summary>
    public IEnumerable<Yield> ShiftRange(RangeShift shift, int first, int pages, CallStatus result)
    {
        var file = File!;
        var end = file.SizePages;
        foreach (var y in WriteAndWait(shift.Inserts ? first : first + pages, end - 1, result))
            yield return y;
        if (result.Hung)
            yield break;
        var distance = shift.Inserts ? pages : -pages;
        var blocks = distance / PagesPerBlock;
        // What each page from the range on holds now: written back to the disk, or (shmem, which has no such mode but a
        // policy may be asked what if) the cached page itself.
        var held = Enumerable.Range(first, end - first)
            .Select(p => file.HasStorage ? file.DiskPage(p).ToArray() : file.Cache[p]?.Sectors.ToArray() ?? [.. Enumerable.Repeat(Stamp.Hole, Frame.SectorsPerPage)])
            .ToList();
        for (var p = first; p < end; p++)
        {
            UnmapFilePage(p, evenCows: Scenario.Backing.ShiftZapsPrivateCopies || p >= end + distance);
            RemoveFromCache(p);
        }
        for (var p = first; p < Math.Max(end, end + distance); p++)
        {
            var source = p - distance; // past the file's old end (a collapse's tail) or inside an inserted range: nothing
            var stamps = source >= first && source < end
                ? held[source - first].Select(s => s with { Content = s.Content.MovedBy(-blocks) }).ToArray()
                : null;
            if (file.HasStorage)
                file.DiskPage(p).Fill(Stamp.Hole);
            if (stamps is null)
                continue;
            if (file.HasStorage)
                stamps.CopyTo(file.DiskPage(p));
            else
                file.Cache[p] = new Frame(FrameOwner.PageCache, p, stamps) { Dirty = true };
        }
        file.Size += (long)distance * Frame.Size;
    }
}
