using Bridge.Core.Blocks;
using Bridge.Core.Execution;
using Bridge.Core.Observations;
using Bridge.Core.Oracle;
using Bridge.Core.Scenarios;
using Bridge.Targets.Vm;
using Bridge.Targets.Vm.Kernels;

namespace Bridge.Targets.Tests.Vm;

/// <summary>
/// Power cuts on a real kernel (Debian 6.12 under qemu): the VM target runs the scenarios of scenarios/crash up to
/// their crash step, kills qemu, boots the kernel again on the same disk images (mount: journal replay) and runs the
/// check there; the oracle judges the one observation that spans both boots. The 20 power cuts mid-race take 21 TCG
/// boots: they run only with <c>BRIDGE_TEST_CRASH=1</c> (<c>make test-crash</c>).
/// </summary>
[Collection(VmCollection.Name)]
public sealed class PowerCutTests(VmFixture fixture)
{
    public const string Switch = "BRIDGE_TEST_CRASH";

    private static IReadOnlyList<Scenario> Load(string file) =>
        ScenarioFile.Parse(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "scenarios", "crash", file)), $"scenarios/crash/{file}");

    private async Task<List<Observation>> Run(IReadOnlyList<Scenario> scenarios)
    {
        var list = new List<Observation>();
        await using var target = new VmTarget(KernelSource.Line("debian-6.12"), fixture.Runner);
        await foreach (var o in target.RunAsync(scenarios, CancellationToken.None))
            list.Add(o);
        return list;
    }

    private static ViewRead DiskAfterTheCut(Observation o) => o.Checks.Single().Views.Single(v => v is { File: CheckPlan.DataFile, Path: ReadPath.Disk });

    [Fact]
    public async Task FsyncedDataSurvivesAPowerCutOnExt4XfsAndBtrfsAndWritesAfterItAreJudgedWhicheverSurvives()
    {
        VmHost.RequireBoot();
        var scenarios = Load("after-last-fsync.scn");
        Assert.Equal(["ext4", "xfs", "btrfs"], scenarios.Select(s => s.Backing.Name));

        var observed = await Run(scenarios);

        foreach (var (scenario, observation) in scenarios.Zip(observed))
        {
            var context = $"{scenario.Name}: {observation.Skip} {string.Join(" | ", observation.KernelLog.TakeLast(6))}";
            Assert.True(observation.Skip is null, context);
            // One record across the two boots: every step's result, the power cut between the kernel logs.
            Assert.Equal(Enumerable.Range(0, scenario.StepCount), observation.Steps.Select(s => s.Step).Order());
            Assert.Contains(Observation.PowerCutMark, observation.KernelLog);
            var disk = DiskAfterTheCut(observation);
            // The fsync'd generation survived where nothing was written after it.
            Assert.All(disk.Blocks.Where(b => b.Block >= 224), b => Assert.Equal(Content.Data(1), b.Content));
            var verdict = Oracle.Judge(scenario, observation);
            Assert.True(verdict.Class == VerdictClass.Intact, $"{context} {string.Join("; ", verdict.Findings)}");
            TestContext.Current.SendDiagnosticMessage($"{scenario.Name}: after the power cut the disk holds " +
                string.Join(", ", disk.Blocks.GroupBy(b => b.Content).Select(g => $"{g.Key}: {g.Count()} blocks")));

            // Whichever generations survived, the same oracle calls an older one a lost write: generation 0 in a
            // block written since the fsync, and in one the fsync covered and nothing rewrote.
            foreach (var block in new[] { 0, 100, 240 })
                Assert.Equal(VerdictClass.LostWrite, Oracle.Judge(scenario, WithDiskBlock(observation, block, Content.Data(0))).Class);
        }
    }

    [Fact]
    public async Task APowerCutAsARaceEndsLeavesNoFalseFindingIn20Repetitions()
    {
        Assert.SkipUnless(Environment.GetEnvironmentVariable(Switch) == "1", $"21 TCG boots; run by make test-crash ({Switch}=1)");
        VmHost.RequireBoot();
        var scenarios = Load("race.scn");
        Assert.Equal(20, scenarios.Count);

        var observed = await Run(scenarios);

        Assert.Equal(scenarios.Select(s => s.Name), observed.Select(o => o.Scenario));
        foreach (var (scenario, observation) in scenarios.Zip(observed))
        {
            Assert.True(observation.Skip is null, $"{scenario.Name}: {observation.Skip}");
            Assert.Contains(Observation.PowerCutMark, observation.KernelLog);
            var verdict = Oracle.Judge(scenario, observation);
            Assert.True(verdict.Class == VerdictClass.Intact, $"{scenario.Name}: {verdict.Class} {string.Join("; ", verdict.Findings)}");
        }
    }

    /// <summary>The observation with one block of the disk view after the cut reading <paramref name="content"/>.</summary>
    private static Observation WithDiskBlock(Observation o, int block, Content content)
    {
        var check = o.Checks.Single();
        var views = check.Views.Select(v => v is { File: CheckPlan.DataFile, Path: ReadPath.Disk }
            ? v with { Blocks = [.. v.Blocks.Select(r => r.Block == block ? new BlockRead(block, ReadState.Uniform, content, Writer.Initial, -1) : r)] }
            : v).ToList();
        return o with { Checks = [check with { Views = views }] };
    }
}
