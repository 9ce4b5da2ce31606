using Bridge.Agent;
using Bridge.Core.Exploration;
using Bridge.Core.Observations;
using Bridge.Core.Scenarios;

namespace Bridge.Targets;

/// <summary>
/// Where scenarios run: this host's kernel (in-process), a privileged container (same kernel, other userspace) or
/// a VM booting any kernel. A target only executes and streams back Observations; the oracle judges them on the
/// host side, so every target is judged by the same code.
/// </summary>
public interface ITarget : IAsyncDisposable
{
    /// <summary>host, container:IMAGE, vm:NAME …</summary>
    string Name { get; }

    /// <summary>Which scenarios' file images to keep and where (null: none; the simulator has no files to keep).</summary>
    ImageKeeping? KeepImages { get; set; }

    IAsyncEnumerable<Observation> RunAsync(IReadOnlyList<Scenario> scenarios, CancellationToken cancellationToken);

    /// <summary>The rows (verbs, backings, pin paths) this target would skip every scenario using, each with the skip's
    /// reason: exploration generates none of them. A target that runs every row (a VM, the model) keeps the default.</summary>
    ValueTask<TargetLimits> LimitsAsync(CancellationToken cancellationToken) => ValueTask.FromResult(TargetLimits.None);
}
