using Bridge.Targets.Agent;

namespace Bridge.Targets.Vm;

/// <summary>
/// The command a VM guest runs the agent with. Under TCG a JIT-compiled agent spends most of a run starting .NET
/// and compiling itself, so the guest runs <c>pinbridge-agent</c>, the same agent compiled ahead of time
/// (Bridge.Agent.Guest; <c>make build</c> publishes it next to the CLI in artifacts/pinbridge/). It is found next to
/// this build, or in the published CLI's folder of the artifacts tree this build lives in (a test or benchmark
/// build). The guest's root is the host's, so the binary, its native libraries and glibc are the host's own. Older
/// than the managed build it was compiled from (a build without a publish), it would run stale code: then the guest
/// runs <c>pinbridge.dll agent</c> with the host's dotnet, as it does when there is no native agent at all.
/// </summary>
public static class GuestAgent
{
    public const string FileName = "pinbridge-agent";

    /// <summary>The assemblies the native agent is compiled from; one newer than the agent means it is stale.</summary>
    private static readonly string[] Sources = ["Bridge.Core.dll", "Bridge.Linux.dll", "Bridge.Agent.dll"];

    /// <summary>The native agent this build can use, or null.</summary>
    public static string? Native()
    {
        var build = AppContext.BaseDirectory;
        var built = Sources.Select(s => Path.Combine(build, s)).Where(File.Exists).Select(File.GetLastWriteTimeUtc).DefaultIfEmpty().Max();
        for (var dir = new DirectoryInfo(build); dir is not null; dir = dir.Parent)
        {
            foreach (var candidate in new[] { Path.Combine(dir.FullName, FileName), Path.Combine(dir.FullName, "pinbridge", FileName) })
                if (File.Exists(candidate) && File.GetLastWriteTimeUtc(candidate) >= built)
                    return candidate;
            if (dir.Name == "artifacts")
                break;
        }
        return null;
    }

    /// <summary>The guest's argv before the agent's options: the native agent, else the host's dotnet with this build.</summary>
    public static IReadOnlyList<string> Command() => Native() is { } native
        ? [GuestPaths.Of(native)]
        : [GuestPaths.Of(HostDotnet.Locate().Executable), Path.Combine(GuestPaths.Of(AppContext.BaseDirectory.TrimEnd('/')), "pinbridge.dll"), "agent"];
}
