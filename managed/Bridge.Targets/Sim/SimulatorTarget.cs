using System.Runtime.CompilerServices;
using Bridge.Agent;
using Bridge.Core.Observations;
using Bridge.Core.Scenarios;
using Bridge.Simulator;
using Bridge.Simulator.Policies;

namespace Bridge.Targets.Sim;

/// <summary>The model of a kernel era as a target: the same scenarios, the same Observation, the same oracle.</summary>
public sealed class SimulatorTarget(Policy policy) : ITarget
{
    /// <summary>The modelled eras, by name.</summary>
    public static IReadOnlyList<string> PolicyNames => [.. PolicyCatalog.All.Select(p => p.Name)];

    /// <summary>The model of the era <paramref name="name"/> names (a policy name or an alias such as linux-6.12).</summary>
    /// <exception cref="ArgumentException">No such era; the message lists them.</exception>
    public static SimulatorTarget ForPolicy(string name) =>
        new(PolicyCatalog.Find(name) ?? throw new ArgumentException($"unknown policy '{name}'; expected one of: {string.Join(", ", PolicyNames)}", nameof(name)));

    public string Name => $"sim:{policy.Name}";

    /// <summary>The era modelled.</summary>
    public Policy Policy => policy;

    /// <summary>Ignored: the model keeps pages, not files.</summary>
    public ImageKeeping? KeepImages { get; set; }

    public async IAsyncEnumerable<Observation> RunAsync(IReadOnlyList<Scenario> scenarios, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var scenario in scenarios)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // The run id seeds the model's race scheduling: derive it from the name so a rerun is the same run.
            yield return Simulator.Simulator.Run(scenario, policy, StableId(scenario.Name));
            await Task.Yield();
        }
    }

    private static ulong StableId(string name) =>
        name.Aggregate(0xcbf29ce484222325UL, (h, c) => (h ^ c) * 0x100000001b3UL);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
