using Bridge.Linux.Host;

namespace Bridge.Targets.Agent;

/// <summary>
/// The host's .NET installation and NuGet package folder: a container binds them read-only at the same paths, and a
/// VM guest sees them through the host's root, so the agent in either runs this very build with the host's dotnet.
/// The SDK is not a Debian package and there is no registry to pull a dotnet image from.
/// </summary>
public sealed record HostDotnet(string Root, string NuGetPackages)
{
    /// <summary>The dotnet executable under <see cref="Root"/>.</summary>
    public string Executable => Path.Combine(Root, "dotnet");

    /// <summary>Finds dotnet as <c>dirname $(readlink -f $(which dotnet))</c> does, and the global packages folder
    /// as NuGet does (NUGET_PACKAGES, else ~/.nuget/packages).</summary>
    /// <exception cref="TargetSetupException">No dotnet on PATH, or its directory has no SDK.</exception>
    public static HostDotnet Locate()
    {
        var onPath = Executables.Find("dotnet")
            ?? throw new TargetSetupException("dotnet is not on PATH (expected the .NET SDK, e.g. /usr/bin/dotnet -> /usr/share/dotnet/dotnet)");
        var resolved = new FileInfo(onPath).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(onPath);
        var root = Path.GetDirectoryName(resolved)!;
        if (!Directory.Exists(Path.Combine(root, "sdk")))
            throw new TargetSetupException($"{root} (where {onPath} resolves) has no sdk/ directory: a container build needs the .NET SDK, not only the runtime");

        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        return new HostDotnet(root, Path.GetFullPath(packages).TrimEnd('/'));
    }
}
