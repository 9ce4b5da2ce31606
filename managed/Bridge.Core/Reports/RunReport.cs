using Bridge.Core.Observations;
using Bridge.Core.Oracle;
using Bridge.Core.Scenarios;

namespace Bridge.Core.Reports;

/// <summary>One scenario's run: what it was, what was observed, what the oracle said.</summary>
public sealed record ScenarioRun(Scenario Scenario, Observation Observation, ScenarioVerdict Verdict);

/// <summary>The result of a run of many scenarios, and the exit code it implies: 0 when every verdict is one the
/// oracle allows (intact, refused, skipped), 1 when there are findings.</summary>
public sealed record RunReport(IReadOnlyList<ScenarioRun> Runs)
{
    public int ExitCode => Runs.Any(r => r.Verdict.HasFindings) ? 1 : 0;

    public IEnumerable<RunEnvironment> Environments => Runs.Select(r => r.Observation.Environment).Distinct();
}
