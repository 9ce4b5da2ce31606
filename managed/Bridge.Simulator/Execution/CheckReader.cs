using Bridge.Core.Blocks;
using Bridge.Core.Observations;
using Bridge.Core.Scenarios;
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
    private delegate ReadOnlySpan<Stamp> PageReader(int page);

    private static readonly Stamp[] HolePage = Enumerable.Repeat(Stamp.Hole, Frame.SectorsPerPage).ToArray();

    public static IEnumerable<Yield> Read(Kernel k, IReadOnlyList<string> outputs, ulong runId, List<ViewRead> views, OpResult result)
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
                views.Add(View(k, "data", ReadPath.Disk, runId, p => file.DiskPage(p)));
            }
            else if (k.Scenario.Backing.Kind == BackingKind.Hugetlb)
            {
                // hugetlbfs has never had ->direct_IO (nor FMODE_CAN_ODIRECT): open(O_DIRECT) fails.
                views.Add(new ViewRead("data", ReadPath.Disk, [], "open(O_DIRECT) on hugetlbfs: EINVAL"));
            }
            else if (k.Policy.Is(Switch.DirectIoOnShmem))
            {
                views.Add(View(k, "data", ReadPath.Disk, runId, p => file.Cache[p]?.Sectors ?? HolePage));
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
        foreach (var name in outputs)
        {
            var output = k.Output(name);
            var blocks = Blocks(k, runId, p => output.Page(p), allInFile: true);
            views.Add(new ViewRead(name, ReadPath.Disk, blocks));
            views.Add(new ViewRead(name, ReadPath.Buffered, blocks));
        }
    }

    /// <summary>Every output file the scenario names: the executor creates them before the first step.</summary>
    public static IReadOnlyList<string> OutputNames(Bridge.Core.Scenarios.Scenario scenario) => scenario.AllSteps()
        .Where(s => s.Args.Target is not null)
        .Select(s => s.Args.Target!)
        .Distinct()
        .Order(StringComparer.Ordinal)
        .ToList();

    private static ViewRead View(Kernel k, string file, ReadPath path, ulong runId, PageReader page) =>
        new(file, path, Blocks(k, runId, page, allInFile: false));

    private static List<BlockRead> Blocks(Kernel k, ulong runId, PageReader page, bool allInFile)
    {
        var count = k.Scenario.Geometry.BlockCount;
        var blocks = new List<BlockRead>(count);
        var buffer = k.PagesPerBlock == 1 ? null : new Stamp[k.PagesPerBlock * Frame.SectorsPerPage];
        for (var b = 0; b < count; b++)
        {
            if (!allInFile && !k.InFile(b))
            {
                blocks.Add(BlockRead.Eof(b));
                continue;
            }
            if (buffer is null)
            {
                blocks.Add(BlockReads.From(page(b), b, runId));
                continue;
            }
            for (var i = 0; i < k.PagesPerBlock; i++)
                page(k.FirstPage(b) + i).CopyTo(buffer.AsSpan(i * Frame.SectorsPerPage));
            blocks.Add(BlockReads.From(buffer, b, runId));
        }
        return blocks;
    }
}
