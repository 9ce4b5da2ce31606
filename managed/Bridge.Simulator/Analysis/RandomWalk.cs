using Bridge.Core.Observations;
using Bridge.Core.Oracle;
using Bridge.Core.Scenarios;
using Bridge.Simulator.Execution;
using Bridge.Simulator.Model;
using Bridge.Simulator.Policies;

namespace Bridge.Simulator.Analysis;

/// <summary>A scenario the walk found, with what the model did and what the oracle said.</summary>
public sealed record WalkFinding(Scenario Scenario, Observation Observation, ScenarioVerdict Verdict, int Tried);

/// <summary>
/// A seeded, reproducible random walk over the scenario language: generates scenarios, runs each on the model
/// under a policy, and stops at the first the oracle judges a finding (or one the goal accepts).
/// </summary>
public static class RandomWalk
{
    /// <summary>The walk runs the flusher at random times too (dirty_expire), so writeback happens where no step asked.</summary>
    public static readonly SimOptions WalkOptions = new(FlusherChance: 0.05);

    /// <param name="budget">How many scenarios to try at most.</param>
    /// <param name="goal">Which verdicts count (default: any finding).</param>
    public static WalkFinding? Find(Policy policy, ulong seed, int budget, Func<ScenarioVerdict, bool>? goal = null, SimOptions? options = null)
    {
        goal ??= v => v.HasFindings;
        var random = new SplitMix64(seed);
        var generator = new ScenarioGenerator(random);
        for (var i = 0; i < budget; i++)
        {
            var name = $"walk-{seed}-{i}";
            var text = generator.Next(name, 3 + random.Below(10));
            var scenario = ScenarioFile.ParseOne(text, $"{name}.scn", name);
            var observation = Simulator.Run(scenario, policy, random.Next(), options ?? WalkOptions);
            var verdict = Oracle.Judge(scenario, observation);
            if (goal(verdict))
                return new WalkFinding(scenario, observation, verdict, i + 1);
        }
        return null;
    }
}
