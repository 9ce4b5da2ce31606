using Bridge.Core.Scenarios;
using Bridge.Simulator.Analysis;
using Bridge.Simulator.Model;

namespace Bridge.Simulator.Tests;

/// <summary>The generator writes only what the parser accepts, and over enough scenarios every row of the tables.</summary>
public class ScenarioGeneratorTests
{
    private static List<Scenario> Generate(ulong seed, int count)
    {
        var random = new SplitMix64(seed);
        var generator = new ScenarioGenerator(random);
        return Enumerable.Range(0, count).Select(i => ScenarioFile.ParseOne(generator.Next($"g{i}", 3 + random.Below(10)), $"g{i}.scn", $"g{i}")).ToList();
    }

    [Fact]
    public void Every_generated_scenario_parses_and_together_they_use_every_verb_backing_pin_path_and_access()
    {
        var scenarios = Generate(seed: 11, count: 3000);
        var steps = scenarios.SelectMany(s => s.AllSteps()).ToList();

        Assert.Equal(Verbs.All.Select(v => v.Keyword).Order(), steps.Select(s => s.Keyword).Distinct().Order());
        Assert.Equal(BackingTable.All.Select(b => b.Name).Order(), scenarios.Select(s => s.Backing.Name).Distinct().Order());
        var pins = steps.Where(s => s.Effect == Effect.Pin).ToList();
        Assert.Equal(PinPathTable.All.Select(p => p.Name).Order(), pins.Select(s => s.PinPath.Name).Distinct().Order());
        foreach (var path in PinPathTable.All.Where(p => p.AccessFlags.Count > 0))
            foreach (var flag in path.AccessFlags.Values)
                Assert.Contains(pins, s => s.PinPath == path && (s.Args.Access & flag) != 0);
        foreach (var verb in Verbs.All)
            foreach (var optional in verb.Args.Where(a => !a.Required))
                Assert.Contains(steps, s => s.Verb == verb && s.Text.Split(' ').Skip(1)
                    .Any(t => optional.Positional ? optional.Choices!.Contains(t) : t.StartsWith(optional.Key + "=", StringComparison.Ordinal)));
    }

    [Fact]
    public void The_same_seed_writes_the_same_scenarios()
    {
        Assert.Equal(Generate(seed: 5, count: 50).Select(s => s.Text), Generate(seed: 5, count: 50).Select(s => s.Text));
        Assert.NotEqual(Generate(seed: 5, count: 50).Select(s => s.Text), Generate(seed: 6, count: 50).Select(s => s.Text));
    }
}
