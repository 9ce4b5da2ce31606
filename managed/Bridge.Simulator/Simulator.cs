using Bridge.Core.Execution;
using Bridge.Core.Observations;
using Bridge.Core.Scenarios;
using Bridge.Simulator.Execution;
using Bridge.Simulator.Policies;

namespace Bridge.Simulator;

/// <summary>Runs scenarios on the kernel model. The steps run by Core's <see cref="Sequencer"/>, as on the real
/// kernel, and the result is the same <see cref="Observation"/> record, so Bridge.Core's one oracle judges both.</summary>
public static class Simulator
{
    /// <param name="runId">The run id stamped into every block, and the seed of every choice the model makes
    /// (race interleavings, flusher timing): the same scenario, policy and run id give the same observation.</param>
    public static Observation Run(Scenario scenario, Policy policy, ulong runId, SimOptions? options = null)
    {
        var model = new ModelExecutor(scenario, policy, runId, options ?? SimOptions.Default);
        var sequence = Sequencer.Run(scenario, model);
        return new Observation(scenario.Name, runId, new RunEnvironment($"sim:{policy.Name}", policy.Name, scenario.Backing.FsType),
            sequence.Steps, sequence.Checks, model.KernelLog, sequence.Skip, sequence.Interrupted);
    }
}
