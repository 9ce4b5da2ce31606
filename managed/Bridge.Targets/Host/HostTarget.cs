using System.Runtime.CompilerServices;
using Bridge.Core.Observations;
using Bridge.Core.Scenarios;
using Bridge.Linux.Backings;
using Bridge.Linux.Execution;

namespace Bridge.Targets.Host;

/// <summary>The kernel this process runs on, driven in-process: the agent without a transport. It sweeps what killed
/// runs left (<see cref="Leftovers"/>) before it takes anything itself.</summary>
public sealed class HostTarget(string name = "host") : ITarget
{
    private ScratchSpace? _scratch;

    public string Name => name;

    public ImageKeeping? KeepImages { get; set; }

    public async IAsyncEnumerable<Observation> RunAsync(IReadOnlyList<Scenario> scenarios, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Leftovers.SweepAsync();
        _scratch ??= new ScratchSpace();
        using var runner = new ScenarioRunner(_scratch, name) { KeepImagesIn = KeepImages is { } keep ? keep.FolderFor : null };
        foreach (var scenario in scenarios)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Scenarios block in syscalls; keep them off the caller's context.
            yield return await Task.Run(() => runner.Run(scenario), cancellationToken).ConfigureAwait(false);
        }
    }

    public ValueTask DisposeAsync()
    {
        _scratch?.Dispose();
        return ValueTask.CompletedTask;
    }
}
