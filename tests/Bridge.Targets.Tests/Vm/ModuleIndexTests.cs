using Bridge.Targets.Vm;
using Bridge.Targets.Vm.Kernels;
using Bridge.Targets.Vm.Recipe;

namespace Bridge.Targets.Tests.Vm;

/// <summary>The resolver against the real module trees of the Debian kernel lines (depmod-indexed by the cache), and
/// against a small tree written here for the cases those do not show on demand (cycles, post soft-dependencies).</summary>
[Collection(VmCollection.Name)]
public sealed class ModuleIndexTests(VmFixture vm)
{
    private async Task<ModuleIndex> IndexOf(string line)
    {
        var kernel = await vm.Runner.Cache.GetAsync(KernelSource.Line(line), CancellationToken.None);
        return ModuleIndex.Load(kernel.ModulesDirectory!);
    }

    /// <summary>Every module comes after every module it needs (modules.dep lists the full closure).</summary>
    private static void AssertLoadOrder(ModuleIndex index, IReadOnlyList<string> files)
    {
        var names = files.Select(ModuleIndex.NameOf).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        var dep = File.ReadLines(Path.Combine(index.Directory, "modules.dep"))
            .Select(l => l.Split(':'))
            .ToDictionary(p => ModuleIndex.NameOf(p[0]), p => p[1].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(ModuleIndex.NameOf).ToList());
        for (var i = 0; i < names.Count; i++)
            foreach (var needed in dep[names[i]])
                Assert.True(names.IndexOf(needed) is var at && at >= 0 && at < i, $"{names[i]} needs {needed}, which is not loaded before it: {string.Join(' ', names)}");
    }

    [Fact]
    public async Task HostRootOn61LoadsVirtioAnd9pAsModules()
    {
        VmHost.RequireBoot();
        var index = await IndexOf("debian-6.1");
        var files = index.Resolve(VmRecipe.Default.ModulesOf(["hostRoot"]));

        // docs/ARCHITECTURE.md §12, measured on 6.1: virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci
        // 9pnet 9pnet_virtio netfs fscache 9p.
        Assert.Equal(
            ["9p", "9pnet", "9pnet_virtio", "fscache", "netfs", "virtio", "virtio_pci", "virtio_pci_legacy_dev", "virtio_pci_modern_dev", "virtio_ring"],
            files.Select(ModuleIndex.NameOf).Order(StringComparer.Ordinal));
        AssertLoadOrder(index, files);
        Assert.All(files, f => Assert.True(File.Exists(Path.Combine(index.Directory, f)), f));
    }

