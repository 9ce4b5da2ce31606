using Bridge.Targets.Agent;

namespace Bridge.Targets.Container;

/// <summary>The host's dotnet inside a container: bound read-only at the same paths (with the NuGet packages already
/// restored on the host, so a build inside needs no network), and the environment an offline build there needs.</summary>
internal static class ContainerDotnet
{
    public static IReadOnlyList<BindMount> Mounts(HostDotnet dotnet) =>
    [
        new(dotnet.Root, dotnet.Root, ReadOnly: true),
        new(dotnet.NuGetPackages, dotnet.NuGetPackages, ReadOnly: true),
    ];

    public static Dictionary<string, string> Environment(HostDotnet dotnet) => new()
    {
        ["PATH"] = $"{dotnet.Root}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        ["DOTNET_ROOT"] = dotnet.Root,
        ["NUGET_PACKAGES"] = dotnet.NuGetPackages,
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
