using System.Runtime.CompilerServices;
using Bridge.Core.Observations;
using Bridge.Core.Scenarios;
using Bridge.Simulator;
using Bridge.Simulator.Policies;

namespace Bridge.Targets.Sim;

/// <summary>The model of a kernel era as a target: the same scenarios, the same Observation, the same oracle.</summary>
public sealed class SimulatorTarget(Policy policy) : ITarget
{
    public string Name => $"sim:{policy.Name}";

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
