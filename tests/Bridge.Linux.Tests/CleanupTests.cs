using Bridge.Core.Scenarios;
using Bridge.Linux.Backings;
using Bridge.Linux.Execution;
using Bridge.Linux.Host;
using Bridge.Linux.Interop;

namespace Bridge.Linux.Tests;

/// <summary>Nothing outlives a run: mounts, loop devices, huge page reservations, the scratch directory.</summary>
public class CleanupTests
{
    [Fact]
    public void ARunOverEveryBackingLeavesNoMountLoopDeviceHugePageOrDirectory()
    {
        Assert.SkipUnless(SystemInfo.IsRoot, "needs root");
        var hugePagesBefore = HugePages.Total();
        string root;
        using (var scratch = new ScratchSpace())
        {
            root = scratch.Root;
            using var runner = new ScenarioRunner(scratch);
            foreach (var backing in BackingTable.All)
            {
                var text = $"backing {backing.Name}\nfile size=2M\nstore gen=1\npin uring-register\ndma gen=2 blocks=0-1\ncheck\n";
                var observation = runner.Run(ScenarioFile.Parse(text, "c.scn")[0], interrupt: TestContext.Current.CancellationToken);
                Assert.Null(observation.Skip);
            }
            Assert.NotEmpty(Mounts.Under(root));
            Assert.NotEmpty(LoopDevice.BackedBy(root));
            Assert.Equal(hugePagesBefore, HugePages.Total()); // each hugetlb scenario gives its pages back
        }
        Assert.Empty(Mounts.Under(root));
        Assert.Empty(LoopDevice.BackedBy(root));
        Assert.False(Directory.Exists(root));
    }

    /// <summary>A run's scenarios share its scratch filesystems (one 512 MiB image per type): each scenario's data,
    /// source and output files go when it ends, or a long run fills them (a 5-minute exploration of the host stopped
    /// at its 1313th scenario: ENOSPC creating the scenario's directory).</summary>
    [Fact]
    public void EachScenarioTakesItsFilesAwayFromTheRunsScratchFilesystems()
    {
        Assert.SkipUnless(SystemInfo.IsRoot, "needs root");
        using var scratch = new ScratchSpace();
        using var runner = new ScenarioRunner(scratch);
        foreach (var backing in BackingTable.All)
        {
            var text = $"backing {backing.Name}\nfile size=2M\nstore gen=1\nodirect-read gen=2 blocks=0\nodirect-write to=out\ncheck\n";
            var observation = runner.Run(ScenarioFile.Parse(text, "c.scn")[0], interrupt: TestContext.Current.CancellationToken);
            Assert.Null(observation.Skip);
            var left = Mounts.Under(scratch.Root).SelectMany(m => Directory.EnumerateFileSystemEntries(m, "*", SearchOption.AllDirectories))
                .Where(e => !e.Contains("/lost+found", StringComparison.Ordinal)).ToList();
            Assert.True(left.Count == 0, $"{backing.Name} left {string.Join(", ", left)}");
        }
    }

    /// <summary>6.18.44's btrfs aborted its transaction in a race (README, "What it has found") and turned the
    /// run's btrfs read-only: every later btrfs scenario of that run (the shrinker's candidates, an exploration's
    /// next thousand) was skipped, "setup failed: Read-only file system". A filesystem the kernel made read-only is
    /// made again for the next scenario.</summary>
    [Fact]
    public void AScratchFilesystemTheKernelTurnedReadOnlyIsMadeAgainForTheNextScenario()
    {
        Assert.SkipUnless(SystemInfo.IsRoot, "needs root");
        using var scratch = new ScratchSpace();
        using var runner = new ScenarioRunner(scratch);
        foreach (var backing in BackingTable.All.Where(b => b.Kind == BackingKind.DiskFs))
        {
            var text = $"backing {backing.Name}\nfile size=64K\nstore gen=1\nfsync\ncheck\n";
            Assert.Null(runner.Run(ScenarioFile.Parse(text, "c.scn")[0], interrupt: TestContext.Current.CancellationToken).Skip);
            var mountPoint = scratch.MountPointOf(backing.FsType!);
            Tool.Run("mount", "-o", "remount,ro", mountPoint);
            Assert.True(MountTable.IsReadOnly(mountPoint, MountTable.Read()));

            var again = runner.Run(ScenarioFile.Parse(text, "c.scn")[0], interrupt: TestContext.Current.CancellationToken);

            Assert.Null(again.Skip);
            Assert.False(MountTable.IsReadOnly(scratch.MountPointOf(backing.FsType!), MountTable.Read()), backing.Name);
        }
    }

    [Fact]
    public void AScenarioThisHostCannotRunIsASkipWithItsReasonAndLeavesNothing()
    {
        Assert.SkipUnless(SystemInfo.IsRoot, "needs root");
        Assert.SkipWhen(PinPaths.PinPathRegistry.For(PinPathTable.RdmaMr).Unavailable is null, "this host has an RDMA device");
        using var scratch = new ScratchSpace();
        var scenario = ScenarioFile.Parse("backing memfd\nfile size=64K\npin rdma-mr\ncheck\n", "r.scn")[0];
        using var runner = new ScenarioRunner(scratch);
        var observation = runner.Run(scenario, interrupt: TestContext.Current.CancellationToken);
        Assert.False(string.IsNullOrWhiteSpace(observation.Skip));
        Assert.Empty(observation.Steps);
        Assert.Empty(Directory.GetFileSystemEntries(scratch.Root));
    }
}
