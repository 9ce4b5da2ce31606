using System.Collections.Concurrent;
using System.Globalization;
using Bridge.Linux.Host;

namespace Bridge.Targets.Vm.Kernels;

/// <summary>
/// The cache's size limit: kernel trees (<c>CACHE/kernels/*</c>) and base boot images (<c>CACHE/initramfs/*.cpio</c>)
/// together stay under <see cref="Limit"/> bytes (<c>$BRIDGE_CACHE_LIMIT</c>, e.g. <c>2G</c>; default
/// <see cref="DefaultLimit"/>), least recently used first out. An entry's last use is its mark's modification time
/// (a kernel's <see cref="CachedKernel.CompleteMark"/>, a boot image itself), set by <see cref="MarkUsed"/>, which also
/// takes a shared flock on it for the life of the process: eviction takes the exclusive lock before deleting, so an
/// entry a living Bridge process uses is never evicted (the kernel drops the lock when its holder dies, even by
/// SIGKILL). The package index (<c>CACHE/apt</c>, a few MB) is not evicted.
/// </summary>
public sealed class CacheBudget(string cacheDirectory, long? limit = null)
{
    public const long DefaultLimit = 4L << 30;
    public const string LimitVariable = "BRIDGE_CACHE_LIMIT";
    private static readonly ConcurrentDictionary<string, FileStream> Held = new();
    private static readonly TimeSpan LockWait = TimeSpan.FromMinutes(5);

    public long Limit { get; } = limit ?? ParseLimit(Environment.GetEnvironmentVariable(LimitVariable));

    /// <summary>A size such as <c>4G</c>, <c>500M</c>, <c>1048576</c> (K, M, G, T are powers of 1024).</summary>
    /// <exception cref="VmSetupException">Not a size.</exception>
    public static long ParseLimit(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return DefaultLimit;
        var t = text.Trim().TrimEnd('B', 'b').TrimEnd('i');
        var shift = t.Length > 0 ? char.ToUpperInvariant(t[^1]) switch { 'K' => 10, 'M' => 20, 'G' => 30, 'T' => 40, _ => 0 } : 0;
        var digits = shift > 0 ? t[..^1] : t;
        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 && n < long.MaxValue >> shift
            ? n << shift
            : throw new VmSetupException($"{LimitVariable}='{text}' is not a size (expected a positive number of bytes with an optional K, M, G or T, e.g. 4G)");
    }

    /// <summary>Every evictable entry: kernel trees and boot images, with size and last use.</summary>
    public IReadOnlyList<CacheEntry> Entries()
    {
        var entries = new List<CacheEntry>();
        var kernels = Path.Combine(cacheDirectory, "kernels");
        if (Directory.Exists(kernels))
            foreach (var tree in Directory.GetDirectories(kernels).Where(d => !Path.GetFileName(d).StartsWith('.')))
            {
                var mark = Path.Combine(tree, CachedKernel.CompleteMark);
                if (File.Exists(mark))
                    entries.Add(new CacheEntry(tree, mark, SizeOf(tree), File.GetLastWriteTimeUtc(mark)));
            }
        var images = Path.Combine(cacheDirectory, "initramfs");
        if (Directory.Exists(images))
            foreach (var image in Directory.GetFiles(images, "*.cpio"))
                entries.Add(new CacheEntry(image, image, new FileInfo(image).Length, File.GetLastWriteTimeUtc(image)));
        return entries;
    }

    /// <summary>Evicts least recently used entries no process holds until the rest fit <see cref="Limit"/>;
    /// returns what it evicted.</summary>
    public async Task<IReadOnlyList<CacheEntry>> EvictAsync(CancellationToken ct)
    {
        using var held = await FileLock.AcquireAsync(Path.Combine(cacheDirectory, "evict.lock"), LockWait, ct);
        var entries = Entries().OrderBy(e => e.LastUsed).ToList();
        var total = entries.Sum(e => e.Bytes);
        var evicted = new List<CacheEntry>();
        foreach (var entry in entries)
        {
            if (total <= Limit)
                break;
            if (!Held.ContainsKey(entry.Mark) && FileLock.TryAcquire(entry.Mark) is { } exclusive)
            {
                using (exclusive)
                    await RemoveAsync(entry.Path, ct);
                total -= entry.Bytes;
                evicted.Add(entry);
            }
        }
        return evicted;
    }

    /// <summary>Sets the entry's last use to now and holds a shared lock on it until this process exits.</summary>
    public static void MarkUsed(string mark)
    {
        File.SetLastWriteTimeUtc(mark, DateTime.UtcNow);
        Held.GetOrAdd(mark, path => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
    }

    /// <summary>Deletes a kernel tree (its completion mark first, so a half-deleted tree is never taken as complete)
    /// or a boot image.</summary>
    public static Task RemoveAsync(string path, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        if (File.Exists(path))
        {
            File.Delete(path);
            return Task.CompletedTask;
        }
        var mark = Path.Combine(path, CachedKernel.CompleteMark);
        if (Held.TryRemove(mark, out var stream))
            stream.Dispose();
        File.Delete(mark);
        var doomed = Path.Combine(Path.GetDirectoryName(path)!, $".evicted-{Path.GetFileName(path)}-{Guid.NewGuid():N}");
        Directory.Move(path, doomed);
        Directory.Delete(doomed, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>The bytes of every file under <paramref name="directory"/>.</summary>
    public static long SizeOf(string directory) =>
        Directory.Exists(directory)
            ? new DirectoryInfo(directory).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }).Sum(f => f.Length)
            : 0;
}

/// <summary>One evictable thing in the cache: a kernel tree or a boot image; <see cref="Mark"/> carries its last
/// use and its lock.</summary>
public sealed record CacheEntry(string Path, string Mark, long Bytes, DateTime LastUsed);
