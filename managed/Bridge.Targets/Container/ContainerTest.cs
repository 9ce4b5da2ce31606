using Bridge.Linux.Host;
using Bridge.Targets.Agent;

namespace Bridge.Targets.Container;

/// <summary>What <c>make container-test</c> runs.</summary>
public sealed record ContainerTestOptions
{
    /// <summary>The Bridge checkout (holds Bridge.sln and containers/image); bound read-only at /src.</summary>
    public required string RepositoryRoot { get; init; }
    /// <summary>Run in the writable copy of the repository.</summary>
    public IReadOnlyList<string> Command { get; init; } = ["make", "test"];
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(60);
    /// <summary>Leave a private engine this run started running (the next run then skips its ~1 s start).</summary>
    public bool KeepEngine { get; init; }
    /// <summary>Per-run scratch directories go here, on disk: loop-device images and the build live in them.</summary>
    public string ScratchParent { get; init; } = "/var/tmp/bridge-container-test";
}

/// <summary>
/// <c>make container-test</c>: an engine (a private dockerd if none answers), the test image (built if its recipe
/// tag is missing), then the command in a container with the repository copied to a writable scratch directory
/// (the bind mount is read-only, and a build writes obj/ and artifacts/). Exit code and output are the command's.
/// </summary>
public static class ContainerTest
{
    /// <summary>Exit code reported when the command outlived <see cref="ContainerTestOptions.Timeout"/> (as timeout(1) does).</summary>
    public const int TimedOutExitCode = 124;

    /// <summary>Copies /src to /scratch/repo, leaving out the host's build outputs (their absolute paths and
    /// restore state belong to the host), then runs "$@" there.</summary>
    internal const string InContainerScript = """
        set -euo pipefail
        mkdir -p /scratch/repo
        tar -C /src --exclude=./artifacts --exclude=./.cache --exclude=./native/build \
            --exclude=bin --exclude=obj --exclude=TestResults -cf - . | tar -C /scratch/repo -xf -
        cd /scratch/repo
        exec "$@"
        """;

    /// <returns>The command's exit code; <see cref="TimedOutExitCode"/> on timeout.</returns>
    /// <exception cref="ArgumentException">The repository root is not a Bridge checkout.</exception>
    /// <exception cref="EngineUnavailableException">No engine answers and none can be started.</exception>
    public static async Task<int> RunAsync(ContainerTestOptions options, Action<string> log, Action<OutputLine> output, CancellationToken ct = default)
    {
        var repo = Path.GetFullPath(options.RepositoryRoot);
        if (!File.Exists(Path.Combine(repo, "Bridge.sln")) || !Directory.Exists(Path.Combine(repo, "containers", "image")))
            throw new ArgumentException($"'{repo}' is not a Bridge checkout (expected Bridge.sln and containers/image/ in it)", nameof(options));
        if (options.Command.Count == 0)
            throw new ArgumentException("the command is empty (expected e.g. make test)", nameof(options));
        var recipe = ImageRecipe.FromRepository(repo);
        var dotnet = HostDotnet.Locate();

        // The container has no network: every package must already be in the host's NuGet folder.
        log($"restoring {repo}/Bridge.sln on the host so the build inside needs no network");
        var restore = await Tool.RunAsync(dotnet.Executable, ["restore", Path.Combine(repo, "Bridge.sln")], ct, log);
        if (!restore.Succeeded)
            throw new ContainerException($"dotnet restore on the host failed (exit {restore.ExitCode}); the offline build in the container would fail too");

        var engine = await DockerEngine.EngineUpAsync(new EngineUpOptions { Log = log }, ct);
        LedgeredDirectory? scratch = null;
        try
        {
            log($"engine: {engine}");
            var image = await new ImageBuilder(engine).EnsureAsync(recipe, log, ct);
            log($"image: {image.Reference}, {image.SizeBytes / 1_000_000} MB" +
                (image.RootfsBuilt ? $", rootfs built and imported in {image.Duration.TotalSeconds:0.0} s" : image.Imported ? $", imported from the cached rootfs in {image.Duration.TotalSeconds:0.0} s" : ", present"));

            scratch = ContainerScratch.Create(options.ScratchParent, "run-");
            var environment = ContainerDotnet.Environment(dotnet);
            environment["BRIDGE_IN_CONTAINER"] = "1";
            if (Environment.GetEnvironmentVariable("CI") is { Length: > 0 } ci)
                environment["CI"] = ci;
            var spec = new ContainerRunSpec
            {
                Image = image.Reference,
                Command = ["/bin/bash", "-c", InContainerScript, "container-test", .. options.Command],
                Environment = environment,
                Mounts = [new BindMount(repo, "/src", ReadOnly: true), .. ContainerDotnet.Mounts(dotnet)],
                ScratchDirectory = scratch.Path,
                WorkingDirectory = "/scratch",
                Timeout = options.Timeout,
            };
            log($"running {string.Join(' ', options.Command)} in a container (repository copied to /scratch/repo)");
            var result = await new ContainerRunner(engine).RunAsync(spec, output, ct);
            foreach (var note in result.Notes)
                log(note);
            log($"container exited {result.ExitCode} after {result.Duration.TotalSeconds:0.0} s ({result.Privilege}{(result.TimedOut ? ", timed out" : "")})");
            return result.TimedOut ? TimedOutExitCode : (int)result.ExitCode;
        }
        finally
        {
            scratch?.Dispose();
            var privateStarted = engine.StartedByThisCall && !options.KeepEngine;
            engine.Dispose();
            if (privateStarted)
            {
                var down = await PrivateDockerd.StopAsync();
                log($"stopped the private dockerd (pid {down.DockerdPid}) this run started");
            }
        }
    }
}
