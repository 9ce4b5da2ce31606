using System.Globalization;

namespace Bridge.Linux.Backings;

/// <summary>
/// Reserves 2 MiB huge pages for a hugetlb scenario by raising vm.nr_hugepages by exactly what it needs, and lowers
/// it by as much on dispose. Every reservation adds its own pages, under a lock shared by every Bridge process on
/// the machine, so parallel runs (test assemblies, a container next to the host) never count on each other's pages.
/// Without root it can only use pages that are already free; it says so when there are none.
/// </summary>
public sealed class HugePages : IDisposable
{
    public const long Size = 2L << 20;
    private const string NrHugepages = "/proc/sys/vm/nr_hugepages";
    private const string LockFile = "/run/lock/bridge-hugepages.lock";
    private int _raised;

    private HugePages(int raised) => _raised = raised;

    public static HugePages Reserve(int pages)
    {
        if (!Interop.SystemInfo.IsRoot)
        {
            return FreePages() >= pages
                ? new HugePages(raised: 0)
                : throw new BackingUnavailableException($"no free 2 MiB huge pages ({FreePages()} free, {pages} needed) and not root to reserve them");
        }
        using var _ = MachineLock();
        var free = FreePages();
        Write(Total() + pages);
        // The kernel allocates the new pages at once, or as many as it can. Pages of a previous scenario may still be
        // coming back too: an io_uring ring's buffers are unpinned by io_ring_exit_work, after close() returned.
        for (var waited = 0; FreePages() < free + pages && waited < 3000; waited += 20)
            Thread.Sleep(20);
        if (FreePages() < pages)
        {
            Write(Math.Max(0, Total() - pages));
            throw new BackingUnavailableException($"could not reserve {pages} huge pages (memory too fragmented?): HugePages_Free={FreePages()}");
        }
        return new HugePages(raised: pages);
    }

    /// <summary>Gives back what this reservation added (pages still in use become surplus and go when freed).</summary>
    public void Dispose()
    {
        if (_raised == 0)
            return;
        using var _ = MachineLock();
        Write(Math.Max(0, Total() - _raised));
        _raised = 0;
    }

    public static int Total() => int.Parse(File.ReadAllText(NrHugepages).Trim(), CultureInfo.InvariantCulture);

    public static int FreePages() => int.Parse(
        File.ReadLines("/proc/meminfo").First(l => l.StartsWith("HugePages_Free:", StringComparison.Ordinal)).Split(':')[1].Trim(),
        CultureInfo.InvariantCulture);

    /// <summary>An exclusive lock on a file every Bridge process opens the same way (.NET takes flock(LOCK_EX) for
    /// FileShare.None on Linux): nr_hugepages is read, changed and written back under it.</summary>
    private static FileStream MachineLock()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(LockFile)!);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(LockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < 500)
            {
                Thread.Sleep(10);
            }
        }
    }

    /// <summary>Writes vm.nr_hugepages; a read-only /proc/sys (a container without full privilege) makes hugetlb
    /// unavailable rather than an error.</summary>
    private static void Write(int pages)
    {
        try
        {
            File.WriteAllText(NrHugepages, pages.ToString(CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BackingUnavailableException($"cannot reserve huge pages: writing {NrHugepages} failed ({e.Message.Trim()})");
        }
    }
}
