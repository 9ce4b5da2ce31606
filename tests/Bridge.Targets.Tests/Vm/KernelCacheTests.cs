using Bridge.Targets.Vm;
using Bridge.Targets.Vm.Kernels;
using Bridge.Targets.Vm.Recipe;

namespace Bridge.Targets.Tests.Vm;

[Collection(VmCollection.Name)]
public sealed class KernelCacheTests(VmFixture vm)
{
    [Fact]
    public async Task DebianPackageReleaseMatchesItsBzImageHeader()
    {
        VmHost.RequireBoot();
        var kernel = await vm.Runner.Cache.GetAsync(KernelSource.Line("debian-6.12"), CancellationToken.None);

        Assert.Equal(Path.GetFileName(kernel.ModulesDirectory), kernel.Release);
        Assert.Equal(kernel.Release, BzImageHeader.ReadRelease(kernel.BzImage));
        Assert.True(File.Exists(Path.Combine(kernel.ModulesDirectory!, "modules.dep")), "depmod indexed the unpacked package");
    }

    [Fact]
    public async Task UserKernelTakesItsReleaseFromTheModulesDirectoryAndChecksIt()
    {
        VmHost.RequireBoot();
        var debian = await vm.Runner.Cache.GetAsync(KernelSource.Line("debian-6.12"), CancellationToken.None);

        var user = KernelCache.FromFiles(debian.BzImage, debian.ModulesDirectory);
        Assert.Equal(debian.Release, user.Release);
        Assert.Equal(debian.ModulesDirectory, user.ModulesDirectory);

        var other = await vm.Runner.Cache.GetAsync(KernelSource.Line("debian-6.1"), CancellationToken.None);
        var mismatch = Assert.Throws<VmSetupException>(() => KernelCache.FromFiles(debian.BzImage, other.ModulesDirectory));
        Assert.Equal($"kernel image '{debian.BzImage}' is release {debian.Release} but the modules directory is for {other.Release} (expected PATH/lib/modules/{debian.Release})", mismatch.Message);
    }

    [Fact]
    public void MissingFilesAreErrorsNamingTheExpectedForm()
    {
        var missing = Assert.Throws<VmSetupException>(() => KernelCache.FromFiles("/no/such/bzImage", null));
        Assert.Equal("kernel image '/no/such/bzImage' does not exist (expected PATH/bzImage, e.g. arch/x86/boot/bzImage)", missing.Message);
    }

    [Fact]
    public async Task AnUnknownVersionListsWhatTheLineOffers()
    {
        VmHost.RequireBoot();
        var versions = await vm.Runner.Cache.VersionsAsync(vm.Runner.Cache.Recipe.Line("debian-6.12"), CancellationToken.None);
        Assert.NotEmpty(versions);

        var error = await Assert.ThrowsAsync<VmSetupException>(() => vm.Runner.Cache.ResolveAsync("debian-6.12", "6.12.0", CancellationToken.None));
        Assert.Equal($"kernel line 'debian-6.12' has no version '6.12.0': it offers {string.Join(", ", versions.Select(v => v.Abi))} (expected vm:debian-6.12@ABI, e.g. vm:debian-6.12@{versions[0].Abi})", error.Message);
        var unknown = await Assert.ThrowsAsync<VmSetupException>(() => vm.Runner.Cache.ResolveAsync("debian-5.10", null, CancellationToken.None));
        Assert.StartsWith("unknown kernel line 'debian-5.10'; expected one of: debian-6.1, debian-6.12", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheNewestVersionIsTheDefaultAndAnOlderOneIsNamedByItsAbi()
    {
        VmHost.RequireBoot();
        var cache = vm.Runner.Cache;
        var versions = await cache.VersionsAsync(cache.Recipe.Line("debian-6.1"), CancellationToken.None);

        Assert.Equal(versions[0].Abi, (await cache.ResolveAsync("debian-6.1", null, CancellationToken.None)).Abi);
        Assert.All(versions.Zip(versions.Skip(1)), pair => Assert.True(pair.First.Version >= pair.Second.Version));
        Assert.Equal(versions[^1].DebianVersion, (await cache.ResolveAsync("debian-6.1", versions[^1].Abi, CancellationToken.None)).DebianVersion);
    }
}
