namespace Bridge.Targets.Vm;

/// <summary>Which kernel a VM boots: a kernel line from the recipe (<c>debian-6.12</c>), or a kernel the user
/// built (<c>--kernel PATH/bzImage [--modules PATH/lib/modules/RELEASE]</c>).</summary>
public abstract record KernelSource
{
    public static KernelSource Line(string name) => new KernelLine(name);

    public static KernelSource Image(string bzImage, string? modulesDirectory = null) => new KernelFile(bzImage, modulesDirectory);

    public sealed record KernelLine(string Name) : KernelSource
    {
        public override string ToString() => Name;
    }

    public sealed record KernelFile(string BzImage, string? ModulesDirectory) : KernelSource
    {
        public override string ToString() => ModulesDirectory is null ? BzImage : $"{BzImage} (modules {ModulesDirectory})";
    }
}

/// <summary>A kernel ready to boot: its image, its module tree (with modules.dep) if it has one, and its release
/// (uname -r), read from the module tree's name or the bzImage header.</summary>
public sealed record KernelImage(string Name, string BzImage, string? ModulesDirectory, string? Release);
