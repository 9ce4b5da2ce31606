using System.Diagnostics;
using Bridge.Linux.Host;
using Bridge.Targets.Vm;
using Bridge.Targets.Vm.Kernels;

namespace Bridge.Targets.Tests.Vm;

/// <summary>The cache's size limit on real files and real flocks: least recently used entries go first, an entry
/// another process holds (flock -s, as a running Bridge holds what it uses) stays.</summary>
public sealed class CacheBudgetTests : IDisposable
{
    private readonly string _cache = Directory.CreateTempSubdirectory("bridge-cache-budget-").FullName;

    public void Dispose() => Directory.Delete(_cache, recursive: true);

    private string Kernel(string name, int megabytes, int minutesAgo)
    {
        var tree = Path.Combine(_cache, "kernels", name);
        Directory.CreateDirectory(Path.Combine(tree, "lib"));
        File.WriteAllBytes(Path.Combine(tree, "lib", "blob"), new byte[megabytes << 20]);
        var mark = Path.Combine(tree, CachedKernel.CompleteMark);
        File.WriteAllText(mark, name + "\n");
        File.SetLastWriteTimeUtc(mark, DateTime.UtcNow.AddMinutes(-minutesAgo));
        return tree;
    }

    private string Image(string name, int megabytes, int minutesAgo)
    {
        Directory.CreateDirectory(Path.Combine(_cache, "initramfs"));
        var path = Path.Combine(_cache, "initramfs", name + ".cpio");
        File.WriteAllBytes(path, new byte[megabytes << 20]);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(-minutesAgo));
        return path;
    }

    [Fact]
    public async Task LeastRecentlyUsedEntriesGoUntilTheRestFit()
    {
        var oldest = Kernel("linux-image-a", 3, 50);
        var oldImage = Image("a-1", 1, 40);
        var newer = Kernel("linux-image-b", 3, 10);
        var newImage = Image("b-1", 1, 5);
        var budget = new CacheBudget(_cache, 5L << 20);

        var evicted = await budget.EvictAsync(TestContext.Current.CancellationToken);

        Assert.Equal([oldest, oldImage], evicted.Select(e => e.Path));
        Assert.False(Directory.Exists(oldest));
        Assert.False(File.Exists(oldImage));
        Assert.True(Directory.Exists(newer) && File.Exists(newImage));
        Assert.Equal([newImage, newer], budget.Entries().Select(e => e.Path).Order());
        Assert.Empty(Directory.GetDirectories(Path.Combine(_cache, "kernels"), ".*"));
        Assert.Empty(await budget.EvictAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task AnEntryAnotherProcessHoldsIsKeptAndTheNextOldestGoes()
    {
        var held = Kernel("linux-image-held", 3, 50);
        var next = Kernel("linux-image-next", 3, 20);
        var newest = Kernel("linux-image-new", 1, 1);
        using var holder = Process.Start(new ProcessStartInfo("flock", ["-s", Path.Combine(held, CachedKernel.CompleteMark), "sleep", "60"]))!;
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (FileLock.TryAcquire(Path.Combine(held, CachedKernel.CompleteMark)) is { } free && DateTime.UtcNow < deadline)
            {
                free.Dispose(); // flock(1) has not taken it yet
                await Task.Delay(20, TestContext.Current.CancellationToken);
            }

            var evicted = await new CacheBudget(_cache, (4L << 20) + 4096).EvictAsync(TestContext.Current.CancellationToken);

            Assert.Equal([next], evicted.Select(e => e.Path));
            Assert.DoesNotContain(held, evicted.Select(e => e.Path));
            Assert.True(Directory.Exists(held) && Directory.Exists(newest));
        }
        finally
        {
            holder.Kill();
            await holder.WaitForExitAsync(TestContext.Current.CancellationToken);
        }
    }

    [Theory]
    [InlineData("4G", 4L << 30)]
    [InlineData("500M", 500L << 20)]
    [InlineData("2GiB", 2L << 30)]
    [InlineData("1048576", 1L << 20)]
    [InlineData(null, CacheBudget.DefaultLimit)]
    public void LimitsAreSizes(string? text, long bytes) => Assert.Equal(bytes, CacheBudget.ParseLimit(text));

    [Theory]
    [InlineData("-1")]
    [InlineData("lots")]
    [InlineData("0")]
    public void ALimitThatIsNoSizeSaysTheExpectedForm(string text) =>
        Assert.Equal($"BRIDGE_CACHE_LIMIT='{text}' is not a size (expected a positive number of bytes with an optional K, M, G or T, e.g. 4G)",
            Assert.Throws<VmSetupException>(() => CacheBudget.ParseLimit(text)).Message);
}
