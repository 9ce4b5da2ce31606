using Bridge.Agent;
using Bridge.Core.Execution;
using Bridge.Core.Exploration;
using Bridge.Core.Observations;
using Bridge.Core.Scenarios;
using Bridge.Linux.Host;
using Bridge.Targets.Agent;

namespace Bridge.Targets.Container;

/// <summary>
/// A privileged container on the local Docker engine (a private dockerd when none answers): the same kernel as the
/// host, the test image's userspace. The agent runs inside from this very build (bound read-only with the host's
/// dotnet), streams Observations over the container's output, and the oracle judges them here. Its standard input is
/// tied to this process: if this process is killed, the agent reads end of file and stops instead of running the rest
/// of the suite on its own; the next run removes the container and the agent's directory (both are in the ledger).
/// </summary>
public sealed class ContainerTarget(string? image = null) : ITarget
{
    private static readonly TimeSpan MinRunTimeout = TimeSpan.FromMinutes(30);

    public string Name => image is null ? "container" : $"container:{image}";

    /// <summary>Kept images go straight to the host: the directory is bind-mounted read-write at the same path.</summary>
    public ImageKeeping? KeepImages { get; set; }

    /// <summary>How long a step may take inside the container before the agent records a hang (a race: its bound
    /// plus this).</summary>
    public TimeSpan StepTimeout { get; init; } = StepTimeouts.Default;

    public IAsyncEnumerable<Observation> RunAsync(IReadOnlyList<Scenario> scenarios, CancellationToken cancellationToken) =>
        AgentStream.RunAsync((stream, ct) => RunAgentAsync(scenarios, stream, ct), cancellationToken);

    private async Task RunAgentAsync(IReadOnlyList<Scenario> scenarios, AgentStream stream, CancellationToken ct)
    {
        AgentStream.Ending? ending = null;
        DockerEngine? engine = null;
        LedgeredDirectory? scratch = null;
        try
        {
            await Leftovers.SweepAsync();
            engine = await DockerEngine.EngineUpAsync(new EngineUpOptions { Log = _ => { } }, ct);
            await new ContainerRunner(engine).RemoveOrphansAsync(ct);
            var reference = image ?? (await new ImageBuilder(engine).EnsureAsync(ImageRecipe.FromRepository(RepositoryRoot()), _ => { }, ct)).Reference;
            scratch = ContainerScratch.Create("/var/tmp", "bridge-agent-");
            var request = new AgentRequest(Name, scenarios.Select(ScenarioText.From).ToList(), StepTimeout, KeepImages);
            var runTimeout = scenarios.Select(s => StepTimeouts.ScenarioBound(s, StepTimeout)).Append(MinRunTimeout).Max();
            await File.WriteAllTextAsync(Path.Combine(scratch.Path, "request.json"), AgentProtocol.EncodeRequest(request), ct);
            var build = AppContext.BaseDirectory.TrimEnd('/');
            if (!File.Exists(Path.Combine(build, "pinbridge.dll")))
                throw new ContainerException($"pinbridge.dll (the agent) is not in {build}; the container runs this build's `pinbridge agent`");
            var dotnet = HostDotnet.Locate();
            var environment = ContainerDotnet.Environment(dotnet);
            environment["BRIDGE_SCRATCH"] = "/scratch";
            environment["BRIDGE_STATE"] = "/scratch/" + ContainerScratch.StateDirectory;
            var spec = new ContainerRunSpec
            {
                Image = reference,
                Command = [dotnet.Executable, Path.Combine(build, "pinbridge.dll"), "agent", "--request", "/scratch/request.json", "--until-stdin-closes"],
                Environment = environment,
                Mounts = [new BindMount(build, build, ReadOnly: true), .. ContainerDotnet.Mounts(dotnet),
                          .. KeepImages is { } keep ? [new BindMount(keep.Directory, keep.Directory, ReadOnly: false)] : Array.Empty<BindMount>()],
                ScratchDirectory = scratch.Path,
                StdinTiedToCaller = true,
                Timeout = runTimeout,
                LogTailLines = 20,
            };
            var result = await new ContainerRunner(engine).RunAsync(spec, line => stream.OnLine(line.Text), ct);
            if (result.TimedOut)
                ending = new AgentStream.Ending($"the container ran longer than {runTimeout.TotalMinutes:0} minutes and was killed", AgentStream.EndingKind.Hang, result.LogTail.Select(l => l.Text).ToList());
            else if (result.ExitCode != 0 || !stream.Done)
                ending = new AgentStream.Ending($"the agent exited {result.ExitCode} before finishing: {string.Join(" | ", result.LogTail.TakeLast(5).Select(l => l.Text))}", AgentStream.EndingKind.Failed, []);
        }
        catch (Exception e) when (e is TargetSetupException or ToolException or IOException)
        {
            ending = new AgentStream.Ending($"container target unavailable: {e.Message}", AgentStream.EndingKind.Failed, []);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            ending = AgentStream.Ending.Interruption("the container's agent was signalled, then the container removed");
        }
        finally
        {
            stream.Finish(scenarios, Name, ending);
            // What the agent's own ledger still holds (huge pages, if it was killed before it gave them back) first.
            if (scratch is not null)
                await ContainerScratch.GiveBackAsync(scratch);
            if (engine is not null)
            {
                var started = engine.StartedByThisCall;
                engine.Dispose();
                if (started)
                    await PrivateDockerd.StopAsync();
            }
        }
    }

    /// <summary>The checkout holding containers/image (the recipe), found upward from the build.</summary>
    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, "containers", "image")))
                return dir.FullName;
        throw new ContainerException("cannot find containers/image/ (the image recipe) above the Bridge build; give --target container:IMAGE");
    }

    /// <summary>The host's: the container runs on the host's kernel (its RDMA devices, its io_uring) with this build's
    /// native libraries, and no power of its own to cut.</summary>
    public ValueTask<TargetLimits> LimitsAsync(CancellationToken cancellationToken) => ValueTask.FromResult(Linux.Execution.ScenarioRunner.Limits(canCutPower: false));

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
