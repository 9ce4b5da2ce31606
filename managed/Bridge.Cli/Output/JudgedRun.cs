using Bridge.Core.Reports;
using Bridge.Core.Scenarios;
using Bridge.Targets;

namespace Bridge.Cli.Output;

/// <summary>Scenarios run on a target and each observation judged by the oracle as it arrives, into one report —
/// for commands that keep the results themselves (bisect) instead of streaming them (<see cref="ResultsPipeline"/>).</summary>
public static class JudgedRun
{
    public static async Task<RunReport> RunAsync(ITarget target, IReadOnlyList<Scenario> scenarios, Action<ScenarioRun>? onRun, CancellationToken ct)
    {
        var byName = scenarios.ToDictionary(s => s.Name);
        var runs = new List<ScenarioRun>();
        await foreach (var observation in target.RunAsync(scenarios, ct))
        {
            var scenario = byName[observation.Scenario];
            var run = new ScenarioRun(scenario, observation, Core.Oracle.Oracle.Judge(scenario, observation));
            runs.Add(run);
            onRun?.Invoke(run);
        }
        return new RunReport(target.Name, scenarios.Count, runs);
    }
}
