using Bridge.Core.Observations;
using Bridge.Core.Scenarios;
using Bridge.Linux.Host;
using Bridge.Targets.Agent;

namespace Bridge.Targets.Vm;

/// <summary>
/// A kernel booted under qemu for the run — a Debian kernel line by name or a user's bzImage — with the host's root
/// (and so this very build and the host's dotnet) over 9p. The agent runs inside, its filesystems on virtio scratch
/// disks made for the run; Observations come back over virtio-serial, so a panic loses nothing already reported,
/// and the oracle judges them here.
/// </summary>
public sealed class VmTarget(KernelSource kernel, VmRunner? runner = null) : ITarget
{
    /// <summary>No line from the agent for this long: the scenario in flight hung (a race is bounded well below).</summary>
    public TimeSpan ScenarioTimeout { get; init; } = TimeSpan.FromMinutes(5);

    public TimeSpan RunTimeout { get; init; } = TimeSpan.FromMinutes(80);

    public string Name => $"vm:{kernel}";

    /// <summary>Kept images reach the host through the VM's writable 9p share of the directory (not the result
    /// stream): an image can be a gigabyte, which the line protocol would hold up and the guest would spend its TCG
    /// time encoding; over 9p it is on the host as each write returns, so a panic in a later scenario keeps it.</summary>
    public ImageKeeping? KeepImages { get; set; }

    public IAsyncEnumerable<Observation> RunAsync(IReadOnlyList<Scenario> scenarios, CancellationToken cancellationToken) =>
        AgentStream.RunAsync((stream, ct) => BootAndRunAsync(scenarios, stream, ct), cancellationToken);

    /// <summary>Module groups and scratch disks the scenarios need, from their backing and pin-path rows: a disk for
    /// every filesystem made for the run — the auxiliary files' one always (it holds the source and output files of
    /// every scenario), each used backing with storage — and the module group each used backing and pin path names.</summary>
    public static (IReadOnlyList<string> Groups, int Disks) Needs(IReadOnlyList<Scenario> scenarios)
    {
        var backings = scenarios.Select(s => s.Backing).Prepend(BackingTable.AuxiliaryFiles).Distinct().ToList();
        var pinPaths = scenarios.SelectMany(s => s.AllSteps()).Where(s => s.Effect == Effect.Pin).Select(s => s.PinPath).Distinct();
        var groups = backings.Select(b => b.VmModuleGroup).Concat(pinPaths.Select(p => p.VmModuleGroup)).OfType<string>().Distinct().ToList();
        return (groups, backings.Count(b => b.HasStorage));
    }

    private async Task BootAndRunAsync(IReadOnlyList<Scenario> scenarios, AgentStream stream, CancellationToken ct)
    {
        AgentStream.Ending? ending = null;
        try
        {
            await Leftovers.SweepAsync();
            var (groups, disks) = Needs(scenarios);
            var build = GuestPaths.Of(AppContext.BaseDirectory.TrimEnd('/'));
            // The guest sees the host's root: the host's own dotnet runs this very build.
            var dotnet = GuestPaths.Of(HostDotnet.Locate().Executable);
            var spec = new VmSpec
            {
                Kernel = kernel,
                Command = [dotnet, Path.Combine(build, "bridge.dll"), "agent", "--request", "-"],
                StandardInput = AgentProtocol.EncodeRequest(new AgentRequest(Name, scenarios.Select(ScenarioText.From).ToList(),
                    KeepImages is { } keep ? keep with { Directory = GuestPaths.Of(keep.Directory) } : null)),
                SharedDirectory = KeepImages?.Directory,
                Environment = new Dictionary<string, string>
                {
                    ["BRIDGE_SCRATCH"] = "/tmp",
                    // The guest sees the host's root read-only: the agent's ledger goes on the guest's own /tmp.
                    ["BRIDGE_STATE"] = "/tmp/bridge-state",
                    ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
                    ["DOTNET_TieredPGO"] = "0", // JIT time is guest time under TCG
                },
                WorkingDirectory = "/tmp",
                ModuleGroups = groups,
                ScratchDisks = disks,
                RunTimeout = RunTimeout,
                SilenceTimeout = ScenarioTimeout,
            };
            var stderr = new Queue<string>();
            var result = await (runner ?? new VmRunner()).RunAsync(spec, line =>
            {
                if (line.Stream == GuestStream.Stdout)
                    stream.OnLine(line.Text);
                else if (stderr.Count < 20)
                    stderr.Enqueue(line.Text); // the agent's own complaints (a missing file, an exception)
                return Task.CompletedTask;
            }, ct);
            ending = result.Outcome switch
            {
                VmOutcome.Exited when result.ExitCode == 0 && stream.Done => null,
                VmOutcome.Panic => new AgentStream.Ending($"kernel panic: {result.Message}", AgentStream.EndingKind.KernelCrash, result.ConsoleTail),
                VmOutcome.Timeout => new AgentStream.Ending(result.Message, AgentStream.EndingKind.Hang, result.ConsoleTail),
                _ => new AgentStream.Ending($"{result.Outcome}: {result.Message} | {string.Join(" | ", stderr.Concat(result.ConsoleTail.TakeLast(4)))}", AgentStream.EndingKind.Failed, []),
            };
        }
        catch (Exception e) when (e is TargetSetupException or ToolException)
        {
            ending = new AgentStream.Ending($"VM target unavailable: {e.Message}", AgentStream.EndingKind.Failed, []);
        }
        finally
        {
            stream.Finish(scenarios, Name, ending);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
