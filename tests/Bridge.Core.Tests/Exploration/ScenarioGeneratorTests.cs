using Bridge.Core.Exploration;
using Bridge.Core.Scenarios;

namespace Bridge.Core.Tests.Exploration;

/// <summary>The generator writes only what the parser accepts, the same text from the same seed, and over one fixed
/// seed's scenarios every row of the tables — computed from the rows, so a verb, backing, pin path or choice another
/// change adds is required here without touching this test.</summary>
public class ScenarioGeneratorTests
{
    private const int Count = 3000;

    private static readonly Lazy<List<(ScenarioForm Form, Scenario Scenario)>> Generated = new(() => Generate(seed: 11, Count));

    private static List<(ScenarioForm, Scenario)> Generate(ulong seed, int count, TargetLimits? limits = null)
    {
        var generator = new ScenarioGenerator(seed, limits);
        return [.. Enumerable.Range(0, count).Select(i =>
        {
            var form = generator.Next($"g{i}");
            return (form, ScenarioFile.ParseOne(form.Render(), $"g{i}.scn", form.Name));
        })];
    }

    [Fact]
    public void Generate_render_parse_gives_back_the_same_scenario()
    {
        foreach (var (form, scenario) in Generated.Value)
        {
            var again = ScenarioForm.Of(scenario);
            Assert.Equal(form.Render(), again.Render());
            Assert.Equal(form.Steps.Count, scenario.Steps.Count);
            Assert.Equal(form.AllSteps().Select(s => s.Verb), scenario.AllSteps().Select(s => s.Verb));
            Assert.Equal((form.Backing, form.Map, form.Geometry, form.Init), (scenario.Backing, scenario.Map, scenario.Geometry, scenario.Init));
            // Parsing the text a second time gives the same steps, argument for argument.
            var reparsed = ScenarioFile.ParseOne(again.Render(), "again.scn", form.Name);
            Assert.Equal(scenario.AllSteps().Select(s => s.Args), reparsed.AllSteps().Select(s => s.Args));
        }
    }

    [Fact]
    public void Every_verb_row_backing_pin_path_access_flag_and_argument_form_appears()
    {
        var scenarios = Generated.Value.Select(g => g.Scenario).ToList();
        var steps = scenarios.SelectMany(s => s.AllSteps()).ToList();

        Assert.Equal(Verbs.All.Select(v => v.Keyword).Order(), steps.Select(s => s.Keyword).Distinct().Order());
        Assert.Equal(BackingTable.All.Select(b => b.Name).Order(), scenarios.Select(s => s.Backing.Name).Distinct().Order());
        Assert.Equal([MapKind.Shared, MapKind.Private], scenarios.Select(s => s.Map).Distinct().Order());
        Assert.Equal([InitialFill.Data, InitialFill.Hole], scenarios.Select(s => s.Init).Distinct().Order());
        var pins = steps.Where(s => s.Effect == Effect.Pin).ToList();
        Assert.Equal(PinPathTable.All.Select(p => p.Name).Order(), pins.Select(s => s.PinPath.Name).Distinct().Order());
        foreach (var path in PinPathTable.All)
            foreach (var flag in path.AccessFlags.Values)
                Assert.Contains(pins, s => s.PinPath == path && (s.Args.Access & flag) != 0);
        foreach (var verb in Verbs.All)
        {
            foreach (var optional in verb.Args.Where(a => !a.Required))
                Assert.Contains(steps, s => s.Verb == verb && Words(s).Any(t => optional.Positional ? optional.Choices!.Contains(t) : t.StartsWith(optional.Key + "=", StringComparison.Ordinal)));
            foreach (var arg in verb.Args.Where(a => a.Choices is not null))
                foreach (var choice in arg.Choices!)
                    Assert.Contains(steps, s => s.Verb == verb && Words(s).Contains(arg.Positional ? choice : $"{arg.Key}={choice}"));
            if (verb.AllowedInRace && verb.Effect != Effect.Race)
                Assert.Contains(scenarios.SelectMany(s => s.Steps).Where(s => s.Effect == Effect.Race).SelectMany(r => r.Body), s => s.Verb == verb);
        }
        // Every form of a block list the parser reads: N, A-B, a list, all.
        var blockWords = steps.SelectMany(Words).Where(w => w.StartsWith("blocks=", StringComparison.Ordinal)).Select(w => w["blocks=".Length..]).ToList();
        Assert.Contains("all", blockWords);
        Assert.Contains(blockWords, w => w.Contains(','));
        Assert.Contains(blockWords, w => w.Contains('-') && !w.Contains(','));
        Assert.Contains(blockWords, w => w.All(char.IsAsciiDigit));
    }

