using Bridge.Core.Blocks;
using Bridge.Core.Execution;
using Bridge.Core.Observations;
using Bridge.Core.Oracle;
using Bridge.Core.Scenarios;
using Bridge.Targets.Vm;
using Bridge.Targets.Vm.Kernels;

namespace Bridge.Targets.Tests.Vm;

/// <summary>
/// A file writer and a power cut on a real kernel (Debian 6.12 under qemu): write(2) or pwrite(O_DIRECT) of generation
/// 2, fsync, generation 3 into other blocks, crash, check on the next boot (scenarios/writers/crash.scn, ext4, xfs,
/// btrfs). What fsync covered survives; what followed may or may not. Seven TCG boots: it runs with
/// <c>BRIDGE_TEST_CRASH=1</c> (<c>make test-crash</c>), like the other chains of power cuts.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class WriterPowerCutTests(VmFixture fixture)
{
    [Fact]
    public async Task WhatAFileWriterFsyncedSurvivesAPowerCutAndWhatFollowedMayOrMayNot()
    {
        Assert.SkipUnless(Environment.GetEnvironmentVariable(PowerCutTests.Switch) == "1", $"7 TCG boots; run by make test-crash ({PowerCutTests.Switch}=1)");
        VmHost.RequireBoot();
        var scenarios = ScenarioFile.Parse(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "scenarios", "writers", "crash.scn")), "scenarios/writers/crash.scn");
        Assert.Equal(6, scenarios.Count);

        var observed = new List<Observation>();
        await using (var target = new VmTarget(KernelSource.Line("debian-6.12"), fixture.Runner))
            await foreach (var o in target.RunAsync(scenarios, CancellationToken.None))
                observed.Add(o);

        Assert.Equal(scenarios.Select(s => s.Name), observed.Select(o => o.Scenario));
        foreach (var (scenario, observation) in scenarios.Zip(observed))
        {
            Assert.True(observation.Skip is null, $"{scenario.Name}: {observation.Skip}");
            Assert.Contains(Observation.PowerCutMark, observation.KernelLog);
            var disk = observation.Checks.Single().Views.Single(v => v is { File: CheckPlan.DataFile, Path: ReadPath.Disk }).Blocks;
            Assert.All(disk.Where(b => b.Block < 8), b => Assert.Equal(Content.Data(2), b.Content));
            Assert.All(disk.Where(b => b.Block >= 8), b => Assert.Contains(b.Content, new[] { Content.Data(1), Content.Data(3) }));
            var verdict = Oracle.Judge(scenario, observation);
            Assert.True(verdict.Class == VerdictClass.Intact, $"{scenario.Name}: {verdict.Class} {string.Join("; ", verdict.Findings)}");
            TestContext.Current.SendDiagnosticMessage($"{scenario.Name}: after the power cut the disk holds " +
                string.Join(", ", disk.GroupBy(b => b.Content).Select(g => $"{g.Key}: {g.Count()} blocks")));
        }
    }
}
