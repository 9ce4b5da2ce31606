using System.Text;
using Bridge.Agent;
using Bridge.Core.Execution;
using Bridge.Core.Observations;
using Bridge.Core.Scenarios;
using Bridge.Linux.Execution;
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

    /// <summary>How long one boot may run at least; a boot with many scenarios (an exploration's or a shrink's batch)
    /// gets <see cref="RunTimeoutPerScenario"/> for each of them when that is more.</summary>
    public TimeSpan RunTimeout { get; init; } = TimeSpan.FromMinutes(80);

    /// <summary>What one scenario may add to a boot's run timeout: generated scenarios average a few seconds each under
    /// TCG on a loaded machine, so a batch of hundreds in one boot is not cut off by the 80 minutes meant for a suite.</summary>
    public static readonly TimeSpan RunTimeoutPerScenario = TimeSpan.FromSeconds(30);

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

    /// <summary>Scenarios that cut the power run in one chain of boots, on disk images kept across the boots and
    /// honouring the guest's flushes; the others share one boot on disks that drop them (faster, and the images are
    /// deleted after the run).</summary>
    private async Task BootAndRunAsync(IReadOnlyList<Scenario> scenarios, AgentStream stream, CancellationToken ct)
    {
        IReadOnlyList<Scenario>[] split = [[.. scenarios.Where(s => !CutsPower(s))], [.. scenarios.Where(CutsPower)]];
        var groups = split.Where(g => g.Count > 0).ToList();
        for (var i = 0; i < groups.Count; i++)
        {
            var ending = await RunGroupAsync(groups[i], stream, sweep: i == 0, ct);
            if (ending?.Kind == AgentStream.EndingKind.Interrupted)
            {
                stream.Finish([.. groups.Skip(i).SelectMany(g => g)], Name, ending);
                return;
            }
            stream.Account(groups[i], Name, ending);
        }
        stream.Finish([], Name, null);
    }

    private static bool CutsPower(Scenario scenario) => scenario.Steps.Any(s => s.Verb.CutsPower);

    private async Task<AgentStream.Ending?> RunGroupAsync(IReadOnlyList<Scenario> scenarios, AgentStream stream, bool sweep, CancellationToken ct)
    {
        var stderr = new Queue<string>();
        try
        {
            if (sweep)
                await Leftovers.SweepAsync();
            var spec = SpecFor(scenarios);
            Task OnLine(GuestLine line)
            {
                if (line.Stream == GuestStream.Stdout)
                    stream.OnLine(line.Text);
                else if (stderr.Count < 20)
                    stderr.Enqueue(line.Text); // the agent's own complaints (a missing file, an exception)
                return Task.CompletedTask;
            }
            var result = scenarios.Any(CutsPower)
                ? await RunAcrossPowerCutsAsync(scenarios, spec, stream, OnLine, ct)
                : await (runner ?? new VmRunner()).RunAsync(spec with { StandardInput = Request(scenarios, null) }, OnLine, ct);
            return result.Outcome switch
            {
                VmOutcome.Exited when result.ExitCode == 0 && stream.Done => null,
                VmOutcome.Panic => new AgentStream.Ending($"kernel panic: {result.Message}", AgentStream.EndingKind.KernelCrash, result.ConsoleTail),
                VmOutcome.Timeout => new AgentStream.Ending(result.Message, AgentStream.EndingKind.Hang, result.ConsoleTail),
                _ => new AgentStream.Ending($"{result.Outcome}: {result.Message} | {string.Join(" | ", stderr.Concat(result.ConsoleTail.TakeLast(4)))}", AgentStream.EndingKind.Failed, []),
            };
        }
        catch (Exception e) when (e is TargetSetupException or ToolException or VmSetupException)
        {
            return new AgentStream.Ending($"VM target unavailable: {e.Message}", AgentStream.EndingKind.Failed, []);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return AgentStream.Ending.Interruption("the VM was stopped (qemu killed) and its run directory removed");
        }
    }

    /// <summary>
    /// Scenarios that cut the power, as one chain of boots on disk images made for them (kept across the boots, in
    /// the run's ledger, deleted at the end): at a crash step the agent reports the steps so far and waits, and the
    /// power is cut — qemu killed outright, so the guest's page cache and whatever qemu had not yet written are lost
    /// and the images hold what the guest had written to its disks (all it flushed: cache=writeback) — then the
    /// kernel boots again on the same images, the agent resumes that scenario after its crash step and runs the
    /// scenarios after it, up to the next crash step. N scenarios with one crash step each cost N + 1 boots. The
    /// observation of each is one record across its boots (<see cref="AgentStream"/> joins them).
    /// </summary>
    private async Task<VmResult> RunAcrossPowerCutsAsync(IReadOnlyList<Scenario> scenarios, VmSpec spec, AgentStream stream, Func<GuestLine, Task> onLine, CancellationToken ct)
    {
        using var disks = RunDirectory.Create();
        var images = Enumerable.Range(0, spec.ScratchDisks).Select(i => Path.Combine(disks.Path, $"disk{i}.img")).ToList();
        foreach (var image in images)
        {
            using var file = new FileStream(image, FileMode.CreateNew, FileAccess.Write);
            file.SetLength(spec.ScratchDiskBytes); // sparse: costs no space until the guest writes
        }
        PowerCutPoint? resume = null;
        var remaining = scenarios;
        while (true)
        {
            using var cut = CancellationTokenSource.CreateLinkedTokenSource(ct);
            (string Scenario, PowerCutPoint Point)? requested = null;
            void OnPowerCut(string scenario, PowerCutPoint point)
            {
                requested = (scenario, point);
                _ = cut.CancelAsync(); // VmSession kills qemu: the power cut
            }
            stream.PowerCutRequested += OnPowerCut;
            try
            {
                return await (runner ?? new VmRunner()).RunAsync(
                    spec with { StandardInput = Request(remaining, resume), DiskImages = images, HonourFlushes = true }, onLine, cut.Token);
            }
            catch (OperationCanceledException) when (requested is { } at && !ct.IsCancellationRequested)
            {
                var next = remaining.SkipWhile(s => s.Name != at.Scenario).ToList();
                if (next.Count == 0 || (next.Count == remaining.Count && at.Point.CutAt <= (resume?.CutAt ?? -1)))
                    throw new VmSetupException($"the agent asked for a power cut at step #{at.Point.CutAt} of {at.Scenario}, which is not ahead of where this boot began");
                (remaining, resume) = (next, at.Point);
            }
            finally
            {
                stream.PowerCutRequested -= OnPowerCut;
            }
        }
    }

    /// <summary>The agent's request, streamed to it as its standard input.</summary>
    public MemoryStream Request(IReadOnlyList<Scenario> scenarios, PowerCutPoint? resume) =>
        new(Encoding.UTF8.GetBytes(AgentProtocol.EncodeRequest(new AgentRequest(Name, scenarios.Select(ScenarioText.From).ToList(), StepTimeout,
            KeepImages is { } keep ? keep with { Directory = GuestPaths.Of(keep.Directory) } : null,
            CutsPower: scenarios.Any(CutsPower), Resume: resume))));

    /// <summary>How the guest runs the agent for <paramref name="scenarios"/> (without its request; bench vm-stages
    /// wraps the command to time the guest's stages).</summary>
    public VmSpec SpecFor(IReadOnlyList<Scenario> scenarios)
    {
        var (groups, disks) = Needs(scenarios);
        var silence = scenarios.Select(s => StepTimeouts.ScenarioBound(s, StepTimeout) + SilenceMargin).Append(ScenarioTimeout).Max();
        return new VmSpec
        {
            Kernel = kernel,
            // The guest sees the host's root: this build's native agent (or the host's dotnet with this build).
            Command = [.. GuestAgent.Command(), "--request", "-"],
            SharedDirectory = KeepImages?.Directory,
            Environment = new Dictionary<string, string>
            {
                ["BRIDGE_SCRATCH"] = "/tmp",
                // The guest sees the host's root read-only: the agent's ledger goes on the guest's own /tmp.
                ["BRIDGE_STATE"] = "/tmp/bridge-state",
                ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
                ["DOTNET_TieredPGO"] = "0", // JIT time is guest time under TCG (the managed agent's)
            },
            WorkingDirectory = "/tmp",
            ModuleGroups = groups,
            ScratchDisks = disks,
            RunTimeout = new[] { RunTimeout, silence + SilenceMargin, RunTimeoutPerScenario * scenarios.Count }.Max(),
            SilenceTimeout = silence,
        };
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
