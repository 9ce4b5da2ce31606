using Bridge.Agent;
using Bridge.Core.Observations;
using Bridge.Core.Reports;
using Bridge.Core.Scenarios;
using Bridge.Linux.Interop;
using Bridge.Targets.Host;

namespace Bridge.Targets.Tests;

/// <summary>The host target keeps what it is asked to: every scenario's final images with <c>All</c>, only the
/// scenarios with findings otherwise — each image the bytes its check read.</summary>
public class ImageKeepingTests
{
    private const string Text = """
        matrix keep
        vary backing = ext4 xfs tmpfs memfd
        backing {backing}
        map shared
        file size=256K block=4K
        store gen=1 blocks=0-15
        odirect-read gen=2 blocks=4-7
        truncate size=128K
        msync
        check
        """;

    [Fact]
    public async Task WithAllEveryScenarioKeepsItsFilesAsTheLastCheckReadThem()
    {
        Assert.SkipUnless(SystemInfo.IsRoot, "needs root for the ext4 loop mount");
        var root = Directory.CreateTempSubdirectory("pinbridge-keep-").FullName;
        try
        {
            var scenarios = ScenarioFile.Parse(Text, "keep.scn");
            var observed = new List<Observation>();
            await using (var host = new HostTarget { KeepImages = new ImageKeeping(root, All: true) })
                await foreach (var o in host.RunAsync(scenarios, TestContext.Current.CancellationToken))
                    observed.Add(o);

            foreach (var (scenario, observation) in scenarios.Zip(observed))
            {
                Assert.True(observation.Skip is null, observation.Skip);
                var folder = KeptImages.Folder(root, scenario);
                KeptImages.AssertImageIsWhatTheCheckRead(scenario, observation, Path.Combine(folder, Evidence.ImageName("data")), KeptImages.LastCheck(scenario));
                Assert.False(File.Exists(Path.Combine(folder, Evidence.ImageName("data") + ".errors")));
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task WithoutAllACleanScenarioKeepsNothing()
    {
        Assert.SkipUnless(SystemInfo.IsRoot, "needs root for the ext4 loop mount");
        var root = Directory.CreateTempSubdirectory("pinbridge-keep-").FullName;
        try
        {
            var scenario = ScenarioFile.Parse(Text, "keep.scn")[0];
            await using (var host = new HostTarget { KeepImages = new ImageKeeping(root, All: false) })
                await foreach (var o in host.RunAsync([scenario], TestContext.Current.CancellationToken))
                    Assert.False(Core.Oracle.Oracle.Judge(scenario, o).HasFindings);
            Assert.Empty(Directory.GetFileSystemEntries(root));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
