namespace Bridge.Linux.Backings;

/// <summary>
/// Reserves 2 MiB huge pages for a hugetlb scenario by raising vm.nr_hugepages, and gives them back on dispose.
/// Without root it can only use pages that are already free; it says so when there are none.
/// </summary>
public sealed class HugePages : IDisposable
{
    private const string NrHugepages = "/proc/sys/vm/nr_hugepages";
    private static readonly Lock Gate = new();
    private static int _reserved;
    private readonly int _pages;
    private int _raised;

    public const long Size = 2L << 20;

    private HugePages(int pages, int raised)
    {
        _pages = pages;
        _raised = raised;
    }

    public static HugePages Reserve(int pages)
    {
        lock (Gate)
        {
            if (FreePages() >= pages + _reserved)
            {
                _reserved += pages;
                return new HugePages(pages, raised: 0);
            }
            if (!Interop.SystemInfo.IsRoot)
                throw new BackingUnavailableException($"no free 2 MiB huge pages ({FreePages()} free) and not root to reserve {pages}");
            var before = Total();
            Write(before + pages);
            // Pages of the previous scenario may still be on their way back: an io_uring ring's buffers are
            // unpinned by io_ring_exit_work, after close() has returned.
            for (var waited = 0; FreePages() < pages + _reserved && waited < 3000; waited += 20)
                Thread.Sleep(20);
            if (FreePages() < pages + _reserved)
            {
                Write(before);
                throw new BackingUnavailableException($"could not reserve {pages} huge pages (memory too fragmented?): HugePages_Free={FreePages()}");
            }
            _reserved += pages;
            return new HugePages(pages, raised: pages);
        }
    }

    /// <summary>Pages that are ours to give back (what this reservation added to nr_hugepages).</summary>
    public void Dispose()
    {
        lock (Gate)
        {
            _reserved -= _pages;
            if (_raised > 0)
                Write(Math.Max(0, Total() - _raised));
            _raised = 0;
        }
    }

    public static int Total() => int.Parse(File.ReadAllText(NrHugepages).Trim(), System.Globalization.CultureInfo.InvariantCulture);

    public static int FreePages() => int.Parse(
        File.ReadLines("/proc/meminfo").First(l => l.StartsWith("HugePages_Free:", StringComparison.Ordinal)).Split(':')[1].Trim(),
        System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Writes vm.nr_hugepages; a read-only /proc/sys (a container without full privilege) makes hugetlb
    /// unavailable rather than an error.</summary>
    private static void Write(int pages)
    {
        try
        {
            File.WriteAllText(NrHugepages, pages.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BackingUnavailableException($"cannot reserve huge pages: writing {NrHugepages} failed ({e.Message.Trim()})");
        }
    }
}
