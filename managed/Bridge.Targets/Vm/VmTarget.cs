using System.Text;
using Bridge.Core.Execution;
using Bridge.Core.Observations;
using Bridge.Core.Scenarios;
using Bridge.Linux.Host;
using Bridge.Targets.Agent;

using Bridge.Targets.Vm.Kernels;

namespace Bridge.Targets.Vm;

/// <summary>
/// A kernel booted under qemu for the run — a Debian kernel line by name or a user's bzImage — with the host's root
/// (and so this very build and the host's dotnet) over 9p. The agent runs inside, its filesystems on virtio scratch
/// disks made for the run; Observations come back over virtio-serial, so a panic loses nothing already reported,
/// and the oracle judges them here.
/// </summary>
public sealed class VmTarget(KernelSource kernel, VmRunner? runner = null) : ITarget
{
    /// <summary>No line from the agent for this long: the scenario in flight hung. At least this; longer when a
    /// scenario may take longer (<see cref="StepTimeouts.ScenarioBound"/>: its races and a step's timeout).</summary>
    public TimeSpan ScenarioTimeout { get; init; } = TimeSpan.FromMinutes(5);

    public TimeSpan RunTimeout { get; init; } = TimeSpan.FromMinutes(80);

    /// <summary>How long a step may take inside the guest before the agent records a hang (a race: its bound plus this).</summary>
    public TimeSpan StepTimeout { get; init; } = StepTimeouts.Default;

    /// <summary>Beyond a scenario's own bound, what the guest may spend on it (set-up, checks under TCG) before its
    /// silence is a hang.</summary>
    private static readonly TimeSpan SilenceMargin = TimeSpan.FromMinutes(2);

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
            var silence = scenarios.Select(s => StepTimeouts.ScenarioBound(s, StepTimeout) + SilenceMargin).Append(ScenarioTimeout).Max();
            var build = GuestPaths.Of(AppContext.BaseDirectory.TrimEnd('/'));
            // The guest sees the host's root: the host's own dotnet runs this very build.
            var dotnet = GuestPaths.Of(HostDotnet.Locate().Executable);
            var spec = new VmSpec
            {
                Kernel = kernel,
                Command = [dotnet, Path.Combine(build, "pinbridge.dll"), "agent", "--request", "-"],
                StandardInput = new MemoryStream(Encoding.UTF8.GetBytes(AgentProtocol.EncodeRequest(new AgentRequest(Name, scenarios.Select(ScenarioText.From).ToList(), StepTimeout,
                    KeepImages is { } keep ? keep with { Directory = GuestPaths.Of(keep.Directory) } : null)))),
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
                RunTimeout = RunTimeout > silence ? RunTimeout : silence + SilenceMargin,
                SilenceTimeout = silence,
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
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            ending = AgentStream.Ending.Interruption("the VM was stopped (qemu killed) and its run directory removed");
        }
        finally
        {
            stream.Finish(scenarios, Name, ending);
        }
    }

    /// <summary>
    /// Runs <paramref name="command"/> in this target's guest with what <paramref name="forScenarios"/> need (their
    /// module groups; a raw scratch disk per filesystem, names in $BRIDGE_DISKS) — e.g. a C reproducer of them — on
    /// the same boot image and 9p share the agent uses; the host root is the guest's root, so a host binary runs as is
    /// (a host path under /tmp is at <see cref="GuestPaths.Of"/>). The command's output lines go to
    /// <paramref name="onLine"/>. A minimal way in until the target has a general exec.
    /// </summary>
    public Task<VmResult> RunCommandAsync(IReadOnlyList<string> command, IReadOnlyList<Scenario> forScenarios, Func<GuestLine, Task> onLine, CancellationToken ct)
    {
        var (groups, disks) = Needs(forScenarios);
        var spec = new VmSpec
        {
            Kernel = kernel,
            Command = command,
            WorkingDirectory = "/tmp",
            ModuleGroups = groups,
            ScratchDisks = disks,
            RunTimeout = RunTimeout,
            SilenceTimeout = ScenarioTimeout,
        };
        return (runner ?? new VmRunner()).RunAsync(spec, onLine, ct);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
