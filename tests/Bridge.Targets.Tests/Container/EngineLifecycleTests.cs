using Bridge.Targets.Container;
using Docker.DotNet.Models;

namespace Bridge.Targets.Tests.Container;

/// <summary>Each test brings up a private dockerd of its own (own run directory, data root and socket), so it runs
/// beside the collection's engine and whatever else is on the machine, and checks that down leaves nothing.</summary>
public sealed class EngineLifecycleTests
{
    [Fact]
    public async Task Up_is_idempotent_and_down_leaves_no_process_mount_or_socket()
    {
        var layout = FreshLayout();
        try
        {
            using var engine = await UpOrSkipAsync(layout);
            Assert.True(engine.StartedByThisCall);
            Assert.Equal(EngineKind.Private, engine.Kind);
            Assert.Equal(layout.Endpoint, engine.Endpoint);
            var pid = PrivateDockerd.RunningPid(layout) ?? throw new Xunit.Sdk.XunitException("no dockerd pid after up");
            var helpers = HostFacts.PidsWhoseCommandLineContains(layout.ExecRoot + "/");
            Assert.NotEmpty(helpers); // its containerd

            using (var again = await DockerEngine.EngineUpAsync(new EngineUpOptions { Layout = layout, UseExistingEngine = false }, TestContext.Current.CancellationToken))
            {
                Assert.False(again.StartedByThisCall);
                Assert.Equal(pid, PrivateDockerd.RunningPid(layout));
            }
            var status = await DockerEngine.StatusAsync(layout, TestContext.Current.CancellationToken);
            Assert.True(status.Answering);
            Assert.Equal(pid, status.PrivateDockerdPid);

            var down = await PrivateDockerd.StopAsync(layout, ct: TestContext.Current.CancellationToken);
            Assert.True(down.WasRunning);
            Assert.Equal(pid, down.DockerdPid);
            Assert.False(down.NeededSigkill);
            AssertNothingLeft(layout, [pid, .. helpers]);

            var twice = await PrivateDockerd.StopAsync(layout, ct: TestContext.Current.CancellationToken);
            Assert.False(twice.WasRunning);
            Assert.False((await DockerEngine.StatusAsync(layout, TestContext.Current.CancellationToken)).PrivateDockerdPid.HasValue);
        }
        finally
        {
            await CleanUpAsync(layout);
        }
    }

    [Fact]
    public async Task Down_after_dockerd_was_killed_ends_its_shims_containers_cgroups_and_mounts()
    {
        var layout = FreshLayout();
        try
        {
            int containerPid;
            using (var engine = await UpOrSkipAsync(layout))
            {
                // Imported from the cached rootfs tarball (the collection fixture built it): seconds, no debootstrap.
                var image = await new ImageBuilder(engine).EnsureAsync(ImageRecipe.FromRepository(HostFacts.RepositoryRoot()), ct: TestContext.Current.CancellationToken);
                var created = await engine.Client.Containers.CreateContainerAsync(new CreateContainerParameters
                {
                    Image = image.Reference,
                    Cmd = ["/bin/sleep", "600"],
                    HostConfig = new HostConfig { NetworkMode = "none" },
                }, TestContext.Current.CancellationToken);
                await engine.Client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), TestContext.Current.CancellationToken);
                containerPid = (int)(await engine.Client.Containers.InspectContainerAsync(created.ID, TestContext.Current.CancellationToken)).State.Pid;
            }
            var pid = PrivateDockerd.RunningPid(layout) ?? throw new Xunit.Sdk.XunitException("no dockerd pid after up");
            Assert.Contains($"/{layout.CgroupParent}/", File.ReadAllText($"/proc/{containerPid}/cgroup"));

            // As a crash or `kill -9` would: dockerd gets no chance to stop its containers or unmount anything.
            Mono.Unix.Native.Syscall.kill(pid, Mono.Unix.Native.Signum.SIGKILL);
            for (var i = 0; i < 100 && HostFacts.ProcessAlive(pid); i++)
                await Task.Delay(50, TestContext.Current.CancellationToken);
            // containerd names the exec root too, but dockerd started it with a parent-death signal: it dies with
            // dockerd, sooner or later, and may be gone before `down` looks. The shims (comm "containerd-shim",
            // truncated from containerd-shim-runc-v2) and the container outlive both; those `down` must end.
            var named = HostFacts.PidsWhoseCommandLineContains(layout.ExecRoot + "/");
            var shims = named.Where(p => HostFacts.CommandName(p) == "containerd-shim").ToList();
            Assert.NotEmpty(shims);
            Assert.True(HostFacts.ProcessAlive(containerPid));
            Assert.NotEmpty(HostFacts.MountPointsContaining(layout.DataRoot));

            var down = await PrivateDockerd.StopAsync(layout, ct: TestContext.Current.CancellationToken);
            Assert.False(down.WasRunning);
            Assert.Contains(containerPid, down.LeftoversEnded);
            Assert.Subset(down.LeftoversEnded.ToHashSet(), shims.ToHashSet());
            AssertNothingLeft(layout, [pid, containerPid, .. named]);
            Assert.DoesNotContain(Directory.EnumerateDirectories("/sys/fs/cgroup"), h => Directory.Exists(Path.Combine(h, layout.CgroupParent)));
        }
        finally
        {
            await CleanUpAsync(layout);
        }
    }

    private static PrivateEngineLayout FreshLayout()
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        return new PrivateEngineLayout($"/run/bridge-dt-{id}", $"/var/tmp/bridge-dt-{id}");
    }

    private static async Task<DockerEngine> UpOrSkipAsync(PrivateEngineLayout layout)
    {
        try
        {
            return await DockerEngine.EngineUpAsync(new EngineUpOptions { Layout = layout, UseExistingEngine = false });
        }
        catch (EngineUnavailableException e)
        {
            throw Xunit.Sdk.SkipException.ForSkip("cannot start a private dockerd: " + e.Message);
        }
    }

    private static void AssertNothingLeft(PrivateEngineLayout layout, IEnumerable<int> pids)
    {
        Assert.All(pids, p => Assert.False(HostFacts.ProcessAlive(p), $"pid {p} still runs"));
        Assert.Null(PrivateDockerd.RunningPid(layout));
        Assert.Empty(HostFacts.PidsWhoseCommandLineContains(layout.ExecRoot + "/"));
        Assert.Empty(HostFacts.MountPointsContaining(layout.DataRoot));
        Assert.Empty(HostFacts.MountPointsContaining(layout.RunDirectory));
        Assert.False(File.Exists(layout.Socket));
    }

    private static async Task CleanUpAsync(PrivateEngineLayout layout)
    {
        await PrivateDockerd.StopAsync(layout);
        if (Directory.Exists(layout.RunDirectory))
            Directory.Delete(layout.RunDirectory, recursive: true);
        if (Directory.Exists(layout.DataRoot))
            Directory.Delete(layout.DataRoot, recursive: true);
    }
}
