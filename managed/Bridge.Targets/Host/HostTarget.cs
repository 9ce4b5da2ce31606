using System.Runtime.CompilerServices;
using Bridge.Agent;
using Bridge.Core.Execution;
using Bridge.Core.Exploration;
using Bridge.Core.Observations;
using Bridge.Core.Scenarios;
using Bridge.Linux.Backings;
using Bridge.Linux.Execution;

namespace Bridge.Targets.Host;

/// <summary>The kernel this process runs on, driven in-process: the agent without a transport. It sweeps what killed
/// runs left (<see cref="Leftovers"/>) before it takes anything itself. When the run is cancelled (SIGINT, SIGTERM)
/// the scenario in flight stops within a second and is yielded as interrupted; then the enumeration ends with
/// <see cref="OperationCanceledException"/>, and disposing the target gives back the scratch space.</summary>
public sealed class HostTarget(string name = "host") : ITarget
{
    private ScratchSpace? _scratch;

    public string Name => name;

    public ImageKeeping? KeepImages { get; set; }

    /// <summary>How long a step may take before it is a hang (a race: its bound plus this).</summary>
    public TimeSpan StepTimeout { get; init; } = StepTimeouts.Default;

    public async IAsyncEnumerable<Observation> RunAsync(IReadOnlyList<Scenario> scenarios, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Leftovers.SweepAsync();
        _scratch ??= new ScratchSpace();
        using var runner = new ScenarioRunner(_scratch, name) { StepTimeout = StepTimeout, KeepImagesIn = KeepImages is { } keep ? keep.FolderFor : null };
        foreach (var scenario in scenarios)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Scenarios block in syscalls; keep them off the caller's context. The scenario itself watches the token.
            yield return await Task.Run(() => runner.Run(scenario, interrupt: cancellationToken), CancellationToken.None).ConfigureAwait(false);
        }
        // Interrupted during the last scenario: the run was interrupted all the same.
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>What this kernel and build lack (no RDMA device here, say), and the power cut a host cannot make.</summary>
    public ValueTask<TargetLimits> LimitsAsync(CancellationToken cancellationToken) => ValueTask.FromResult(ScenarioRunner.Limits(canCutPower: false));

    public ValueTask DisposeAsync()
    {
        _scratch?.Dispose();
        return ValueTask.CompletedTask;
    }
}
