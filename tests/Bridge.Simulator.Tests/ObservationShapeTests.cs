using Bridge.Core.Blocks;
using Bridge.Core.Execution;
using Bridge.Core.Observations;
using Bridge.Core.Scenarios;
using Bridge.Simulator.Policies;

namespace Bridge.Simulator.Tests;

/// <summary>The simulator's observations have the shape the real executor's have: one result per step index,
/// a check observation per check that ran, the read paths each backing has, a block per file block.</summary>
public class ObservationShapeTests
{
    public static TheoryData<string, string> Runs()
    {
        var data = new TheoryData<string, string>();
        foreach (var file in Repo.ScenarioFiles("seed").Concat(Repo.ScenarioFiles("policy")))
            foreach (var policy in PolicyCatalog.All)
                data.Add(file, policy.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public void Observation_has_the_scenarios_shape(string file, string policyName)
    {
        var scenario = Repo.Load(file);
        var observation = Simulator.Run(scenario, PolicyCatalog.Find(policyName)!, 7);

        Assert.Equal($"sim:{policyName}", observation.Environment.Target);
        Assert.Equal(Enumerable.Range(0, scenario.StepCount), observation.Steps.Select(s => s.Step));
        var ran = scenario.Steps.Where(s => s.Effect == Effect.Check && observation.ResultOf(s.Index)!.Ok).Select(s => s.Index);
        Assert.Equal(ran, observation.Checks.Select(c => c.Step));
        foreach (var check in observation.Checks)
        {
            Assert.Equal(CheckPlan.For(scenario).Views, check.Views.Select(v => new CheckView(v.File, v.Path)));
            foreach (var view in check.Views.Where(v => v.Unavailable is null))
                Assert.Equal(Enumerable.Range(0, scenario.Geometry.BlockCount), view.Blocks.Select(b => b.Block));
        }
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public void Race_statistics_are_consistent_with_the_race(string file, string policyName)
    {
        var scenario = Repo.Load(file);
        var observation = Simulator.Run(scenario, PolicyCatalog.Find(policyName)!, 7);
        foreach (var race in scenario.Steps.Where(s => s.Effect == Effect.Race))
        {
            var span = observation.ResultOf(race.Index)!;
            foreach (var body in race.Body.Select(b => observation.ResultOf(b.Index)!).Where(r => r.Outcome != Outcome.NotRun))
            {
                var stats = body.Race!;
                Assert.Equal(race.Args.Count, (int)stats.Iterations);
                Assert.InRange(stats.LastOkIteration, -1, stats.Iterations - 1);
                Assert.True(stats.LastOkStart <= stats.LastOkEnd);
                Assert.InRange(stats.LastOkStart, span.Start, span.End);
                Assert.InRange(stats.LastOkEnd, span.Start, span.End);
            }
        }
    }

    [Fact]
    public void Same_run_id_same_observation_and_another_run_id_another_interleaving()
    {
        var scenario = Repo.Load("seed/stable-page-violation.scn");
        var a = Repo.Fingerprint(Simulator.Run(scenario, PolicyCatalog.Legacy2019, 5));
        var b = Repo.Fingerprint(Simulator.Run(scenario, PolicyCatalog.Legacy2019, 5));
        var c = Repo.Fingerprint(Simulator.Run(scenario, PolicyCatalog.Legacy2019, 6));
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Anonymous_memory_has_only_the_mapping_and_munmap_makes_it_unavailable()
    {
        var scenario = Repo.Parse("backing anon\nfile size=16K\nstore gen=1\ncheck\nmunmap\ncheck\n");
        var observation = Simulator.Run(scenario, PolicyCatalog.Linux65Plus, 1);
        var first = Assert.Single(observation.Checks[0].Views);
        Assert.Equal((ReadPath.Mapping, (string?)null), (first.Path, first.Unavailable));
        Assert.All(first.Blocks, b => Assert.Equal(Content.Data(1), b.Content));
        Assert.NotNull(Assert.Single(observation.Checks[1].Views).Unavailable);
    }

    [Fact]
    public void Blocks_past_the_end_of_the_file_read_as_eof_on_every_path()
    {
        var scenario = Repo.Parse("backing ext4\nmap shared\nfile size=16K\ntruncate size=8K\ncheck\n");
        var observation = Simulator.Run(scenario, PolicyCatalog.Linux65Plus, 1);
        foreach (var view in observation.Checks.Single().Views)
            Assert.Equal([ReadState.Uniform, ReadState.Uniform, ReadState.BeyondEof, ReadState.BeyondEof], view.Blocks.Select(b => b.State));
    }

    [Fact]
    public void A_private_mappings_view_shows_its_copies_and_the_file_does_not()
    {
        var scenario = Repo.Parse("backing ext4\nmap private\nfile size=16K\nstore gen=1 blocks=0\nfsync\ncheck\n");
        var views = Simulator.Run(scenario, PolicyCatalog.Linux65Plus, 1).Checks.Single().Views;
        Assert.Equal(Content.Data(1), views.Single(v => v.Path == ReadPath.Mapping).Blocks[0].Content);
        Assert.Equal(Content.Data(0), views.Single(v => v.Path == ReadPath.Disk).Blocks[0].Content);
        Assert.Equal(Content.Data(0), views.Single(v => v.Path == ReadPath.Buffered).Blocks[0].Content);
    }
}
