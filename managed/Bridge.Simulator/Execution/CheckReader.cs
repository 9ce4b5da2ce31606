using Bridge.Core.Blocks;
using Bridge.Core.Observations;
using Bridge.Simulator.Model;
using Bridge.Simulator.Policies;

namespace Bridge.Simulator.Execution;

/// <summary>
/// What a check step reads, path by path, in the order the executor reads them: the data file through O_DIRECT
/// (whose flush of the page cache is a writeback like any other), through the page cache, and through the
/// mapping; then every output file through O_DIRECT and buffered I/O. Anonymous memory has only the mapping.
/// </summary>
internal static class CheckReader
{
    public static IEnumerable<Yield> Read(Kernel k, int step, ulong runId, List<ViewRead> views, OpResult result)
    {
        if (k.File is { } file)
        {
            if (file.HasStorage)
            {
                // generic_file_read_iter / iomap_dio_rw: filemap_write_and_wait_range before an O_DIRECT read.
                foreach (var y in k.WriteAndWait(0, file.Capacity - 1, result))
                    yield return y;
                if (result.Hung)
                    yield break;
                views.Add(View(k, "data", ReadPath.Disk, runId, p => file.DiskPage(p).ToArray()));
            }
            else if (k.Policy.Is(Switch.DirectIoOnShmem))
            {
                views.Add(View(k, "data", ReadPath.Disk, runId, p => CachedOrHole(file, p)));
            }
            else
            {
                views.Add(new ViewRead("data", ReadPath.Disk, [], "open(O_DIRECT) on shmem: EINVAL"));
            }
            views.Add(View(k, "data", ReadPath.Buffered, runId, p => file.GetOrReadPage(p).Sectors));
        }
        views.Add(k.Vma.Mapped
            ? View(k, "data", ReadPath.Mapping, runId, p => k.Fault(p, write: false).Sectors)
            : new ViewRead("data", ReadPath.Mapping, [], "unmapped by munmap"));
        foreach (var name in OutputNames(k))
        {
            var output = k.Output(name);
            var blocks = Enumerable.Range(0, k.Scenario.Geometry.BlockCount)
                .Select(b => BlockReads.From(Sectors(k, b, p => output.Page(p).ToArray()), b, runId))
                .ToList();
            views.Add(new ViewRead(name, ReadPath.Disk, blocks));
            views.Add(new ViewRead(name, ReadPath.Buffered, blocks));
        }
    }

    /// <summary>Every output file the scenario names: the executor creates them before the first step.</summary>
    public static IEnumerable<string> OutputNames(Kernel k) => k.Scenario.AllSteps()
        .Where(s => s.Args.Target is not null)
        .Select(s => s.Args.Target!)
        .Distinct()
        .Order(StringComparer.Ordinal);

    private static Stamp[] CachedOrHole(FileInode file, int page) =>
        file.Cache[page]?.Sectors ?? Enumerable.Repeat(Stamp.Hole, Frame.SectorsPerPage).ToArray();

    private static ViewRead View(Kernel k, string file, ReadPath path, ulong runId, Func<int, Stamp[]> page)
    {
        var blocks = new List<BlockRead>(k.Scenario.Geometry.BlockCount);
        for (var b = 0; b < k.Scenario.Geometry.BlockCount; b++)
            blocks.Add(k.InFile(b) ? BlockReads.From(Sectors(k, b, page), b, runId) : BlockRead.Eof(b));
        return new ViewRead(file, path, blocks);
    }

    private static Stamp[] Sectors(Kernel k, int block, Func<int, Stamp[]> page)
    {
        var sectors = new Stamp[k.PagesPerBlock * Frame.SectorsPerPage];
        var i = 0;
        foreach (var p in k.PagesOf(block))
        {
            page(p).CopyTo(sectors, i);
            i += Frame.SectorsPerPage;
        }
        return sectors;
    }
}
