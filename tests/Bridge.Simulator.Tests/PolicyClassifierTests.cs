using Bridge.Core.Observations;
using Bridge.Core.Scenarios;
using Bridge.Simulator.Analysis;
using Bridge.Simulator.Policies;

namespace Bridge.Simulator.Tests;

public class PolicyClassifierTests
{
    private static IReadOnlyList<Scenario> PolicyScenarios() => Repo.ScenarioFiles("policy").Select(Repo.Load).ToList();

    [Theory]
    [InlineData("linux-2019-legacy")]
    [InlineData("linux-6.1")]
    [InlineData("linux-6.5+")]
    public void Kernel_behaving_like_a_policy_is_named_as_that_policy(string name)
    {
        var kernel = PolicyCatalog.Find(name)!;
        var runs = PolicyClassifier.Discriminating(PolicyScenarios()).Select(s => (s, Simulator.Run(s, kernel, 11))).ToList();

        var result = PolicyClassifier.Classify(runs);

        Assert.Equal([name], result.Matches.Select(p => p.Name));
        Assert.StartsWith($"matches {name}", result.Summary(), StringComparison.Ordinal);
    }

    [Fact]
    public void Discriminating_scenarios_are_those_where_the_kernels_decide_differently()
    {
        var names = PolicyClassifier.Discriminating(PolicyScenarios()).Select(s => s.Name).ToHashSet();
        Assert.Contains("uring-register-file-shared", names);
        Assert.Contains("uring-register-file-private", names);
        Assert.Contains("odirect-check-tmpfs", names);
        Assert.DoesNotContain("uring-register-anon", names);
        Assert.DoesNotContain("odirect-into-file-mapping", names);
    }

    [Fact]
    public void Kernel_matching_no_policy_is_told_where_it_deviates()
    {
        // A kernel that refuses io_uring on tmpfs (like legacy) but answers EFAULT on regular files (like 6.5+).
        var scenarios = PolicyScenarios().Where(s => s.Name is "uring-register-tmpfs" or "uring-register-file-shared").ToList();
        var runs = scenarios.Select(s => (s, s.Name == "uring-register-tmpfs"
            ? Simulator.Run(s, PolicyCatalog.Legacy2019, 1)
            : Simulator.Run(s, PolicyCatalog.Linux65Plus, 1))).ToList();

        var result = PolicyClassifier.Classify(runs);

        Assert.Empty(result.Matches);
        Assert.StartsWith("matches none; closest is", result.Summary(), StringComparison.Ordinal);
        Assert.All(result.Fits, f => Assert.Contains(f.Deviations, d => d.Disagreement.Kind == DisagreementKind.StepResult));
    }

    [Fact]
    public void Skipped_scenarios_are_not_evidence()
    {
        var scenario = PolicyScenarios().Single(s => s.Name == "rdma-writable-file-shared");
        var real = Simulator.Run(scenario, PolicyCatalog.Linux65Plus, 1) with { Skip = "no RDMA device" };
        var result = PolicyClassifier.Classify([(scenario, real)]);
        Assert.Empty(result.Matches);
        Assert.Single(result.Skipped);
        Assert.Equal("nothing to compare: every discriminating scenario was skipped", result.Summary());
    }
}
