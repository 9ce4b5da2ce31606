using Bridge.Targets.Vm;

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
        Assert.Equal($"kernel image '{debian.BzImage}' is release 6.12.117+deb12-amd64 but the modules directory is for 6.1.0-56-amd64 (expected PATH/lib/modules/6.12.117+deb12-amd64)", mismatch.Message);
    }

    [Fact]
    public void MissingFilesAreErrorsNamingTheExpectedForm()
    {
        var missing = Assert.Throws<VmSetupException>(() => KernelCache.FromFiles("/no/such/bzImage", null));
        Assert.Equal("kernel image '/no/such/bzImage' does not exist (expected PATH/bzImage, e.g. arch/x86/boot/bzImage)", missing.Message);
    }

    [Fact]
    public async Task UnknownPackageReportsAptsErrorAndTheExpectedForm()
    {
        var cache = new KernelCache(Directory.CreateTempSubdirectory("bridge-vm-test-cache-").FullName);
        try
        {
            var error = await Assert.ThrowsAsync<VmSetupException>(() => cache.GetPackageAsync("linux-image-0.0.0-bogus-amd64", null, CancellationToken.None));
            Assert.StartsWith("apt-get download linux-image-0.0.0-bogus-amd64 failed (exit 100): E: Unable to locate package linux-image-0.0.0-bogus-amd64", error.Message, StringComparison.Ordinal);
            Assert.Contains("expected a Debian kernel package apt can see", error.Message, StringComparison.Ordinal);
            var invalid = await Assert.ThrowsAsync<VmSetupException>(() => cache.GetPackageAsync("Linux Image", null, CancellationToken.None));
            Assert.StartsWith("'Linux Image' is not a Debian package name", invalid.Message, StringComparison.Ordinal);
            Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(cache.Directory, "kernels")));
        }
        finally
        {
            Directory.Delete(cache.Directory, recursive: true);
        }
    }
}
