using Bridge.Core.Oracle;
using Bridge.Simulator.Policies;

namespace Bridge.Simulator.Tests;

/// <summary>The era whose kernels keep the contract (6.5+: the pins that would lose data are refused) runs every
/// scenario of the default suite, in several interleavings, without a finding: whatever the model gets wrong about
/// faults, COW, writeback, truncation or races shows up here as a verdict the oracle does not allow.</summary>
public class ContractKeepingEraTests
{
    public static TheoryData<string, ulong> DefaultSuite()
    {
        var data = new TheoryData<string, ulong>();
        foreach (var file in Repo.ScenarioFiles("default"))
            foreach (var runId in new ulong[] { 1, 2, 3 })
                data.Add(file, runId);
        return data;
    }

    [Theory]
    [MemberData(nameof(DefaultSuite))]
    public void Every_default_scenario_keeps_the_contract_on_6_5_plus(string file, ulong runId)
    {
        var path = Path.Combine(Repo.Root, "scenarios", file);
        var scenarios = Core.Scenarios.ScenarioFile.Parse(File.ReadAllText(path), path);
        var findings = scenarios
            .Select(s => (s.Name, Verdict: Oracle.Judge(s, Simulator.Run(s, PolicyCatalog.Linux65Plus, runId))))
            .Where(v => v.Verdict.HasFindings)
            .Select(v => $"{v.Name}: {v.Verdict.Class} — {v.Verdict.Findings[0].Note}")
            .ToList();
        Assert.Empty(findings);
        Assert.NotEmpty(scenarios);
    }
}
