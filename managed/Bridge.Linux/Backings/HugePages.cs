using System.Globalization;
using Bridge.Linux.Host;

namespace Bridge.Linux.Backings;

/// <summary>
/// Reserves 2 MiB huge pages for a hugetlb scenario by raising vm.nr_hugepages by exactly what it needs, and lowers
/// it by as much on dispose. Every reservation adds its own pages, under a lock shared by every Bridge process on
/// the machine, so parallel runs (test assemblies, a container next to the host) never count on each other's pages.
/// A reservation is in the run's ledger before the count is raised, so a run killed while it holds pages gives them
/// back at the next run's sweep (<see cref="Leftover"/>). Without root it can only use pages that are already free;
/// it says so when there are none.
/// </summary>
public sealed class HugePages : IDisposable
{
    public const long Size = 2L << 20;
    private const string NrHugepages = "/proc/sys/vm/nr_hugepages";
    private const string LockFile = "/run/lock/bridge-hugepages.lock";
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(10);
    private LedgerEntry? _entry;

    private HugePages(LedgerEntry? entry) => _entry = entry;

    /// <summary>A killed run's reservation, "PAGES BEFORE": lowered by PAGES unless the count is still BEFORE
    /// (killed between writing the entry and raising the count).</summary>
    public static LeftoverKind Leftover { get; } = new("hugepages", value =>
    {
        var parts = value.Split(' ');
        var pages = int.Parse(parts[0], CultureInfo.InvariantCulture);
        var before = int.Parse(parts[1], CultureInfo.InvariantCulture);
        using var _ = FileLock.Acquire(LockFile, LockTimeout);
        if (Total() != before)
            Write(Math.Max(0, Total() - pages));
        return Task.CompletedTask;
    });

    public static HugePages Reserve(int pages)
    {
        if (!Interop.SystemInfo.IsRoot)
        {
            return FreePages() >= pages
                ? new HugePages(entry: null)
                : throw new BackingUnavailableException($"no free 2 MiB huge pages ({FreePages()} free, {pages} needed) and not root to reserve them");
        }
        using var _ = FileLock.Acquire(LockFile, LockTimeout);
        var free = FreePages();
        var before = Total();
        var entry = RunLedger.Current.Take(Leftover.Kind, string.Create(CultureInfo.InvariantCulture, $"{pages} {before}"));
        try
        {
            Write(before + pages);
        }
        catch (BackingUnavailableException)
        {
            RunLedger.Current.Release(entry);
            throw;
        }
        // The kernel allocates the new pages at once, or as many as it can. Pages of a previous scenario may still be
        // coming back too: an io_uring ring's buffers are unpinned by io_ring_exit_work, after close() returned.
        for (var waited = 0; FreePages() < free + pages && waited < 3000; waited += 20)
            Thread.Sleep(20);
        if (FreePages() < pages)
        {
            Write(Math.Max(0, Total() - pages));
            RunLedger.Current.Release(entry);
            throw new BackingUnavailableException($"could not reserve {pages} huge pages (memory too fragmented?): HugePages_Free={FreePages()}");
        }
        return new HugePages(entry);
    }

    /// <summary>Gives back what this reservation added (pages still in use become surplus and go when freed).</summary>
    public void Dispose()
    {
        if (_entry is not { } entry)
            return;
        using var _ = FileLock.Acquire(LockFile, LockTimeout);
        Write(Math.Max(0, Total() - int.Parse(entry.Value.Split(' ')[0], CultureInfo.InvariantCulture)));
        RunLedger.Current.Release(entry);
        _entry = null;
    }

    public static int Total() => int.Parse(File.ReadAllText(NrHugepages).Trim(), CultureInfo.InvariantCulture);

    public static int FreePages() => int.Parse(
        File.ReadLines("/proc/meminfo").First(l => l.StartsWith("HugePages_Free:", StringComparison.Ordinal)).Split(':')[1].Trim(),
        CultureInfo.InvariantCulture);

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