    [Fact]
    public void Generated_scenarios_stay_within_the_input_limits()
    {
        foreach (var (_, s) in Generated.Value)
        {
            Assert.InRange(s.StepCount, 2, InputLimits.Steps.Max);
            Assert.InRange(s.Geometry.FileSize, 1, InputLimits.DataFileSize.Max);
            Assert.InRange(s.Geometry.BlockSize, 4096, InputLimits.BlockSize.Max);
            Assert.Equal(0, s.Geometry.FileSize % s.Backing.PageSize);
            Assert.All(s.AllSteps(), step => Assert.InRange(step.Args.Gen ?? 0, 0u, (uint)InputLimits.Generation.Max));
            Assert.All(s.AllSteps(), step => Assert.InRange(step.Args.Count ?? 1, 1, InputLimits.RaceCount.Max));
            Assert.All(s.AllSteps(), step => Assert.True((step.Args.For ?? TimeSpan.Zero) <= TimeSpan.FromSeconds(InputLimits.RaceDuration.Max)));
        }
    }

    [Fact]
    public void The_same_seed_writes_the_same_scenarios_and_another_seed_others()
    {
        var a = Generate(seed: 5, count: 200).Select(g => g.Item1.Render()).ToList();
        Assert.Equal(a, Generate(seed: 5, count: 200).Select(g => g.Item1.Render()));
        Assert.NotEqual(a, Generate(seed: 6, count: 200).Select(g => g.Item1.Render()));
    }

    [Fact]
    public void Rows_a_target_cannot_run_are_never_written_and_coverage_says_why()
    {
        // Each kind of row a target can lack: its first pin path, its verbs that cut the power, its last backing.
        var limits = new TargetLimits(
            Verbs.All.Where(v => v.CutsPower).ToDictionary(v => v, v => $"no power to cut for {v.Keyword}"),
            new Dictionary<BackingInfo, string> { [BackingTable.All[^1]] = "no such filesystem here" },
            new Dictionary<PinPathInfo, string> { [PinPathTable.All[0]] = "no device here" });
        Assert.NotEmpty(limits.Verbs);

        var limited = Generate(seed: 11, Count, limits).Select(g => g.Item2).ToList();
        Assert.All(limited, s => Assert.Null(limits.Excludes(s)));
        // Everything else is still written: the rows kept, every verb that can run without what was left out.
        var steps = limited.SelectMany(s => s.AllSteps()).ToList();
        Assert.Equal(PinPathTable.All.Except(limits.PinPaths.Keys).Select(p => p.Name), steps.Where(s => s.Effect == Effect.Pin).Select(s => s.PinPath.Name).Distinct().Order());
        Assert.Equal(BackingTable.All.Except(limits.Backings.Keys).Select(b => b.Name).Order(), limited.Select(s => s.Backing.Name).Distinct().Order());
        Assert.Equal(Verbs.All.Except(limits.Verbs.Keys).Select(v => v.Keyword).Order(), steps.Select(s => s.Keyword).Distinct().Order());
        // The unlimited generator does write them (the fixture's assertion above, for the same seed).
        Assert.Contains(Generated.Value, g => limits.Excludes(g.Scenario) is not null);

        var coverage = new Coverage(limits);
        var lines = coverage.Lines().ToDictionary(l => l.Key);
        Assert.Equal(limits.PinPaths.Select(p => new LeftOutRow(p.Key.Name, p.Value)), lines["pinPaths"].LeftOut);
        Assert.Equal(limits.Backings.Select(b => new LeftOutRow(b.Key.Name, b.Value)), lines["backings"].LeftOut);
        Assert.Equal(limits.Verbs.Keys.Intersect(Verbs.Executed).Select(v => v.Keyword).Order(), lines["verbs"].LeftOut.Select(r => r.Name).Order());
        Assert.DoesNotContain(lines["verbs"].Missing, v => limits.Verbs.Keys.Any(k => k.Keyword == v));
        Assert.All(lines.Values, l => Assert.Equal(l.Total, l.Exercised.Count + l.Missing.Count + l.LeftOut.Count));
    }

    [Fact]
    public void Without_limits_the_sequence_is_the_one_every_target_without_limits_gets()
    {
        Assert.Equal(Generate(seed: 5, count: 200).Select(g => g.Item1.Render()), Generate(seed: 5, count: 200, TargetLimits.None).Select(g => g.Item1.Render()));
    }

    private static IEnumerable<string> Words(Step step) => step.Text.Split(' ').Skip(1);
}
