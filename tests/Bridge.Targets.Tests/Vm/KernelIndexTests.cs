using System.Diagnostics;
using Bridge.Targets.Vm.Kernels;
using Bridge.Targets.Vm.Recipe;

namespace Bridge.Targets.Tests.Vm;

/// <summary>Resolving kernel lines from a Packages index: dpkg's version order (checked against dpkg itself), split
/// kernels followed through their exact Depends, flavours kept apart, the newest first.</summary>
public sealed class KernelIndexTests
{
    // Stanzas as the archive's indexes have them (experimental's split 7.3, bookworm's 6.1 ABIs), trimmed to the
    // fields a kernel needs.
    private const string Experimental = """
        Package: linux-image-7.3-amd64
        Version: 7.3~rc7-1~exp1
        Installed-Size: 15
        Depends: dracut | initramfs-tools (>= 0.120+deb8u2) | linux-initramfs-tool, linux-base-7.3-amd64 (= 7.3~rc7-1~exp1), linux-binary-7.3-amd64 (= 7.3~rc7-1~exp1), linux-modules-7.3-amd64 (= 7.3~rc7-1~exp1)
        Size: 1888

        Package: linux-binary-7.3-amd64
        Version: 7.3~rc7-1~exp1
        Depends: linux-base-7.3-amd64 (= 7.3~rc7-1~exp1)
        Size: 14425180

        Package: linux-base-7.3-amd64
        Version: 7.3~rc7-1~exp1
        Size: 1000

        Package: linux-modules-7.3-amd64
        Version: 7.3~rc7-1~exp1
        Description: modules
         continued over a line
        Size: 100000000

        Package: linux-image-7.3-cloud-amd64
        Version: 7.3~rc7-1~exp1
        Size: 1800

        Package: linux-image-amd64
        Version: 7.3~rc7-1~exp1
        Size: 1

        Package: hello
        Version: 2.10-3
        """;

    private const string Bookworm = """
        Package: linux-image-6.1.0-56-amd64
        Version: 6.1.192-2
        Size: 70000000

        Package: linux-image-6.1.0-57-amd64-unsigned
        Version: 6.1.192-3
        Size: 70584724

        Package: linux-image-6.1.0-57-amd64
        Version: 6.1.192-3
        Size: 70600000

        Package: linux-image-6.1.0-9-amd64
        Version: 6.1.27-1
        Size: 69000000
        """;

    private static IReadOnlyList<ArchivePackage> Read(string text, string suite) =>
        [.. PackagesFile.Read(new StringReader(text), suite, AptArchive.IsKernelPackage, suite)];

    [Fact]
    public void ASplitKernelIsFetchedAsThePartsItsImagePackagePinsToItsVersion()
    {
        var recipe = VmRecipe.Default;
        var versions = KernelIndex.Versions(recipe.Line("debian-experimental"), recipe.Archive, Read(Experimental, "experimental"));

        var only = Assert.Single(versions);
        Assert.Equal("7.3", only.Abi);
        Assert.Equal("7.3-amd64", only.Release);
        Assert.Equal("linux-image-7.3-amd64", only.ImagePackage);
        Assert.Equal(["linux-base-7.3-amd64", "linux-binary-7.3-amd64", "linux-modules-7.3-amd64"], only.Packages.Order(StringComparer.Ordinal));
        Assert.Equal(14425180 + 1000 + 100000000, only.DownloadBytes);
    }

    [Fact]
    public void ABookwormLineListsItsAbisNewestFirstAndPrefersTheUnsignedImage()
    {
        var recipe = VmRecipe.Default;
        var line = recipe.Line("debian-6.1");
        var versions = KernelIndex.Versions(line, recipe.Archive, Read(Bookworm, "bookworm"));

        Assert.Equal(["6.1.0-57", "6.1.0-56", "6.1.0-9"], versions.Select(v => v.Abi));
        Assert.Equal("linux-image-6.1.0-57-amd64-unsigned", versions[0].ImagePackage);
        Assert.Equal("6.1.0-56", KernelIndex.Resolve(line, versions, "6.1.0-56-amd64", null).Abi);
        Assert.Equal("6.1.0-9", KernelIndex.Resolve(line, versions, "6.1.27-1", null).Abi);
        Assert.Empty(KernelIndex.Versions(recipe.Line("debian-6.1"), recipe.Archive, Read(Bookworm, "sid")));
    }

    [Theory]
    [InlineData("7.3~rc7-1~exp1", "7.3-1")]
    [InlineData("6.1.0-10", "6.1.0-9")]
    [InlineData("6.12.117-1~deb12u1", "6.12.117-1")]
    [InlineData("1:1.0", "2.0")]
    [InlineData("1.0a", "1.0+")]
    [InlineData("1.0~~", "1.0~")]
    [InlineData("6.12.118-1", "6.12.118-1")]
    public void DebianVersionsOrderAsDpkgOrdersThem(string a, string b)
    {
        int Dpkg(string op)
        {
            using var dpkg = Process.Start("dpkg", ["--compare-versions", a, op, b])!;
            dpkg.WaitForExit();
            return dpkg.ExitCode;
        }
        var expected = Dpkg("lt") == 0 ? -1 : Dpkg("eq") == 0 ? 0 : 1;
        Assert.Equal(expected, Math.Sign(DebianVersion.Parse(a).CompareTo(DebianVersion.Parse(b))));
        Assert.Equal(-expected, Math.Sign(DebianVersion.Parse(b).CompareTo(DebianVersion.Parse(a))));
    }

    [Fact]
    public void AStanzaWithoutAVersionIsAnErrorNamingItsLine()
    {
        var error = Assert.Throws<FormatException>(() => Read("Package: linux-image-1-amd64\nSize: 3\n", "sid"));
        Assert.Equal("sid:1: package linux-image-1-amd64 has no Version field", error.Message);
    }
}
