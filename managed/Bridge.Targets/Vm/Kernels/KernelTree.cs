namespace Bridge.Targets.Vm.Kernels;

/// <summary>
/// The layout of an unpacked kernel: <c>lib/modules/RELEASE/</c> with its modules and <c>boot/vmlinuz-RELEASE</c>.
/// Debian's split kernels (trixie's successors: sid 7.x, experimental) install under <c>/usr/lib/modules/RELEASE</c>
/// and put the image there as <c>vmlinuz</c> (<c>linux-binary-*</c>) or <c>vmlinuz.unsigned</c>
/// (<c>linux-binary-unsigned-*</c>) — DESIGN.md §7; <see cref="Normalize"/> folds them into the one layout.
/// </summary>
public static class KernelTree
{
    private static readonly string[] ImageNames = ["vmlinuz", "vmlinuz.unsigned"];

    /// <summary>Moves <c>usr/lib/modules</c> into <c>lib/modules</c> and the image to <c>boot/vmlinuz-RELEASE</c>;
    /// returns the release.</summary>
    /// <exception cref="VmSetupException">The packages hold no module tree, several, or no image.</exception>
    public static string Normalize(string root, string package)
    {
        var usrModules = Path.Combine(root, "usr", "lib", "modules");
        if (Directory.Exists(usrModules))
            MoveInto(usrModules, Path.Combine(root, "lib", "modules"));
        var release = ReleaseIn(root, package);
        var boot = Path.Combine(root, "boot");
        var image = Path.Combine(boot, $"vmlinuz-{release}");
        if (!File.Exists(image))
        {
            var found = ImageNames.Select(n => Path.Combine(root, "lib", "modules", release, n)).FirstOrDefault(File.Exists)
                ?? throw new VmSetupException($"the packages of {package} hold no kernel image (expected boot/vmlinuz-{release} or usr/lib/modules/{release}/vmlinuz[.unsigned])");
            Directory.CreateDirectory(boot);
            File.Move(found, image);
        }
        return release;
    }

    public static string ReleaseIn(string root, string package)
    {
        var modules = Path.Combine(root, "lib", "modules");
        var releases = Directory.Exists(modules) ? Directory.GetDirectories(modules) : [];
        return releases.Length == 1
            ? Path.GetFileName(releases[0])
            : throw new VmSetupException($"the packages of {package} hold {releases.Length} module trees (expected one lib/modules/RELEASE, as linux-image-* and linux-modules-* packages have)");
    }

    private static void MoveInto(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
            File.Move(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var dir in Directory.GetDirectories(from))
        {
            var target = Path.Combine(to, Path.GetFileName(dir));
            if (Directory.Exists(target))
                MoveInto(dir, target);
            else
                Directory.Move(dir, target);
        }
        Directory.Delete(from, recursive: true);
    }
}
