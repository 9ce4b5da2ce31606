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
        for (var p = first; p < end; p++)
        {
            UnmapFilePage(p, evenCows: Scenario.Backing.ShiftZapsPrivateCopies || p >= end + distance);
            RemoveFromCache(p);
        }
        var blocks = distance / PagesPerBlock;
        var disk = file.Disk!;
        var sectors = Frame.SectorsPerPage;
        var moved = disk.AsSpan(first * sectors, (end - first) * sectors).ToArray();
        disk.AsSpan(first * sectors, (Math.Max(end, end + distance) - first) * sectors).Fill(Stamp.Hole);
        for (var p = shift.Inserts ? first : first + pages; p < end; p++)
            for (var s = 0; s < sectors; s++)
            {
                var stamp = moved[(p - first) * sectors + s];
                disk[(p + distance) * sectors + s] = stamp with { Content = stamp.Content.MovedBy(-blocks) };
            }
        file.Size += (long)distance * Frame.Size;
    }
}
