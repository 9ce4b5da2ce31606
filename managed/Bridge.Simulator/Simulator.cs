using Bridge.Core.Observations;
using Bridge.Core.Scenarios;
using Bridge.Simulator.Execution;
using Bridge.Simulator.Policies;

namespace Bridge.Simulator;

/// <summary>Runs scenarios on the kernel model. The result is the same <see cref="Observation"/> record the real
/// executor produces, so Bridge.Core's one oracle judges both.</summary>
public static class Simulator
{
    /// <param name="runId">The run id stamped into every block, and the seed of every choice the model makes
    /// (race interleavings, flusher timing): the same scenario, policy and run id give the same observation.</param>
    public static Observation Run(Scenario scenario, Policy policy, ulong runId, SimOptions? options = null) =>
        new ScenarioRun(scenario, policy, runId, options ?? SimOptions.Default).Execute();
}
