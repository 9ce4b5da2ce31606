using System.Globalization;
using System.Text;
using System.Text.Json;
using Bridge.Linux.Host;
using Bridge.Targets.Vm.Recipe;

namespace Bridge.Targets.Vm.Kernels;

/// <summary>
/// A private apt configuration under the kernel cache (<c>CACHE/apt/</c>: its own sources.list, lists and cache
/// directories; the system's sources are never read or changed — DESIGN.md §7): <c>apt-get update</c> fetches only
/// the Packages indexes of the recipe's suites (<c>target=Packages</c>), <c>apt-get download</c> fetches from them.
/// After each update the kernel packages of every suite are read out of the indexes (<c>apt-get indextargets</c>
/// names each suite's file, <c>apt-helper cat-file</c> decompresses it) into one small snapshot, so listing and
/// resolving kernels costs milliseconds. The index is refreshed when older than <see cref="MaxAge"/> or when the
/// suites changed; when the refresh fails (offline) the snapshot of the last good one is used and
/// <see cref="IndexState.Warning"/> says so.
/// </summary>
public sealed class AptArchive(string cacheDirectory, ArchiveRecipe recipe)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromDays(1);

    /// <summary>A failed refresh is not retried sooner than this (an offline machine would wait on every run).</summary>
    public static readonly TimeSpan RetryAfterFailure = TimeSpan.FromHours(1);

    private const string AptHelper = "/usr/lib/apt/apt-helper";
    private static readonly TimeSpan LockWait = TimeSpan.FromMinutes(10);

    public string Directory { get; } = Path.Combine(cacheDirectory, "apt");

    private string SourcesList => Path.Combine(Directory, "sources.list");

    private string Lists => Path.Combine(Directory, "lists");

    private string Snapshot => Path.Combine(Directory, "kernel-packages.json");

    private string UpdatedStamp => Path.Combine(Directory, "updated");

    private string FailedStamp => Path.Combine(Directory, "refresh-failed");

    /// <summary>apt's options that make it use this configuration and nothing of the system's sources.</summary>
    public IReadOnlyList<string> Options =>
    [
        "-o", $"Dir::Etc::SourceList={SourcesList}",
        "-o", "Dir::Etc::SourceParts=/dev/null",
        "-o", $"Dir::State::Lists={Lists}",
        "-o", $"Dir::Cache={Path.Combine(Directory, "cache")}",
        "-o", "Acquire::Languages=none",
        "-o", "Acquire::GzipIndexes=true", // lists stay compressed (a few MB); apt-helper cat-file reads them
        "-o", "Acquire::Retries=1",
        "-o", "Acquire::http::Timeout=30",
    ];

    /// <summary>The sources.list for the recipe's suites, one line each.</summary>
    public string RenderSources()
    {
        var text = new StringBuilder("# Written by Bridge from its VM recipe (archive.suites); used only with Bridge's own apt options.\n");
        foreach (var (suite, mirror) in recipe.Suites.OrderBy(s => s.Key, StringComparer.Ordinal))
            text.Append(CultureInfo.InvariantCulture, $"deb [target=Packages arch={recipe.Architecture} signed-by={recipe.Keyring}] {mirror} {suite} {recipe.Component}\n");
        return text.ToString();
    }

    /// <summary>The kernel packages of every suite, refreshing the index first when it is stale (or
    /// <paramref name="refresh"/>).</summary>
    /// <exception cref="VmSetupException">No index was ever fetched and fetching one failed.</exception>
    public async Task<IndexState> LoadAsync(bool refresh, CancellationToken ct)
    {
        System.IO.Directory.CreateDirectory(Directory);
        string? warning = null;
        var refreshed = false;
        if (refresh || NeedsRefresh())
        {
            using var held = await FileLock.AcquireAsync(Path.Combine(Directory, "lock"), LockWait, ct);
            if (refresh || NeedsRefresh()) // another process may have refreshed it while this one waited
            {
                var failure = await UpdateAsync(ct);
                if (failure is null)
                    refreshed = true;
                else
                {
                    await File.WriteAllTextAsync(FailedStamp, failure + "\n", ct);
                    warning = failure;
                }
            }
        }
        else if (Stale() && File.Exists(FailedStamp))
        {
            warning = (await File.ReadAllTextAsync(FailedStamp, ct)).Trim();
        }
        var updatedAt = File.Exists(UpdatedStamp) ? File.GetLastWriteTimeUtc(UpdatedStamp) : (DateTime?)null;
        if (warning is not null)
            warning = updatedAt is { } at
                ? $"the kernel index could not be refreshed ({warning}); using the one from {at:yyyy-MM-dd HH:mm} UTC"
                : $"the kernel index could not be fetched ({warning}); only kernels already in the cache can be used";
        var packages = updatedAt is null ? [] : await ReadSnapshotAsync(ct);
        return new IndexState(packages, updatedAt, refreshed, warning);
    }

    private bool SourcesChanged() => !File.Exists(SourcesList) || File.ReadAllText(SourcesList) != RenderSources();

    private bool Stale() =>
        !File.Exists(UpdatedStamp) || !File.Exists(Snapshot) || DateTime.UtcNow - File.GetLastWriteTimeUtc(UpdatedStamp) > MaxAge;

    private bool RecentlyFailed() =>
        File.Exists(FailedStamp) && DateTime.UtcNow - File.GetLastWriteTimeUtc(FailedStamp) < RetryAfterFailure;

    /// <summary>Stale or for other suites, and not just failed for these suites.</summary>
    private bool NeedsRefresh() => SourcesChanged() || (Stale() && !RecentlyFailed());

    /// <summary>Runs apt-get update and rebuilds the snapshot; returns what went wrong, or null.</summary>
    private async Task<string?> UpdateAsync(CancellationToken ct)
    {
        await File.WriteAllTextAsync(SourcesList, RenderSources(), ct);
        System.IO.Directory.CreateDirectory(Path.Combine(Lists, "partial"));
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, "cache", "archives", "partial"));
        ToolResult update;
        try
        {
            update = await Tool.RunAsync("apt-get", [.. Options, "-q", "update"], ct);
        }
        catch (ToolException e)
        {
            return e.Message;
        }
        // apt-get update exits 0 even when a mirror could not be reached; its W:/E: lines say so.
        var problems = (update.Stdout + update.Stderr).Split('\n')
            .Where(l => l.StartsWith("E:", StringComparison.Ordinal) || l.StartsWith("W: Failed to fetch", StringComparison.Ordinal) || l.StartsWith("Err:", StringComparison.Ordinal))
            .Select(l => l.Trim()).ToList();
        if (!update.Succeeded || problems.Count > 0)
            return $"apt-get update: {(problems.Count > 0 ? string.Join("; ", problems.Take(3)) : update.Said)}";
        try
        {
            await WriteSnapshotAsync(await ReadIndexesAsync(ct), ct);
        }
        catch (Exception e) when (e is ToolException or FormatException or IOException)
        {
            return $"reading the package index: {e.Message}";
        }
        await File.WriteAllTextAsync(UpdatedStamp, DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture) + "\n", ct);
        File.Delete(FailedStamp);
        return null;
    }

    /// <summary>The kernel packages of each suite's Packages index, as apt stored it.</summary>
    private async Task<List<ArchivePackage>> ReadIndexesAsync(CancellationToken ct)
    {
        var targets = await Tool.RunCheckedAsync("listing the package indexes", "apt-get",
            [.. Options, "indextargets", "--format", "$(FILENAME)\t$(RELEASE)", "Identifier: Packages"], ct);
        var packages = new List<ArchivePackage>();
        foreach (var line in targets.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var (file, suite) = line.Split('\t') is [var f, var s] ? (f, s) : throw new FormatException($"apt-get indextargets printed '{line}' (expected FILE<TAB>SUITE)");
            if (!File.Exists(file))
                continue; // a suite the mirror does not have (yet): apt-get update reported it
            await Tool.ReadStreamAsync(AptHelper, ["cat-file", file], async (stream, _) =>
            {
                using var reader = new StreamReader(stream);
                packages.AddRange(PackagesFile.Read(reader, suite, IsKernelPackage, file));
                await Task.CompletedTask;
            }, ct);
        }
        return packages;
    }

    /// <summary>Image packages and the parts of split ones; debug symbols (-dbg, gigabytes) are never fetched.</summary>
    public static bool IsKernelPackage(string name) =>
        (name.StartsWith("linux-image-", StringComparison.Ordinal) || name.StartsWith("linux-binary-", StringComparison.Ordinal)
         || name.StartsWith("linux-modules-", StringComparison.Ordinal) || name.StartsWith("linux-base-", StringComparison.Ordinal))
        && !name.EndsWith("-dbg", StringComparison.Ordinal);

    private async Task WriteSnapshotAsync(List<ArchivePackage> packages, CancellationToken ct)
    {
        var partial = $"{Snapshot}.{Environment.ProcessId}.tmp";
        var rows = packages.Select(p => new SnapshotRow(p.Name, p.Version.Text, p.Suite, p.Size, p.InstalledSize,
            [.. p.Depends.Select(d => new SnapshotRelation(d.Name, d.ExactVersion))])).ToList();
        await File.WriteAllTextAsync(partial, JsonSerializer.Serialize(rows), ct);
        File.Move(partial, Snapshot, overwrite: true);
    }

    private async Task<IReadOnlyList<ArchivePackage>> ReadSnapshotAsync(CancellationToken ct)
    {
        if (!File.Exists(Snapshot))
            return [];
        var rows = JsonSerializer.Deserialize<List<SnapshotRow>>(await File.ReadAllTextAsync(Snapshot, ct)) ?? [];
        return [.. rows.Select(r => new ArchivePackage(r.Name, DebianVersion.Parse(r.Version), r.Suite, r.Size, r.InstalledSize,
            [.. r.Depends.Select(d => new PackageRelation(d.Name, d.Exact))]))];
    }

    /// <summary>Fetches the .deb of each package (name and exact version) into <paramref name="directory"/>.</summary>
    /// <exception cref="VmSetupException">apt-get download failed; its message is quoted.</exception>
    public async Task DownloadAsync(IReadOnlyList<(string Name, string Version)> packages, string directory, CancellationToken ct)
    {
        var result = await Tool.RunAsync("apt-get", [.. Options, "-q", "download", .. packages.Select(p => $"{p.Name}={p.Version}")], ct, workingDirectory: directory);
        if (!result.Succeeded)
            throw new VmSetupException(
                $"apt-get download {string.Join(' ', packages.Select(p => p.Name))} failed (exit {result.ExitCode}): {result.Stderr.Trim().ReplaceLineEndings("; ")} " +
                "(is the mirror reachable? 'pinbridge kernels --refresh' refreshes the index)");
    }

    private sealed record SnapshotRow(string Name, string Version, string Suite, long Size, long InstalledSize, List<SnapshotRelation> Depends);

    private sealed record SnapshotRelation(string Name, string? Exact);
}

/// <summary>The kernel packages the index lists, when it was last refreshed, whether this call refreshed it, and
/// why it could not when it could not.</summary>
public sealed record IndexState(IReadOnlyList<ArchivePackage> Packages, DateTime? UpdatedAt, bool Refreshed, string? Warning);
