using Bridge.Agent;
using Bridge.Core.Observations;
using Bridge.Core.Oracle;
using Bridge.Core.Scenarios;
using Bridge.Simulator.Analysis;
using Bridge.Simulator.Policies;
using Bridge.Targets.Sim;
using Bridge.Targets.Vm;
using Bridge.Targets.Vm.Kernels;
using Bridge.Targets.Vm.Recipe;
using Bridge.Tests.Shared;

namespace Bridge.Targets.Tests.Vm;

/// <summary>
/// Scenarios on Debian kernels booted under qemu, the agent inside, judged here: the pin rules the kernel really
/// applies per era (io_uring EFAULT on 6.12 / EOPNOTSUPP on 6.1, writable RDMA MRs of a shared ext4 file refused on
/// 6.12 and allowed on 6.1), data through the allowed pins intact where the contract requires it, the seed's lost
/// write real on 6.1 — and the model of each era agreeing with its kernel.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class VmTargetTests(VmFixture fixture)
{
    private const string Rows = """
        matrix vm-rows
        vary backing = ext4 memfd tmpfs anon
        vary path = uring-register "rdma-mr access=local-write,remote-write,remote-read" "rdma-mr access=remote-read"
        backing {backing}
        map shared
        file size=64K block=4K
        store gen=1 blocks=0-15
        pin {path} blocks=0-15
        dma-read blocks=0-15 to=out
        check
        unpin
        check
        """;

    private const string DeviceWrites = """
        matrix vm-device-writes
        vary backing = memfd tmpfs anon
        vary path = uring-register "rdma-mr access=local-write,remote-write,remote-read"
        backing {backing}
        map shared
        file size=64K block=4K
        store gen=1 blocks=0-15
        pin {path} blocks=0-15
        dma gen=2 blocks=0-7
        dma-read blocks=0-15 to=out
        check
        unpin
        check
        """;

    private static IReadOnlyList<Scenario> Scenarios(params string[] texts) =>
        [.. texts.SelectMany(t => ScenarioFile.Parse(t, "vm.scn")), .. Seed()];

    private static IEnumerable<Scenario> Seed() =>
        ScenarioFile.Parse(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "scenarios/seed/lost-write-after-writeback.scn")), "scenarios/seed/lost-write-after-writeback.scn");

    private static async Task<List<Observation>> Run(ITarget target, IReadOnlyList<Scenario> scenarios)
    {
        var list = new List<Observation>();
        await using (target)
            await foreach (var o in target.RunAsync(scenarios, CancellationToken.None))
                list.Add(o);
        return list;
    }

    private static string PinResult(Scenario s, Observation o) => o.ResultOf(s.AllSteps().First(x => x.Effect == Effect.Pin).Index)!.ToString();

    [Fact]
    public async Task Debian612RefusesWritableFilePinsWithEfaultAndAgreesWithTheLinux65Model()
    {
        VmHost.RequireBoot();
        var scenarios = Scenarios(Rows, DeviceWrites);
        var observed = await Run(new VmTarget(KernelSource.Line("debian-6.12"), fixture.Runner), scenarios);

        var release = await fixture.PackageReleaseAsync("debian-6.12");
        Assert.All(observed, o => Assert.True(o.Skip is null, $"{o.Scenario}: {o.Skip}"));
        Assert.All(observed, o => Assert.Equal(release, o.Environment.KernelRelease));
        AssertPins(scenarios, observed, PolicyCatalog.Linux65Plus);
        await AssertModelAgrees(scenarios, observed, PolicyCatalog.Linux65Plus);
    }

    [Fact]
    public async Task Debian61AllowsTheWritableExt4MrAndLosesTheDevicesWriteAsItsModelSays()
    {
        VmHost.RequireBoot();
        var scenarios = Scenarios(Rows);
        var observed = await Run(new VmTarget(KernelSource.Line("debian-6.1"), fixture.Runner), scenarios);

        Assert.All(observed, o => Assert.Equal(fixture.PackageReleaseAsync("debian-6.1").Result, o.Environment.KernelRelease));
        AssertPins(scenarios, observed, PolicyCatalog.Linux61);
        // The seed's case on a real kernel: whatever 6.1 did, the oracle's verdict is the test's expectation, and the
        // 6.1 model must reach the same one.
        var seed = scenarios.Single(s => s.Name == "lost-write-after-writeback");
        var verdict = Oracle.Judge(seed, observed.Single(o => o.Scenario == seed.Name));
        Assert.Equal("ok", PinResult(seed, observed.Single(o => o.Scenario == seed.Name)));
        Assert.NotEqual(VerdictClass.Refused, verdict.Class);
        await AssertModelAgrees(scenarios, observed, PolicyCatalog.Linux61);
    }

    private const string DeviceAccess = """
        matrix vm-device-access
        vary backing = ext4 tmpfs
        vary access = local-write,remote-write local-write,remote-write,remote-read
        backing {backing}
        map shared
        file size=16K block=4K
        pin rdma-mr access={access} blocks=0-2
        dma-read blocks=0 to=out
        dma gen=2 blocks=2
        check
        """;

    /// <summary>An RDMA READ through an MR without remote-read is refused (rdma_rxe's check_rkey: a remote access NAK,
    /// EACCES) and the next RDMA WRITE through it still reaches the page: a refused operation moves the QP to the error
    /// state, where every later request would be flushed (EIO) — Bridge's device recovers its QP instead. Debian 6.1
    /// showed the EIO to pinbridge explore; the 6.1 model, which reads the access each device operation needs from the
    /// pin path's row, agrees.</summary>
    [Fact]
    public async Task Debian61RefusesAReadWithoutRemoteReadAndTheDeviceStillWrites()
    {
        VmHost.RequireBoot();
        var scenarios = ScenarioFile.Parse(DeviceAccess, "vm.scn").ToList();
        var observed = await Run(new VmTarget(KernelSource.Line("debian-6.1"), fixture.Runner), scenarios);

        foreach (var (scenario, observation) in scenarios.Zip(observed))
        {
            Assert.True(observation.Skip is null, $"{scenario.Name}: {observation.Skip}");
            var access = scenario.AllSteps().First(s => s.Effect == Effect.Pin).Args.Access!.Value;
            var read = scenario.AllSteps().First(s => s.Effect == Effect.CopyThroughPin);
            var write = scenario.AllSteps().First(s => s.Effect == Effect.WriteThroughPin);
            Assert.Equal("ok", PinResult(scenario, observation));
            Assert.Equal(PinPathInfo.Allows(access, PinPathTable.RdmaMr.DeviceReadNeeds) ? null : "EACCES", observation.ResultOf(read.Index)!.Errno);
            Assert.True(observation.ResultOf(write.Index)!.Ok, $"{scenario.Name}: the write after the read: {observation.ResultOf(write.Index)}");
            var verdict = Oracle.Judge(scenario, observation);
            Assert.False(verdict.HasFindings, $"{scenario.Name}: {string.Join("; ", verdict.Findings)}");
        }
        await AssertModelAgrees(scenarios, observed, PolicyCatalog.Linux61);
    }

    /// <summary>The images come back to the host through the VM's writable 9p share: the seed's data file as the check
    /// that found the lost write read it (what the finding describes) and as the kernel left it at the end.</summary>
    [Fact]
    public async Task Debian61KeepsTheImagesOfTheSeedsFindingOnTheHost()
    {
        VmHost.RequireBoot();
        var root = Directory.CreateTempSubdirectory("pinbridge-vm-keep-").FullName;
        try
        {
            var seed = Seed().ToList();
            var observed = await Run(new VmTarget(KernelSource.Line("debian-6.1"), fixture.Runner) { KeepImages = new ImageKeeping(root, All: false) }, seed);
            var (scenario, observation) = (seed[0], observed[0]);
            var verdict = Oracle.Judge(scenario, observation);
            Assert.SkipWhen(!verdict.HasFindings, $"this 6.1 did not lose the write ({verdict.Class}): nothing to keep");
            var folder = KeptImages.Folder(root, scenario);
            foreach (var check in verdict.Findings.Where(f => f.File == "data").Select(f => f.Check).Distinct())
                KeptImages.AssertImageIsWhatTheCheckRead(scenario, observation, Path.Combine(folder, Core.Reports.Evidence.CheckImageName("data", scenario.StepAt(check).At.Line)), check);
            KeptImages.AssertImageIsWhatTheCheckRead(scenario, observation, Path.Combine(folder, Core.Reports.Evidence.ImageName("data")), KeptImages.LastCheck(scenario));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task AKernelThatDoesNotBootSkipsEveryScenarioWithTheReason()
    {
        VmHost.RequireBoot();
        var bogus = Path.Combine(Path.GetTempPath(), $"bridge-bogus-{Guid.NewGuid():N}");
        await File.WriteAllBytesAsync(bogus, new byte[4096], TestContext.Current.CancellationToken);
        try
        {
            var scenarios = Scenarios(DeviceWrites).Take(2).ToList();
            var observed = await Run(new VmTarget(KernelSource.Image(bogus), fixture.Runner), scenarios);
            Assert.Equal(scenarios.Select(s => s.Name), observed.Select(o => o.Scenario));
            Assert.All(observed, o => Assert.StartsWith("not run: ", o.Skip));
            Assert.Empty(VmFixture.ProcessesWith(bogus));
        }
        finally
        {
            File.Delete(bogus);
        }
    }

    /// <summary>Each pin ends as the era's pin rows say (6.5+: GUP's EFAULT for a writable pin of a shared
    /// disk-filesystem mapping; 6.1: io_uring's own EOPNOTSUPP for disk-filesystem mappings).</summary>
    private static void AssertPins(IReadOnlyList<Scenario> scenarios, List<Observation> observed, Policy era)
    {
        var wrong = scenarios.Zip(observed)
            .Where(p => PinResult(p.First, p.Second) != PinRules.ExpectedPinResult(era, p.First))
            .Select(p => $"{p.First.Name}: pin {PinResult(p.First, p.Second)}, {era.Name} says {PinRules.ExpectedPinResult(era, p.First)}")
            .ToList();
        Assert.Empty(wrong);
        // Where the pin was allowed and the contract requires data, it is there: no finding on these kernels except
        // the seed's, which the model comparison judges.
        var findings = scenarios.Zip(observed).Where(p => p.First.Name != "lost-write-after-writeback")
            .Select(p => (p.First.Name, Verdict: Oracle.Judge(p.First, p.Second)))
            .Where(v => v.Verdict.HasFindings)
            .Select(v => $"{v.Name}: {v.Verdict.Class} {v.Verdict.Findings[0].Note}")
            .ToList();
        Assert.Empty(findings);
    }

    private static async Task AssertModelAgrees(IReadOnlyList<Scenario> scenarios, List<Observation> observed, Policy policy)
    {
        var modelled = await Run(new SimulatorTarget(policy), scenarios);
        var disagreements = scenarios.Select((s, i) => (s.Name, List: Comparison.Compare(observed[i], modelled[i], s)))
            .Where(d => d.List.Count > 0)
            .Select(d => $"{d.Name}: {string.Join("; ", d.List)}")
            .ToList();
        Assert.Empty(disagreements);
    }
}

/// <summary>Whether this machine can boot a VM for the tests: qemu, busybox and cpio installed, not inside the test
/// container (its image has none of them, no kernel cache and no network to the Debian mirror).</summary>
internal static class VmHost
{
    public static bool CanBoot => Why.Length == 0;

    public static string Why { get; } =
        Environment.GetEnvironmentVariable("BRIDGE_IN_CONTAINER") is { Length: > 0 } ? "inside the test container: VM tests run on the host (make test), where qemu, the kernel cache and the Debian mirror are"
        : new[] { "/usr/bin/qemu-system-x86_64", "/bin/busybox", "/usr/bin/cpio" }.FirstOrDefault(f => !File.Exists(f)) is { } missing ? $"{missing} is not installed (make install)"
        : "";

    public static void RequireBoot() => Assert.SkipUnless(CanBoot, Why);
}
