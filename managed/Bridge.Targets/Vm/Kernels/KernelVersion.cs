using Bridge.Targets.Vm.Recipe;

namespace Bridge.Targets.Vm.Kernels;

/// <summary>
/// One kernel of a line as the archive offers it: its ABI name (6.1.0-57, 6.12.117+deb12, 7.2.13+deb14, 7.3), the
/// Debian version of its packages (ordered by dpkg's rules), the suite, the image package, and the packages to fetch
/// — the image package itself, or for a split kernel the parts its Depends pins to the same version.
/// </summary>
public sealed record KernelVersion(
    string Line,
    string Abi,
    string Release,
    string DebianVersion,
    string Suite,
    string ImagePackage,
    IReadOnlyList<string> Packages,
    long DownloadBytes)
{
    public DebianVersion Version => Kernels.DebianVersion.Parse(DebianVersion);

    /// <summary>Whether the user's <c>@VERSION</c> names this kernel: the ABI name (6.12.111+deb12), its part
    /// before the first + (6.12.111), the release (6.12.111+deb12-amd64), or the Debian version (6.12.111-1).</summary>
    public bool IsNamedBy(string requested) =>
        requested == Abi || requested == Release || requested == DebianVersion
        || (Abi.IndexOf('+') is var plus and > 0 && requested == Abi[..plus]);
}

/// <summary>The kernels each recipe line offers, from the archive's package index.</summary>
public static class KernelIndex
{
    /// <summary>Every version of <paramref name="line"/> in <paramref name="packages"/>, newest first. Per ABI name
    /// the most preferred image package (archive.imagePackages order) of the highest version wins.</summary>
    public static IReadOnlyList<KernelVersion> Versions(KernelLine line, ArchiveRecipe archive, IReadOnlyList<ArchivePackage> packages)
    {
        var suites = line.Suites.ToHashSet();
        var byName = packages.Where(p => suites.Contains(p.Suite)).ToLookup(p => p.Name);
        var best = new Dictionary<string, (ArchivePackage Package, int Rank)>();
        foreach (var package in packages)
        {
            if (!suites.Contains(package.Suite) || line.MatchImage(package.Name, archive.ImagePackages) is not { } match)
                continue;
            if (!best.TryGetValue(match.Abi, out var current)
                || package.Version > current.Package.Version
                || (package.Version == current.Package.Version && match.Rank < current.Rank))
                best[match.Abi] = (package, match.Rank);
        }
        var versions = new List<KernelVersion>();
        foreach (var (abi, (image, _)) in best)
        {
            var parts = image.Depends
                .Where(d => d.ExactVersion == image.Version.Text)
                .Select(d => byName[d.Name].FirstOrDefault(p => p.Version == image.Version))
                .OfType<ArchivePackage>()
                .DistinctBy(p => p.Name)
                .ToList();
            var fetch = parts.Count > 0 ? parts : [image];
            versions.Add(new KernelVersion(line.Name, abi, line.Release(abi), image.Version.Text, image.Suite, image.Name,
                [.. fetch.Select(p => p.Name)], fetch.Sum(p => p.Size)));
        }
        return [.. versions.OrderByDescending(v => v.Version).ThenByDescending(v => v.Abi, StringComparer.Ordinal)];
    }

    /// <summary>The newest version, or the newest one <paramref name="requested"/> names.</summary>
    /// <exception cref="VmSetupException">None does; the message lists what the line offers.</exception>
    public static KernelVersion Resolve(KernelLine line, IReadOnlyList<KernelVersion> versions, string? requested, string? why = null)
    {
        var found = requested is null ? versions.FirstOrDefault() : versions.FirstOrDefault(v => v.IsNamedBy(requested));
        if (found is not null)
            return found;
        var offered = versions.Count == 0
            ? $"it offers none (suites {string.Join(", ", line.Suites)}{(why is null ? "" : $"; {why}")})"
            : $"it offers {string.Join(", ", versions.Select(v => v.Abi))}";
        throw new VmSetupException(requested is null
            ? $"kernel line '{line.Name}' has no kernel: {offered}"
            : $"kernel line '{line.Name}' has no version '{requested}': {offered} (expected vm:{line.Name}@ABI, e.g. vm:{line.Name}@{versions.FirstOrDefault()?.Abi ?? "VERSION"})");
    }
}
