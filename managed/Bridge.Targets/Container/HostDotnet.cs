namespace Bridge.Targets.Container;

/// <summary>
/// The host's .NET installation and NuGet package folder, bound read-only into a container at the same paths.
/// The SDK is not a Debian package, and there is no registry to pull a dotnet image from; binding the host's own
/// SDK keeps the container's build identical to the host's, and with the packages already restored on the host
/// (and NuGetAudit off) the build inside needs no network.
/// </summary>
public sealed record HostDotnet(string Root, string NuGetPackages)
{
    /// <summary>Finds dotnet as <c>dirname $(readlink -f $(which dotnet))</c> does, and the global packages folder
    /// as NuGet does (NUGET_PACKAGES, else ~/.nuget/packages).</summary>
    /// <exception cref="ContainerException">No dotnet on PATH, or its directory has no SDK.</exception>
    public static HostDotnet Locate()
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "dotnet"))
            .FirstOrDefault(File.Exists)
            ?? throw new ContainerException("dotnet is not on PATH (expected the .NET SDK, e.g. /usr/bin/dotnet -> /usr/share/dotnet/dotnet)");
        var resolved = new FileInfo(onPath).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(onPath);
        var root = Path.GetDirectoryName(resolved)!;
        if (!Directory.Exists(Path.Combine(root, "sdk")))
            throw new ContainerException($"{root} (where {onPath} resolves) has no sdk/ directory: a container build needs the .NET SDK, not only the runtime");

        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        return new HostDotnet(root, Path.GetFullPath(packages).TrimEnd('/'));
    }

    public IReadOnlyList<BindMount> Mounts =>
    [
        new(Root, Root, ReadOnly: true),
        new(NuGetPackages, NuGetPackages, ReadOnly: true),
    ];

    /// <summary>Environment for an offline dotnet build inside the image.</summary>
    public IReadOnlyDictionary<string, string> ContainerEnvironment => new Dictionary<string, string>
    {
        ["PATH"] = $"{Root}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        ["DOTNET_ROOT"] = Root,
        ["NUGET_PACKAGES"] = NuGetPackages,
        ["HOME"] = "/root",
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        ["DOTNET_NOLOGO"] = "1",
        ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
        // The image has no libicu; Bridge builds with InvariantGlobalization anyway.
        ["DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"] = "1",
        ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0",
        // NuGet's audit fetches vulnerability data from the feed; with NetworkMode none that fails the restore
        // (NU1900 as an error under TreatWarningsAsErrors). MSBuild reads environment variables as properties.
        ["NuGetAudit"] = "false",
    };
}
