using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Bridge.Linux.Host;

namespace Bridge.Targets.Vm;

/// <summary>
/// Kernels to boot, by kernel line (Debian package, fetched once) or by user-built files.
/// A package is fetched with <c>apt-get download</c>, unpacked with <c>dpkg -x</c> and indexed with
/// <c>depmod -b</c> (Debian packages ship no modules.dep: their postinst makes it) into
/// <c>CACHE/kernels/PACKAGE/</c>, which is published by one rename only when complete, so an interrupted fetch
/// leaves nothing half-made behind and concurrent processes at worst do the work twice.
/// CACHE is <c>$BRIDGE_CACHE</c>, else <c>$XDG_CACHE_HOME/bridge</c>, else <c>~/.cache/bridge</c>.
/// </summary>
public sealed partial class KernelCache(string? directory = null, VmRecipe? recipe = null)
{
    private const string CompleteMark = ".complete";
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> PackageLocks = new();

    public string Directory { get; } = Path.GetFullPath(directory ?? DefaultDirectory);

    public VmRecipe Recipe { get; } = recipe ?? VmRecipe.Default;

    public static string DefaultDirectory =>
        Environment.GetEnvironmentVariable("BRIDGE_CACHE") is { Length: > 0 } cache ? cache
        : Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg ? Path.Combine(xdg, "bridge")
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "bridge");

    public Task<KernelImage> GetAsync(KernelSource source, CancellationToken ct) => source switch
    {
        KernelSource.KernelLine line => GetPackageAsync(Recipe.PackageOf(line.Name), line.Name, ct),
        KernelSource.KernelFile file => Task.FromResult(FromFiles(file.BzImage, file.ModulesDirectory)),
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, "unknown kernel source"),
    };

    /// <summary>The unpacked, depmod-indexed tree of a Debian kernel package, fetching it on first use.</summary>
    public async Task<KernelImage> GetPackageAsync(string package, string? name, CancellationToken ct)
    {
        if (!DebianPackageName().IsMatch(package))
            throw new VmSetupException($"'{package}' is not a Debian package name (expected lower-case letters, digits and + - . such as linux-image-6.12.117+deb12-amd64-unsigned)");
        var tree = Path.Combine(Directory, "kernels", package);
        var gate = PackageLocks.GetOrAdd(tree, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            if (!File.Exists(Path.Combine(tree, CompleteMark)))
                await FetchAsync(package, tree, ct);
        }
        finally
        {
            gate.Release();
        }
        return ImageInTree(tree, name ?? package, package);
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

    private async Task FetchAsync(string package, string tree, CancellationToken ct)
    {
        var work = Path.Combine(Directory, "kernels", $".{package}.{Environment.ProcessId}.{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(work);
        try
        {
            var download = await Tool.RunAsync("apt-get", ["download", package], ct, workingDirectory: work);
            if (!download.Succeeded)
                throw new VmSetupException(
                    $"apt-get download {package} failed (exit {download.ExitCode}): {download.Stderr.Trim().ReplaceLineEndings("; ")} " +
                    "(expected a Debian kernel package apt can see, e.g. linux-image-6.1.0-56-amd64; run 'apt-get update' if the lists are old)");
            var deb = System.IO.Directory.GetFiles(work, "*.deb").SingleOrDefault()
                ?? throw new VmSetupException($"apt-get download {package} left no .deb in {work}");
            var unpacked = Path.Combine(work, "tree");
            await RunAsync($"unpacking {package}", "dpkg", ["-x", deb, unpacked], ct);
            File.Delete(deb);
            var release = ReleaseInTree(unpacked, package);
            await RunAsync($"indexing the modules of {package}", "depmod", ["-b", unpacked, release], ct);
            await File.WriteAllTextAsync(Path.Combine(unpacked, CompleteMark), package + "\n", ct);
            try
            {
                System.IO.Directory.Move(unpacked, tree);
            }
            catch (IOException) when (File.Exists(Path.Combine(tree, CompleteMark)))
            {
                // Another process published the same package first; its tree is as good as ours.
            }
            catch (IOException e)
            {
                throw new VmSetupException($"cannot publish {package} into the kernel cache: {e.Message} (is '{tree}' a leftover without {CompleteMark}? delete it)", e);
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

    private static KernelImage ImageInTree(string tree, string name, string package)
    {
        var release = ReleaseInTree(tree, package);
        var image = Path.Combine(tree, "boot", $"vmlinuz-{release}");
        if (!File.Exists(image))
            throw new VmSetupException($"package {package} has modules for {release} but no boot/vmlinuz-{release}");
        return new KernelImage(name, image, Path.Combine(tree, "lib", "modules", release), release);
    }

    private static string ReleaseInTree(string tree, string package)
    {
        var modules = Path.Combine(tree, "lib", "modules");
        var releases = System.IO.Directory.Exists(modules) ? System.IO.Directory.GetDirectories(modules) : [];
        return releases.Length == 1
            ? Path.GetFileName(releases[0])
            : throw new VmSetupException($"package {package} holds {releases.Length} module trees (expected one lib/modules/RELEASE, as linux-image-* packages have)");
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9+.-]+$")]
    private static partial Regex DebianPackageName();
}
