using System.Collections.Concurrent;
using Bridge.Linux.Host;
using Bridge.Targets.Vm.Recipe;

namespace Bridge.Targets.Vm.Kernels;

/// <summary>
/// Kernels to boot, by kernel line (resolved from the Debian archive's index, fetched once) or by user-built files.
/// A line's version is resolved by <see cref="KernelIndex"/> from the private apt index (<see cref="AptArchive"/>);
/// its packages (the image package, or the parts of a split one) are fetched with <c>apt-get download</c>,
/// unpacked with <c>dpkg -x</c> into one tree (a split kernel's <c>/usr/lib/modules</c> is folded into
/// <c>/lib/modules</c> and its <c>vmlinuz</c> put at <c>boot/vmlinuz-RELEASE</c>) and indexed with <c>depmod -b</c>
/// (Debian packages ship no modules.dep: their postinst makes it) into <c>CACHE/kernels/IMAGE-PACKAGE/</c>,
/// published by one rename only when complete, so an interrupted fetch leaves nothing half-made behind and
/// concurrent processes at worst do the work twice. Each use refreshes the entry's last-use time and holds a shared
/// lock on it for the life of this process, so <see cref="CacheBudget"/> evicts least recently used entries and never
/// one a living Bridge process uses.
/// CACHE is <c>$BRIDGE_CACHE</c>, else <c>$XDG_CACHE_HOME/bridge</c>, else <c>~/.cache/bridge</c>.
/// </summary>
public sealed class KernelCache
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> PackageLocks = new();
    private readonly Lazy<Task<IndexState>> _index;

    public KernelCache(string? directory = null, VmRecipe? recipe = null)
    {
        Directory = Path.GetFullPath(directory ?? DefaultDirectory);
        Recipe = recipe ?? VmRecipe.Configured;
        Archive = new AptArchive(Directory, Recipe.Archive);
        Budget = new CacheBudget(Directory);
        _index = new(() => Archive.LoadAsync(refresh: false, CancellationToken.None));
    }

    public string Directory { get; }

    public VmRecipe Recipe { get; }

    public AptArchive Archive { get; }

    public CacheBudget Budget { get; }

    public string KernelsDirectory => Path.Combine(Directory, "kernels");

    public static string DefaultDirectory =>
        Environment.GetEnvironmentVariable("BRIDGE_CACHE") is { Length: > 0 } cache ? cache
        : Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg ? Path.Combine(xdg, "bridge")
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "bridge");

    public async Task<KernelImage> GetAsync(KernelSource source, CancellationToken ct) => source switch
    {
        KernelSource.KernelLine line => await GetVersionAsync(await ResolveAsync(line.Name, line.Version, ct), ct),
        KernelSource.KernelFile file => FromFiles(file.BzImage, file.ModulesDirectory),
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, "unknown kernel source"),
    };

    /// <summary>The archive's index (refreshed when stale), read once per cache object.</summary>
    public Task<IndexState> IndexAsync() => _index.Value;

    /// <summary>Every version the archive offers of <paramref name="line"/>, newest first.</summary>
    public async Task<IReadOnlyList<KernelVersion>> VersionsAsync(KernelLine line, CancellationToken ct)
    {
        var index = await IndexAsync().WaitAsync(ct);
        return KernelIndex.Versions(line, Recipe.Archive, index.Packages);
    }

    /// <summary>The newest version of the line, or the one <paramref name="version"/> names. Without an index
    /// (offline, never fetched) a version already in the cache is used.</summary>
    /// <exception cref="VmSetupException">Unknown line, or no such version; the message lists what exists.</exception>
    public async Task<KernelVersion> ResolveAsync(string lineName, string? version, CancellationToken ct)
    {
        var line = Recipe.Line(lineName);
        var index = await IndexAsync().WaitAsync(ct);
        var offered = KernelIndex.Versions(line, Recipe.Archive, index.Packages);
        if (offered.Count == 0)
            offered = [.. Cached().Select(c => c.Version).OfType<KernelVersion>().Where(v => v.Line == line.Name).OrderByDescending(v => v.Version)];
        return KernelIndex.Resolve(line, offered, version, index.Warning);
    }

    /// <summary>The kernels in the cache, with their size and last use, most recently used first.</summary>
    public IReadOnlyList<CachedKernel> Cached()
    {
        if (!System.IO.Directory.Exists(KernelsDirectory))
            return [];
        var kernels = new List<CachedKernel>();
        foreach (var tree in System.IO.Directory.GetDirectories(KernelsDirectory))
        {
            var mark = Path.Combine(tree, CachedKernel.CompleteMark);
            if (Path.GetFileName(tree).StartsWith('.') || !File.Exists(mark))
                continue;
            kernels.Add(new CachedKernel(tree, CacheBudget.SizeOf(tree), File.GetLastWriteTimeUtc(mark), ReadMark(mark)));
        }
        return [.. kernels.OrderByDescending(k => k.LastUsed)];
    }

    /// <summary>The unpacked, depmod-indexed tree of a kernel version, fetching it on first use.</summary>
    public async Task<KernelImage> GetVersionAsync(KernelVersion version, CancellationToken ct)
    {
        var tree = Path.Combine(KernelsDirectory, version.ImagePackage);
        var gate = PackageLocks.GetOrAdd(tree, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        var fetched = false;
        try
        {
            var mark = Path.Combine(tree, CachedKernel.CompleteMark);
            var have = ReadMark(mark);
            if (!File.Exists(mark) || (have is not null && have.DebianVersion != version.DebianVersion))
            {
                await FetchAsync(version, tree, ct);
                fetched = true;
            }
            else if (have is null)
            {
                // A tree an older Bridge fetched by package name: the same ABI; its mark now names the version.
                await File.WriteAllTextAsync(mark, CachedKernel.RenderMark(version), ct);
            }
            CacheBudget.MarkUsed(mark);
        }
        finally
        {
            gate.Release();
        }
        if (fetched)
            await Budget.EvictAsync(ct);
        return ImageInTree(tree, version.Line + "@" + version.Abi, version.ImagePackage);
    }

    /// <summary>A kernel the user built: <paramref name="bzImage"/>, and optionally its module tree
    /// <c>PATH/lib/modules/RELEASE</c> (as <c>make modules_install</c> leaves it, with modules.dep).</summary>
    public static KernelImage FromFiles(string bzImage, string? modulesDirectory)
    {
        if (!File.Exists(bzImage))
            throw new VmSetupException($"kernel image '{bzImage}' does not exist (expected PATH/bzImage, e.g. arch/x86/boot/bzImage)");
        var headerRelease = BzImageHeader.ReadRelease(bzImage);
        if (modulesDirectory is null)
            return new KernelImage(Path.GetFileName(bzImage), Path.GetFullPath(bzImage), null, headerRelease);

        var modules = Path.GetFullPath(modulesDirectory.TrimEnd('/'));
        if (!System.IO.Directory.Exists(modules))
            throw new VmSetupException($"modules directory '{modulesDirectory}' does not exist (expected PATH/lib/modules/RELEASE)");
        if (!File.Exists(Path.Combine(modules, "modules.dep")))
            throw new VmSetupException($"modules directory '{modulesDirectory}' has no modules.dep (expected PATH/lib/modules/RELEASE as left by 'make modules_install'; or run 'depmod -b PATH RELEASE')");
        var release = Path.GetFileName(modules);
        if (headerRelease is not null && headerRelease != release)
            throw new VmSetupException($"kernel image '{bzImage}' is release {headerRelease} but the modules directory is for {release} (expected PATH/lib/modules/{headerRelease})");
        return new KernelImage(release, Path.GetFullPath(bzImage), modules, release);
    }

    private async Task FetchAsync(KernelVersion version, string tree, CancellationToken ct)
    {
        var work = Path.Combine(KernelsDirectory, $".{version.ImagePackage}.{Environment.ProcessId}.{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(work);
        try
        {
            await Archive.DownloadAsync([.. version.Packages.Select(p => (p, version.DebianVersion))], work, ct);
            var unpacked = Path.Combine(work, "tree");
            foreach (var deb in System.IO.Directory.GetFiles(work, "*.deb"))
            {
                await RunAsync($"unpacking {Path.GetFileName(deb)}", "dpkg", ["-x", deb, unpacked], ct);
                File.Delete(deb);
            }
            var release = KernelTree.Normalize(unpacked, version.ImagePackage);
            await RunAsync($"indexing the modules of {version.ImagePackage}", "depmod", ["-b", unpacked, release], ct);
            await File.WriteAllTextAsync(Path.Combine(unpacked, CachedKernel.CompleteMark), CachedKernel.RenderMark(version), ct);
            if (System.IO.Directory.Exists(tree))
                await CacheBudget.RemoveAsync(tree, ct); // an older build of the same ABI (a Debian rebuild)
            try
            {
                System.IO.Directory.Move(unpacked, tree);
            }
            catch (IOException) when (File.Exists(Path.Combine(tree, CachedKernel.CompleteMark)))
            {
                // Another process published the same package first; its tree is as good as ours.
            }
            catch (IOException e)
            {
                throw new VmSetupException($"cannot publish {version.ImagePackage} into the kernel cache: {e.Message} (is '{tree}' a leftover without {CachedKernel.CompleteMark}? delete it)", e);
            }
        }
        finally
        {
            System.IO.Directory.Delete(work, recursive: true);
        }
    }

    private static async Task RunAsync(string what, string tool, IReadOnlyList<string> args, CancellationToken ct)
    {
        try
        {
            await Tool.RunCheckedAsync(what, tool, args, ct);
        }
        catch (ToolException e)
        {
            throw new VmSetupException(e.Message, e);
        }
    }

    private static KernelVersion? ReadMark(string mark)
    {
        try
        {
            return File.Exists(mark) ? CachedKernel.ParseMark(File.ReadAllText(mark)) : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static KernelImage ImageInTree(string tree, string name, string package)
    {
        var release = KernelTree.ReleaseIn(tree, package);
        var image = Path.Combine(tree, "boot", $"vmlinuz-{release}");
        if (!File.Exists(image))
            throw new VmSetupException($"package {package} has modules for {release} but no boot/vmlinuz-{release}");
        return new KernelImage(name, image, Path.Combine(tree, "lib", "modules", release), release);
    }
}
