using Bridge.Targets.Vm;

namespace Bridge.Targets.Tests.Vm;

public sealed class RecipeTests
{
    [Fact]
    public void EmbeddedRecipeIsTheOneInContainersVm()
    {
        // The checkout always has the file (the build embeds it); a copy that drifted from it is the failure.
        var source = VmRecipe.Load(Path.Combine(RepositoryRoot.Path, "containers/vm/recipe.json"));

        Assert.Equivalent(source, VmRecipe.Default, strict: true);
        Assert.NotEmpty(VmRecipe.Default.KernelPackages);
        Assert.All(VmRecipe.Default.KernelPackages.Values, p => Assert.StartsWith("linux-image-", p, StringComparison.Ordinal));
    }

    [Fact]
    public void ModulesOfGroupsAreTheirMembersInGroupOrderEachOnce()
    {
        var recipe = VmRecipe.Parse("""
            {"kernelLines": {"k": {"package": "linux-image-k"}}, "moduleGroups": {"a": ["x", "y"], "b": ["y", "z"], "c": ["w"]},
             "alwaysLoaded": ["a"], "loadedWithDisks": ["b"],
             "qemu": {"binary": "q", "kvm": [], "tcg": [], "machine": [], "boot": [], "cmdline": "c", "console": [],
                      "hostRoot": [], "channelBus": [], "channel": [], "disk": []}}
            """, "t.json");

        Assert.Equal(["x", "y", "z"], recipe.ModulesOf(["a", "b"]));
        Assert.Equal(["w", "y", "z", "x"], recipe.ModulesOf(["c", "b", "a"]));
    }

    [Theory]
    [InlineData("{", "not valid JSON")]
    [InlineData("{}", "missing 'kernelLines'")]
    [InlineData("""{"kernelLines": {"x": {"package": 3}}}""", "'kernelLines.x.package' must be a non-empty string")]
    [InlineData("""{"kernelLines": {}, "moduleGroups": {"a": "ext4"}}""", "'moduleGroups.a' must be an array of strings")]
    [InlineData("""{"kernelLines": {}, "moduleGroups": {}, "alwaysLoaded": ["nope"], "loadedWithDisks": []}""", "group 'nope' is used but not defined in moduleGroups")]
    public void BadRecipeSaysWhatAndWhere(string json, string expected)
    {
        var error = Assert.Throws<VmSetupException>(() => VmRecipe.Parse(json, "test.json"));
        Assert.StartsWith("test.json: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
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
