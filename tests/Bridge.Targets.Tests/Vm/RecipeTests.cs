using Bridge.Targets.Vm;
using Bridge.Targets.Vm.Kernels;
using Bridge.Targets.Vm.Recipe;

namespace Bridge.Targets.Tests.Vm;

public sealed class RecipeTests
{
    private const string Minimal = """
        {"archive": {"keyring": "/k.gpg", "component": "main", "architecture": "amd64",
                     "suites": {"sid": "http://m/debian"}, "imagePackages": ["linux-image-{version}-{flavour}"]},
         "kernelLines": {"k": {"suites": ["sid"], "version": "7\\.[0-9]+"}},
         "moduleGroups": {"a": ["x", "y"], "b": ["y", "z"], "c": ["w"]},
         "alwaysLoaded": ["a"], "loadedWithDisks": ["b"],
         "qemu": {"binary": "q", "kvm": [], "tcg": [], "machine": [], "boot": [], "cmdline": "c", "console": [],
                  "hostRoot": [], "sharedDirectory": [], "channelBus": [], "channel": [], "disk": []}}
        """;

    [Fact]
    public void EmbeddedRecipeIsTheOneInContainersVm()
    {
        // The checkout always has the file (the build embeds it); a copy that drifted from it is the failure.
        var path = Path.Combine(RepositoryRoot.Path, "containers/vm/recipe.json");
        var source = VmRecipe.Merge([RecipeLayer.Parse(File.ReadAllText(path), "recipe.json (built in)")]);

        Assert.Equivalent(source, VmRecipe.Default, strict: true);
        Assert.All(VmRecipe.Default.KernelLines.Values, line => Assert.All(line.Suites, s => Assert.Contains(s, VmRecipe.Default.Archive.Suites.Keys)));
    }

    [Fact]
    public void ModulesOfGroupsAreTheirMembersInGroupOrderEachOnce()
    {
        var recipe = VmRecipe.Parse(Minimal, "t.json");

        Assert.Equal(["x", "y", "z"], recipe.ModulesOf(["a", "b"]));
        Assert.Equal(["w", "y", "z", "x"], recipe.ModulesOf(["c", "b", "a"]));
    }

    [Fact]
    public void AUserLayerAddsReplacesAndRemovesLinesAndGroups()
    {
        var user = RecipeLayer.Parse("""
            {"archive": {"suites": {"trixie": "http://other/debian"}},
             "kernelLines": {"k": null, "mine": {"suites": ["trixie"], "version": "6\\.12\\.[0-9]+\\+deb13", "flavour": "cloud-amd64"}},
             "moduleGroups": {"c": ["v"]}}
            """, "user.json");
        var recipe = VmRecipe.Merge([RecipeLayer.Parse(Minimal, "t.json"), user]);

        Assert.Equal(["mine"], recipe.KernelLines.Keys);
        Assert.Equal("http://other/debian", recipe.Archive.Suites["trixie"]);
        Assert.Equal("http://m/debian", recipe.Archive.Suites["sid"]);
        Assert.Equal(["v"], recipe.ModulesOf(["c"]));
        Assert.Equal(["t.json", "user.json"], recipe.Sources);
        var line = recipe.Line("mine");
        Assert.Equal(("6.12.117+deb13", 0), line.MatchImage("linux-image-6.12.117+deb13-cloud-amd64", recipe.Archive.ImagePackages));
        Assert.Null(line.MatchImage("linux-image-6.12.117+deb13-amd64", recipe.Archive.ImagePackages));
    }