    [Fact]
    public async Task HostRootOn612SkipsBuiltInVirtio()
    {
        VmHost.RequireBoot();
        var index = await IndexOf("debian-6.12");
        var files = index.Resolve(VmRecipe.Default.ModulesOf(["hostRoot", "channel"]));

        Assert.True(index.IsBuiltin("virtio_pci"));
        Assert.True(index.IsBuiltin("virtio_console"));
        Assert.Equal(["netfs", "9pnet", "9pnet_virtio", "9p"], files.Select(ModuleIndex.NameOf));
        Assert.All(files, f => Assert.EndsWith(".ko.xz", f, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("debian-6.1")]
    [InlineData("debian-6.12")]
    public async Task FilesystemsBringTheirChecksumsThroughSoftDependencies(string line)
    {
        VmHost.RequireBoot();
        var index = await IndexOf(line);
        var files = index.Resolve(VmRecipe.Default.ModulesOf(["filesystems"]));
        var names = files.Select(ModuleIndex.NameOf).ToList();

        // ext4/jbd2 "softdep pre: crypto-crc32c" resolves through modules.alias to both crc32c modules;
        // btrfs's blake2b-256 and xxhash64 likewise; its sha256 is built in (modules.builtin.modinfo alias).
        foreach (var expected in new[] { "crc16", "mbcache", "jbd2", "ext4", "libcrc32c", "xfs", "xor", "raid6_pq", "btrfs", "crc32c_generic", "crc32c_intel", "blake2b_generic", "xxhash_generic" })
            Assert.Contains(expected, names);
        Assert.DoesNotContain("sha256_ssse3", names);
        Assert.True(names.IndexOf("crc32c_intel") < names.IndexOf("jbd2"), "a soft pre-dependency loads before its module");
        AssertLoadOrder(index, files);
    }

    [Fact]
    public async Task RdmaGroupMatchesTheMeasuredRxeLoadOrder()
    {
        VmHost.RequireBoot();
        var index = await IndexOf("debian-6.12");
        var names = index.Resolve(VmRecipe.Default.ModulesOf(["rdma"])).Select(ModuleIndex.NameOf).ToList();

        foreach (var expected in new[] { "crc32_generic", "crc32_pclmul", "crc32c_generic", "crc32c_intel", "dummy", "ib_core", "ib_uverbs", "udp_tunnel", "ip6_udp_tunnel", "rdma_rxe" })
            Assert.Contains(expected, names);
        Assert.Equal("rdma_rxe", names[^1]);
    }

    [Fact]
    public async Task UnknownModuleIsAnErrorNamingTheKernel()
    {
        VmHost.RequireBoot();
        var index = await IndexOf("debian-6.12");
        var error = Assert.Throws<VmSetupException>(() => index.Resolve(["ext4", "no_such_module"]));
        // The line's newest kernel, as the archive serves it today (the index moves: 6.12.117, then 6.12.118).
        var release = await vm.PackageReleaseAsync("debian-6.12");
        Assert.Equal($"module 'no_such_module' is not in {release}: neither a module in modules.dep, nor built in (modules.builtin), nor an alias (modules.alias) (expected a module name such as ext4 or crc32c-intel)", error.Message);
    }

    [Fact]
    public void SmallTreeCoversAliasesBuiltinsPostDependenciesAndCycles()
    {
        var tree = Directory.CreateTempSubdirectory("bridge-vm-test-modules-");
        try
        {
            File.WriteAllLines(Path.Combine(tree.FullName, "modules.dep"),
            [
                "kernel/fs/top.ko.zst: kernel/lib/mid-dash.ko.zst kernel/lib/base.ko.zst",
                "kernel/lib/mid-dash.ko.zst: kernel/lib/base.ko.zst",
                "kernel/lib/base.ko.zst:",
                "kernel/crypto/hash_a.ko.zst:",
                "kernel/crypto/hash_b.ko.zst:",
                "kernel/lib/after.ko.zst:",
                "kernel/lib/loop_a.ko.zst:",
                "kernel/lib/loop_b.ko.zst:",
            ]);
            File.WriteAllLines(Path.Combine(tree.FullName, "modules.builtin"), ["kernel/drivers/inside.ko"]);
            File.WriteAllText(Path.Combine(tree.FullName, "modules.builtin.modinfo"), "inside.alias=builtin-hash\0inside.license=GPL\0");
            File.WriteAllLines(Path.Combine(tree.FullName, "modules.alias"),
                ["alias crypto-hash hash_a", "alias crypto-hash hash_b", "alias pci:v0000*d* top", "alias builtin-hash hash_b"]);
            File.WriteAllLines(Path.Combine(tree.FullName, "modules.softdep"),
                ["softdep top pre: crypto-hash builtin-hash missing-alias post: after", "softdep loop_a pre: loop_b", "softdep loop_b pre: loop_a"]);
            var index = ModuleIndex.Load(tree.FullName);

            Assert.Equal(
                ["kernel/crypto/hash_a.ko.zst", "kernel/crypto/hash_b.ko.zst", "kernel/lib/base.ko.zst", "kernel/lib/mid-dash.ko.zst", "kernel/fs/top.ko.zst", "kernel/lib/after.ko.zst"],
                index.Resolve(["top", "inside", "mid_dash"]));
            Assert.Equal(["hash_a", "hash_b"], index.Resolve(["crypto-hash"]).Select(ModuleIndex.NameOf));
            Assert.Empty(index.Resolve(["builtin-hash"]));
            Assert.Equal(["loop_b", "loop_a"], index.Resolve(["loop_a"]).Select(ModuleIndex.NameOf));
            Assert.Equal("crc32c_intel", ModuleIndex.NameOf("kernel/arch/x86/crypto/crc32c-intel.ko.xz"));
            Assert.Equal("9p", ModuleIndex.NameOf("9p"));
        }
        finally
        {
            tree.Delete(recursive: true);
        }
    }

    [Fact]
    public void TreeWithoutModulesDepIsAnError()
    {
        var tree = Directory.CreateTempSubdirectory("bridge-vm-test-modules-");
        try
        {
            var error = Assert.Throws<VmSetupException>(() => ModuleIndex.Load(tree.FullName));
            Assert.Contains("has no modules.dep", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            tree.Delete(recursive: true);
        }
    }
}
