namespace Bridge.Targets.Vm.Kernels;

/// <summary>Which kernel a VM boots: a kernel line of the recipe, newest or at a version (<c>debian-6.12</c>,
/// <c>debian-6.12@6.12.111</c>), or a kernel the user built (<c>--kernel PATH/bzImage [--modules
/// PATH/lib/modules/RELEASE]</c>).</summary>
public abstract record KernelSource
{
    /// <summary>Parses <c>LINE[@VERSION]</c>; whether the line exists is checked when it is resolved.</summary>
    public static KernelSource Line(string spec) =>
        spec.Split('@', 2) is [var name, var version] ? new KernelLine(name, version) : new KernelLine(spec, null);

    public static KernelSource Image(string bzImage, string? modulesDirectory = null) => new KernelFile(bzImage, modulesDirectory);

    public sealed record KernelLine(string Name, string? Version) : KernelSource
    {
        public override string ToString() => Version is null ? Name : $"{Name}@{Version}";
    }

    public sealed record KernelFile(string BzImage, string? ModulesDirectory) : KernelSource
    {
        public override string ToString() => ModulesDirectory is null ? BzImage : $"{BzImage} (modules {ModulesDirectory})";
    }
}

/// <summary>A kernel ready to boot: its image, its module tree (with modules.dep) if it has one, and its release
/// (uname -r), read from the module tree's name or the bzImage header.</summary>
public sealed record KernelImage(string Name, string BzImage, string? ModulesDirectory, string? Release);