    [Theory]
    [InlineData("{", "t.json:1:2: not valid JSON")]
    [InlineData("{}", "t.json: missing 'archive.keyring'")]
    [InlineData("""{"kernelLines": {"x": {"suites": 3}}}""", "t.json:1:34: 'kernelLines.x.suites' must be an array of strings")]
    [InlineData("""{"kernelLines": {"x": {"suites": ["sid"], "version": "("}}}""", "t.json:1:54: 'kernelLines.x.version' '(' is not a regular expression")]
    [InlineData("{\n \"moduleGroups\": {\"a\": \"ext4\"}}", "t.json:2:24: 'moduleGroups.a' must be an array of strings")]
    [InlineData("""{"kernelLines": {"x": {"suites": ["sid"], "package": "p"}}}""", "t.json:1:43: 'kernelLines.x.package' is not a key of kernelLines.x")]
    public void BadRecipeSaysWhatAndWhere(string json, string expected)
    {
        var error = Assert.Throws<RecipeException>(() => VmRecipe.Parse(json, "t.json"));
        Assert.Contains(error.Errors, e => e.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void AGroupOrSuiteNamedButNotDefinedIsAnErrorAtItsUse()
    {
        var user = RecipeLayer.Parse("""{"alwaysLoaded": ["nope"], "kernelLines": {"n": {"suites": ["bullseye"], "version": "5"}}}""", "u.json");
        var error = Assert.Throws<RecipeException>(() => VmRecipe.Merge([RecipeLayer.Parse(Minimal, "t.json"), user]));

        Assert.Contains("u.json:1:18: 'alwaysLoaded' names group 'nope', which moduleGroups does not define", error.Errors);
        Assert.Contains(error.Errors, e => e.StartsWith("u.json:1:49: kernel line 'n' follows suite 'bullseye', which archive.suites does not name", StringComparison.Ordinal));
    }

    [Fact]
    public void UnknownGroupListsTheKnownOnes()
    {
        var error = Assert.Throws<VmSetupException>(() => VmRecipe.Default.ModulesOf(["hostRoot", "gpu"]));
        Assert.Equal("unknown module group 'gpu'; expected one of: hostRoot, channel, disks, filesystems, ext4, xfs, btrfs, rdma", error.Message);
    }

    [Fact]
    public void QemuArgumentsComeFromTheRecipeWithCommasEscaped()
    {
        var spec = new VmSpec { Kernel = KernelSource.Line("debian-6.12"), Command = ["true"], MemoryMiB = 1024, Cpus = 1, KernelArguments = ["oops=panic"] };
        var args = QemuCommandLine.Build(VmRecipe.Default.Qemu, spec, new QemuCommandLine.Inputs(
            Accelerator.Tcg, "/k/vmlinuz", "/r/initrd", "/r/a,b/console.log", name => $"/r/{name}.sock", ["/r/disk0.img"]));

        Assert.Equal(["-accel", "tcg", "-cpu", "max", "-m", "1024M", "-smp", "1"], args.Take(8));
        Assert.Equal("console=ttyS0 panic=-1 quiet oops=panic", args[args.ToList().IndexOf("-append") + 1]);
        Assert.Contains("file,id=console,path=/r/a,,b/console.log", args);
        Assert.Contains("socket,id=ctl,path=/r/ctl.sock", args);
        Assert.Contains("virtserialport,bus=bridgeserial.0,chardev=err,name=bridge.err", args);
        Assert.Contains("file=/r/disk0.img,if=virtio,format=raw,cache=unsafe", args);
    }

    [Fact]
    public void UnknownPlaceholderIsAnError()
    {
        var qemu = VmRecipe.Default.Qemu with { Machine = ["-m", "{memory}"] };
        var spec = new VmSpec { Kernel = KernelSource.Line("debian-6.12"), Command = ["true"] };
        var error = Assert.Throws<VmSetupException>(() => QemuCommandLine.Build(qemu, spec, new QemuCommandLine.Inputs(
            Accelerator.Tcg, "k", "i", "c", n => n, [])));
        Assert.StartsWith("qemu argument '{memory}' in the recipe uses {memory}; expected one of {memoryMiB}", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("relative/dir", "working directory 'relative/dir' is not absolute")]
    [InlineData("/", "environment variable name '1BAD' is not valid")]
    public void RunScriptRejectsBadInput(string cwd, string expected)
    {
        var spec = new VmSpec
        {
            Kernel = KernelSource.Line("debian-6.12"),
            Command = ["true"],
            WorkingDirectory = cwd,
            Environment = new Dictionary<string, string> { ["1BAD"] = "x" },
        };
        Assert.StartsWith(expected, Assert.Throws<VmSetupException>(() => RunScript.Render(spec, "n")).Message, StringComparison.Ordinal);
    }
}
