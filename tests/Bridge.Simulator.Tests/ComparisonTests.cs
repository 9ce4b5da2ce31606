using Bridge.Core.Observations;
using Bridge.Simulator.Analysis;
using Bridge.Simulator.Policies;

namespace Bridge.Simulator.Tests;

public class ComparisonTests
{
    [Fact]
    public void Same_policy_same_run_agrees_everywhere()
    {
        var scenario = Repo.Load("seed/lost-write-after-writeback.scn");
        var a = Simulator.Run(scenario, PolicyCatalog.Linux61, 3);
        var b = Simulator.Run(scenario, PolicyCatalog.Linux61, 3);
        Assert.Empty(Comparison.Compare(a, b, scenario));
    }

    [Fact]
    public void Legacy_against_6_5_disagrees_at_the_pin_and_at_the_lost_blocks()
    {
        var scenario = Repo.Load("seed/lost-write-after-writeback.scn");
        var real = Simulator.Run(scenario, PolicyCatalog.Legacy2019, 3);
        var sim = Simulator.Run(scenario, PolicyCatalog.Linux65Plus, 3);

        var found = Comparison.Compare(real, sim, scenario);

        var pin = Assert.Single(found, d => d is { Kind: DisagreementKind.StepResult, Step: 2 });
        Assert.Equal(("ok", "EFAULT"), (pin.Real, pin.Simulated));
        var blocks = found.Where(d => d.Kind == DisagreementKind.BlockVerdict).ToList();
        Assert.Equal([0, 1, 2, 3], blocks.Select(d => d.Block!.Value).Order());
        Assert.All(blocks, d => Assert.Equal((7, "data", ReadPath.Disk, "lost-write", "intact"), (d.Step!.Value, d.File, d.Path!.Value, d.Real, d.Simulated)));
        Assert.Contains(found, d => d is { Kind: DisagreementKind.ScenarioVerdict, Real: "lost-write", Simulated: "refused" });
    }

    [Fact]
    public void Read_path_availability_is_compared()
    {
        var scenario = Repo.Load("policy/odirect-check-tmpfs.scn");
        var found = Comparison.Compare(Simulator.Run(scenario, PolicyCatalog.Linux65Plus, 1), Simulator.Run(scenario, PolicyCatalog.Linux61, 1), scenario);
        var view = Assert.Single(found);
        Assert.Equal((DisagreementKind.ViewAvailability, "data", ReadPath.Disk), (view.Kind, view.File, view.Path!.Value));
    }

    [Fact]
    public void A_skipped_real_run_is_reported_as_such()
    {
        var scenario = Repo.Load("policy/rdma-writable-file-shared.scn");
        var sim = Simulator.Run(scenario, PolicyCatalog.Linux65Plus, 1);
        var skipped = sim with { Skip = "no RDMA device" };
        Assert.Equal(DisagreementKind.Skipped, Assert.Single(Comparison.Compare(skipped, sim, scenario)).Kind);
    }
}
