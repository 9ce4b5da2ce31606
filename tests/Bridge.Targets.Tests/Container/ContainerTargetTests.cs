using Bridge.Agent;
using Bridge.Core.Observations;
using Bridge.Core.Scenarios;
using Bridge.Linux.Interop;
using Bridge.Targets.Container;
using Bridge.Targets.Host;
using Docker.DotNet.Models;

namespace Bridge.Targets.Tests.Container;

/// <summary>The container target against the host target: the same kernel, so the same step results and verdicts
/// (computed by both runs, not written down here), and nothing left behind.</summary>
[Collection(EngineCollection.Name)]
public sealed class ContainerTargetTests(EngineFixture fixture)
{
    private const string Suite = """
        matrix in-container
        vary backing = ext4 xfs memfd hugetlb anon
        vary map = shared private
        backing {backing}
        map {map}
        file size=2M block=4K
        store gen=1 blocks=0-15
        odirect-read gen=2 blocks=0-3
        pin uring-register blocks=0-7
        dma gen=3 blocks=4-7
        dma-read blocks=0-7 to=out
        check
        unpin
        check
        """;

    /// <summary>A container whose ledger entry went while no engine answered stays in the engine's data root; the next
    /// run on that engine removes it when its creator (pid and start time) no longer runs, and leaves a live run's.</summary>
    [Fact]
    public async Task AContainerWhoseCreatorNoLongerRunsIsRemovedAndALiveRunsIsKept()
    {
        var (engine, image) = fixture.Require();
        var ct = TestContext.Current.CancellationToken;
        var current = Bridge.Linux.Host.ProcessIdentity.Current;
        // This pid, another start time: the process it names is gone (a reused pid is not its owner).
        var gone = current with { StartTicks = current.StartTicks + 1 };
        async Task<string> CreateAsync(Bridge.Linux.Host.ProcessIdentity creator) => (await engine.Client.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = image.Reference,
            Cmd = ["/bin/true"],
            Labels = new Dictionary<string, string> { [ContainerRunner.ManagedLabel] = "1", [ContainerRunner.OwnerLabel] = creator.ToString() },
            HostConfig = new HostConfig { NetworkMode = "none" },
        }, ct)).ID;
        var orphan = await CreateAsync(gone);
        var live = await CreateAsync(current);
        try
        {
            var removed = await new ContainerRunner(engine).RemoveOrphansAsync(ct);

            Assert.Contains(orphan, removed);
            Assert.DoesNotContain(live, removed);
            var left = (await engine.Client.Containers.ListContainersAsync(new ContainersListParameters { All = true }, ct)).Select(c => c.ID).ToList();
            Assert.DoesNotContain(orphan, left);
            Assert.Contains(live, left);
        }
        finally
        {
            foreach (var id in new[] { orphan, live })
                await engine.Client.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true }, CancellationToken.None).ContinueWith(_ => { }, CancellationToken.None);
        }
    }

    [Fact]
    public async Task ASuiteInAContainerObservesWhatTheHostObserves()
    {
        var (engine, image) = fixture.Require();
        Assert.SkipUnless(SystemInfo.IsRoot, "needs root");
        var scenarios = ScenarioFile.Parse(Suite, "in-container.scn");

        var host = await Collect(new HostTarget(), scenarios);
        var inContainer = await Collect(new ContainerTarget(image.Reference), scenarios);

        Assert.Equal(scenarios.Select(s => s.Name), inContainer.Select(o => o.Scenario));
        Assert.All(inContainer, o => Assert.True(o.Skip is null, $"{o.Scenario}: {o.Skip}"));
        Assert.All(inContainer, o => Assert.Equal(SystemInfo.KernelRelease, o.Environment.KernelRelease));
        Assert.Equal(host.Select(Outcomes), inContainer.Select(Outcomes));
        Assert.Equal(
            host.Select((o, i) => Core.Oracle.Oracle.Judge(scenarios[i], o).Class),
            inContainer.Select((o, i) => Core.Oracle.Oracle.Judge(scenarios[i], o).Class));

        var left = await engine.Client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [ContainerRunner.ManagedLabel] = true } },
        }, TestContext.Current.CancellationToken);
        Assert.Empty(left);
        Assert.Empty(LoopDevice.BackedBy("/var/tmp/bridge-agent-"));
        Assert.Empty(Mounts.Under("/var/tmp/bridge-agent-"));
        Assert.Empty(Directory.GetDirectories("/var/tmp", "bridge-agent-*"));
    }

    /// <summary>Images kept inside the container land on the host: the directory is bind-mounted read-write.</summary>
    [Fact]
    public async Task ImagesKeptInAContainerAreOnTheHost()
    {
        var (_, image) = fixture.Require();
        Assert.SkipUnless(SystemInfo.IsRoot, "needs root");
        var root = Directory.CreateTempSubdirectory("pinbridge-container-keep-").FullName;
        try
        {
            var scenario = ScenarioFile.Parse(Suite, "in-container.scn")[0];
            var observed = await Collect(new ContainerTarget(image.Reference) { KeepImages = new ImageKeeping(root, All: true) }, [scenario]);
            Assert.True(observed[0].Skip is null, observed[0].Skip);
            KeptImages.AssertImageIsWhatTheCheckRead(scenario, observed[0], Path.Combine(KeptImages.Folder(root, scenario), Core.Reports.Evidence.ImageName("data")), KeptImages.LastCheck(scenario));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<List<Observation>> Collect(ITarget target, IReadOnlyList<Scenario> scenarios)
    {
        var list = new List<Observation>();
        await using (target)
            await foreach (var o in target.RunAsync(scenarios, CancellationToken.None))
                list.Add(o);
        return list;
    }

    private static string Outcomes(Observation o) => $"{o.Scenario}: {string.Join(' ', o.Steps.Select(s => s.ToString()))}";
}
