using Bridge.Core.Blocks;
using Bridge.Core.Execution;
using Bridge.Core.Observations;
using Bridge.Core.Scenarios;
using Bridge.Simulator.Model;
using Bridge.Simulator.Policies;

namespace Bridge.Simulator.Execution;

/// <summary>
/// A check on the model: reads the views of the <see cref="CheckPlan"/> in its order. The data file's O_DIRECT read
/// first flushes the page cache (a writeback like any other, which can hang in a buggy era); an output file reads
/// the same through O_DIRECT and the page cache.
/// </summary>
internal static class ModelViewReader
{
    private delegate ReadOnlySpan<Stamp> PageReader(int page);

    private static readonly Stamp[] HolePage = Enumerable.Repeat(Stamp.Hole, Frame.SectorsPerPage).ToArray();

    public static IEnumerable<Yield> Read(Kernel k, CheckPlan plan, ulong runId, List<ViewRead> views, CallStatus result)
    {
        var outputs = new Dictionary<string, List<BlockRead>>();
        foreach (var view in plan.Views)
        {
            if (view == new CheckView(CheckPlan.DataFile, ReadPath.Disk) && k.File is { HasStorage: true } file)
            {
                // generic_file_read_iter / iomap_dio_rw: filemap_write_and_wait_range before an O_DIRECT read.
                foreach (var y in k.WriteAndWait(0, file.Capacity - 1, result))
                    yield return y;
                if (result.Hung)
                    yield break;
            }
            views.Add(view.File == CheckPlan.DataFile
                ? Data(k, view.Path, runId)
                : new ViewRead(view.File, view.Path, outputs.TryGetValue(view.File, out var read) ? read
                    : outputs[view.File] = Blocks(k, runId, p => k.Output(view.File).Page(p), allInFile: true)));
        }
    }

    private static ViewRead Data(Kernel k, ReadPath path, ulong runId)
    {
        const string data = CheckPlan.DataFile;
        if (path == ReadPath.Mapping)
            return k.Vma.Mapped
                ? View(k, data, path, runId, p => k.Fault(p, write: false).Sectors)
                : new ViewRead(data, path, [], "unmapped by munmap");
        var file = k.File!;
        if (path == ReadPath.Buffered)
            return View(k, data, path, runId, p => file.GetOrReadPage(p).Sectors);
        if (file.HasStorage)
            return View(k, data, path, runId, p => file.DiskPage(p));
        // hugetlbfs has never had ->direct_IO (nor FMODE_CAN_ODIRECT): open(O_DIRECT) fails.
        if (k.Scenario.Backing.Kind == BackingKind.Hugetlb)
            return new ViewRead(data, path, [], "open(O_DIRECT) on hugetlbfs: EINVAL");
        return k.Policy.Is(Switch.DirectIoOnShmem)
            ? View(k, data, path, runId, p => file.Cache[p]?.Sectors ?? HolePage)
            : new ViewRead(data, path, [], "open(O_DIRECT) on shmem: EINVAL");
    }

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
