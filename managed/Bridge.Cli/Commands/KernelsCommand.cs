using System.CommandLine;
using System.Globalization;
using Bridge.Targets.Vm.Kernels;

namespace Bridge.Cli.Commands;

/// <summary><c>pinbridge kernels</c>: the recipe's kernel lines, the versions the archive offers of each, and what the
/// kernel cache holds (with its size, its last use and the cache's limit).</summary>
public static class KernelsCommand
{
    public static Command Create()
    {
        var refresh = new Option<bool>("--refresh") { Description = "fetch the archive's package index now, even if it is less than a day old" };
        var all = new Option<bool>("--all") { Description = "list every version the archive offers (default: the newest three per line)" };
        var prune = new Option<bool>("--prune") { Description = "evict least recently used kernels and boot images until the cache fits its limit ($BRIDGE_CACHE_LIMIT)" };
        var command = new Command("kernels", "List the kernel lines of the VM recipe (containers/vm/recipe.json, extended by a recipe.json next to the executable or in $XDG_CONFIG_HOME/pinbridge/), the versions the Debian archive offers of each (from a private apt index under the cache; never the system's apt sources), and the kernels and boot images in the cache with their sizes. --target vm:LINE boots the newest version, vm:LINE@VERSION the one named. Exit 0; 2 on a broken recipe.")
        {
            refresh, all, prune,
        };
        command.SetAction(async (parse, ct) =>
        {
            var recipe = TargetOption.Recipe();
            var cache = new KernelCache(recipe: recipe);
            var index = await cache.Archive.LoadAsync(parse.GetValue(refresh), ct);
            if (index.Warning is not null)
                Console.Error.WriteLine($"pinbridge: warning: {index.Warning}");
            var cached = cache.Cached();
            var rows = new List<string[]> { new[] { "line", "version", "release", "debian", "suite", "download", "cached" } };
            foreach (var (name, line) in recipe.KernelLines.OrderBy(l => l.Key, StringComparer.Ordinal))
            {
                var versions = KernelIndex.Versions(line, recipe.Archive, index.Packages);
                if (versions.Count == 0)
                    rows.Add([name, "-", "-", "-", string.Join(",", line.Suites), "-", "(the archive offers none)"]);
                var shown = versions.Where((v, i) => parse.GetValue(all) || i < 3 || cached.Any(c => c.Package == v.ImagePackage));
                foreach (var (version, i) in shown.Select((v, i) => (v, i)))
                {
                    var have = cached.FirstOrDefault(c => c.Package == version.ImagePackage);
                    rows.Add([i == 0 ? name : "", version.Abi + (i == 0 ? " (newest)" : ""), version.Release, version.DebianVersion, version.Suite,
                        Size(version.DownloadBytes), have is null ? "" : $"{Size(have.Bytes)}, used {have.LastUsed.ToLocalTime():yyyy-MM-dd HH:mm}"]);
                }
            }
            Console.WriteLine($"Kernel lines (recipe: {string.Join(" + ", recipe.Sources)}; index {(index.UpdatedAt is { } at ? $"of {at:yyyy-MM-dd HH:mm} UTC" : "never fetched")}):");
            Console.Write(Table(rows));
            if (parse.GetValue(prune))
                foreach (var evicted in await cache.Budget.EvictAsync(ct))
                    Console.WriteLine($"evicted {evicted.Path} ({Size(evicted.Bytes)}, last used {evicted.LastUsed.ToLocalTime():yyyy-MM-dd HH:mm})");
            var entries = cache.Budget.Entries();
            var kernels = entries.Where(e => e.Path != e.Mark).ToList();
            var images = entries.Where(e => e.Path == e.Mark).ToList();
            Console.WriteLine();
            Console.WriteLine($"Cache {cache.Directory}: {kernels.Count} kernels {Size(kernels.Sum(e => e.Bytes))}, {images.Count} boot images {Size(images.Sum(e => e.Bytes))}; " +
                $"limit {Size(cache.Budget.Limit)} (${CacheBudget.LimitVariable}), least recently used evicted first");
            foreach (var kernel in cached)
                Console.WriteLine($"  {kernel.Package,-48} {Size(kernel.Bytes),9}  used {kernel.LastUsed.ToLocalTime():yyyy-MM-dd HH:mm}  {(kernel.Version is { } v ? $"{v.Line}@{v.Abi}" : "")}");
            return 0;
        });
        return command;
    }

    public static string Size(long bytes) =>
        bytes >= 1L << 30 ? (bytes / (double)(1L << 30)).ToString("0.0 'GiB'", CultureInfo.InvariantCulture)
        : (bytes / (double)(1L << 20)).ToString("0.0 'MiB'", CultureInfo.InvariantCulture);

    private static string Table(List<string[]> rows)
    {
        var widths = Enumerable.Range(0, rows[0].Length).Select(i => rows.Max(r => r[i].Length)).ToArray();
        return string.Concat(rows.Select(r => "  " + string.Join("  ", r.Select((c, i) => c.PadRight(widths[i]))).TrimEnd() + "\n"));
    }
}
