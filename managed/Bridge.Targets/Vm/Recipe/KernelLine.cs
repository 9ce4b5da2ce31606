using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace Bridge.Targets.Vm.Recipe;

/// <summary>
/// A kernel line of the recipe (<c>vm:NAME</c>): the Debian suites whose kernels it follows, the flavour, and a
/// regular expression for the ABI name that Debian puts into the package name — <c>linux-image-ABI-FLAVOUR</c>:
/// 6.1.0-57 for bookworm's 6.1, 6.12.117+deb12 for its 6.12, 7.2.13+deb14 for sid. Which versions exist is read
/// from the package index at run time (<see cref="Kernels.KernelIndex"/>), never written here.
/// </summary>
/// <param name="Origin">Where the line was defined (file:line:col), for errors found later.</param>
public sealed record KernelLine(string Name, IReadOnlyList<string> Suites, string Flavour, string VersionPattern, string Description, string Origin)
{
    /// <summary>The simulator policy (era) whose pin rules this line's kernels are expected to follow; <c>make
    /// test-kernels</c> checks each line's newest kernel against it. Null: no expectation.</summary>
    public string? Model { get; init; }

    /// <summary>The ABI name in <paramref name="package"/> if it is one of this line's image packages under
    /// <paramref name="patterns"/> (archive.imagePackages, most preferred first), with the pattern's rank.</summary>
    public (string Abi, int Rank)? MatchImage(string package, IReadOnlyList<string> patterns)
    {
        for (var rank = 0; rank < patterns.Count; rank++)
        {
            var regex = ImageRegex(patterns[rank]);
            if (regex.Match(package) is { Success: true } match)
                return (match.Groups["version"].Value, rank);
        }
        return null;
    }

    /// <summary>The image package's name for <paramref name="abi"/> under a pattern.</summary>
    public string ImagePackage(string pattern, string abi) =>
        pattern.Replace("{flavour}", Flavour, StringComparison.Ordinal).Replace("{version}", abi, StringComparison.Ordinal);

    /// <summary>The kernel release (uname -r) a package of this ABI installs: ABI-FLAVOUR.</summary>
    public string Release(string abi) => $"{abi}-{Flavour}";

    private static readonly ConcurrentDictionary<(string, string, string), Regex> Regexes = new();

    private Regex ImageRegex(string pattern) =>
        Regexes.GetOrAdd((pattern, Flavour, VersionPattern), key =>
        {
            var parts = key.Item1.Replace("{flavour}", key.Item2, StringComparison.Ordinal).Split("{version}");
            return new Regex("^" + string.Join($"(?<version>{key.Item3})", parts.Select(Regex.Escape)) + "$", RegexOptions.CultureInvariant);
        });
}

/// <summary>The Debian archive the kernel lines come from: a mirror per suite, the keyring that signs them, and how
/// Debian names kernel image packages.</summary>
public sealed record ArchiveRecipe(
    string Keyring,
    string Component,
    string Architecture,
    IReadOnlyDictionary<string, string> Suites,
    IReadOnlyList<string> ImagePackages);
