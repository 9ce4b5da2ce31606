using System.Diagnostics;
using Bridge.Linux.Host;
using Bridge.Targets.Container;
using Docker.DotNet.Models;

namespace Bridge.Targets.Tests.Container;

[Collection(EngineCollection.Name)]
public sealed class ContainerRunnerTests(EngineFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Container_runs_on_the_host_kernel_and_loop_mounts_ext4_leaving_nothing_behind()
    {
        var (engine, image) = fixture.Require();
        using var scratch = new ScratchDirectory();
        const string script = """
            set -euo pipefail
            echo "kernel=$(uname -r)"
            echo "recipe=$(cat /etc/bridge-image-recipe)"
            truncate -s 16M /scratch/disk.img
            mkfs.ext4 -q -F /scratch/disk.img
            dev=$(losetup -f --show /scratch/disk.img)
            echo "loop=$dev"
            mkdir -p /mnt/bridge
            mount "$dev" /mnt/bridge
            echo "written through $dev" > /mnt/bridge/probe
            sync
            echo "read=$(cat /mnt/bridge/probe)"
            umount /mnt/bridge
            losetup -d "$dev"
            """;
        var lines = new List<OutputLine>();
        var result = await new ContainerRunner(engine).RunAsync(new ContainerRunSpec { Image = image.Reference, Command = ["/bin/bash", "-c", script], ScratchDirectory = scratch.Path, Timeout = TimeSpan.FromMinutes(2) }, line => Record(lines, line), TestContext.Current.CancellationToken);

        Assert.Equal(0, result.ExitCode);
        Assert.False(result.TimedOut);
        var stdout = lines.Where(l => l.Stream == OutputStream.StdOut).Select(l => l.Text).ToList();
        // Containers share the host's kernel: the release must be the host's own, read here from /proc.
        Assert.Contains("kernel=" + HostFacts.KernelRelease(), stdout);
        Assert.Contains("recipe=" + fixture.Recipe.Hash, stdout);
        var device = Assert.Single(stdout, l => l.StartsWith("loop=", StringComparison.Ordinal))["loop=".Length..];
        Assert.Matches("^/dev/loop[0-9]+$", device);
        Assert.Contains($"read=written through {device}", stdout);

        // Privileged=true can only work when the host's bounding set holds every capability the kernel knows.
        var host = Capabilities.HostBoundingSet();
        Assert.Equal(host.Missing.Count == 0 ? PrivilegeMode.Privileged : PrivilegeMode.ExplicitCapabilities, result.Privilege);
        if (result.Privilege == PrivilegeMode.ExplicitCapabilities)
            Assert.Contains("CAP_SYS_ADMIN", result.CapabilitiesGranted);

        // The write reached the image file through the loop device: read it back on the host, outside Docker.
        var debugfs = Process.Start(new ProcessStartInfo("/usr/sbin/debugfs", ["-R", "cat /probe", Path.Combine(scratch.Path, "disk.img")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var content = await debugfs.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await debugfs.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.Equal($"written through {device}\n", content);

        await AssertNothingLeftAsync(engine, result.ContainerId, scratch.Path);
        Assert.Empty(result.LoopDevicesDetached); // the script detached its own device
        output.WriteLine($"start to exit and removal: {result.Duration.TotalSeconds:0.00} s; privilege {result.Privilege}; notes: {string.Join(" | ", result.Notes)}");
    }

    [Fact]
    public async Task Exit_code_and_both_streams_come_back_line_by_line()
    {
        var (engine, image) = fixture.Require();
        var lines = new List<OutputLine>();
        var result = await new ContainerRunner(engine).RunAsync(new ContainerRunSpec
        {
            Image = image.Reference,
            Command = ["/bin/bash", "-c", "printf 'out 1\\nout 2\\n'; echo 'err 1' >&2; printf 'unterminated'; exit 7"],
            Timeout = TimeSpan.FromMinutes(1),
        }, line => Record(lines, line), TestContext.Current.CancellationToken);

        Assert.Equal(7, result.ExitCode);
        Assert.False(result.Succeeded);
        Assert.Equal(["out 1", "out 2", "unterminated"], lines.Where(l => l.Stream == OutputStream.StdOut).Select(l => l.Text));
        Assert.Equal(["err 1"], lines.Where(l => l.Stream == OutputStream.StdErr).Select(l => l.Text));
        Assert.Equal(lines.OrderBy(l => l.Text), result.LogTail.OrderBy(l => l.Text));
        await AssertNothingLeftAsync(engine, result.ContainerId, null);
    }

    [Fact]
    public async Task Environment_and_working_directory_and_read_only_mounts_are_applied()
    {
        var (engine, image) = fixture.Require();
        using var source = new ScratchDirectory();
        await File.WriteAllTextAsync(Path.Combine(source.Path, "marker"), "from the host", TestContext.Current.CancellationToken);
        var lines = new List<OutputLine>();
        var result = await new ContainerRunner(engine).RunAsync(new ContainerRunSpec
        {
            Image = image.Reference,
            Command = ["/bin/bash", "-c", "echo \"pwd=$PWD probe=$BRIDGE_PROBE\"; cat /src/marker; echo; touch /src/new 2>/dev/null && echo writable || echo read-only"],
            Environment = new Dictionary<string, string> { ["BRIDGE_PROBE"] = "x=y" },
            WorkingDirectory = "/src",
            Mounts = [new BindMount(source.Path, "/src", ReadOnly: true)],
            Timeout = TimeSpan.FromMinutes(1),
        }, line => Record(lines, line), TestContext.Current.CancellationToken);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["pwd=/src probe=x=y", "from the host", "read-only"], lines.Select(l => l.Text));
        Assert.False(File.Exists(Path.Combine(source.Path, "new")));
    }

    [Fact]
    public async Task A_command_that_outlives_its_timeout_is_killed_and_removed()
    {
        var (engine, image) = fixture.Require();
        var clock = Stopwatch.StartNew();
        var result = await new ContainerRunner(engine).RunAsync(new ContainerRunSpec
        {
            Image = image.Reference,
            Command = ["/bin/sleep", "600"],
            Timeout = TimeSpan.FromSeconds(2),
        }, ct: TestContext.Current.CancellationToken);

        Assert.True(result.TimedOut);
        Assert.Equal(137, result.ExitCode); // 128 + SIGKILL
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(60));
        await AssertNothingLeftAsync(engine, result.ContainerId, null);
    }

    [Fact]
    public async Task Cancellation_removes_the_container_and_detaches_its_loop_device()
    {
        var (engine, image) = fixture.Require();
        using var scratch = new ScratchDirectory();
        using var cancel = new CancellationTokenSource();
        var run = new ContainerRunner(engine).RunAsync(
            new ContainerRunSpec
            {
                Image = image.Reference,
                Command = ["/bin/bash", "-c", "truncate -s 8M /scratch/x.img; losetup -f --show /scratch/x.img; echo attached; exec sleep 600"],
                ScratchDirectory = scratch.Path,
                Timeout = TimeSpan.FromMinutes(5),
            },
            line =>
            {
                output.WriteLine(line.ToString());
                if (line.Text == "attached")
                    cancel.Cancel(); // as Ctrl-C does through the caller's token
            },
            cancel.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.Empty(await OwnContainersAsync(engine));
        Assert.Empty(await LoopDevices.BackedByFilesUnderAsync(scratch.Path, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Loop_devices_a_command_leaves_attached_are_detached_after_it()
    {
        var (engine, image) = fixture.Require();
        using var scratch = new ScratchDirectory();
        var lines = new List<OutputLine>();
        var result = await new ContainerRunner(engine).RunAsync(new ContainerRunSpec
        {
            Image = image.Reference,
            Command = ["/bin/bash", "-c", "truncate -s 8M /scratch/left.img; losetup -f --show /scratch/left.img"],
            ScratchDirectory = scratch.Path,
            Timeout = TimeSpan.FromMinutes(1),
        }, line => Record(lines, line), TestContext.Current.CancellationToken);

        Assert.Equal(0, result.ExitCode);
        var device = Assert.Single(lines).Text;
        Assert.Equal([device], result.LoopDevicesDetached);
        await AssertNothingLeftAsync(engine, result.ContainerId, scratch.Path);
    }

    [Fact]
    public async Task A_missing_image_is_a_clear_error_and_creates_nothing()
    {
        var (engine, _) = fixture.Require();
        var error = await Assert.ThrowsAsync<ContainerException>(() => new ContainerRunner(engine).RunAsync(new ContainerRunSpec
        {
            Image = "bridge-test:no-such-recipe",
            Command = ["/bin/true"],
        }, ct: TestContext.Current.CancellationToken));

        Assert.Contains("bridge-test:no-such-recipe", error.Message);
        Assert.Contains("ImageBuilder", error.Message);
        Assert.Empty(await OwnContainersAsync(engine));
    }

    [Fact]
    public async Task Containers_in_the_ledger_of_a_killed_run_are_swept_and_a_live_runs_kept()
    {
        var (engine, image) = fixture.Require();
        var state = Directory.CreateTempSubdirectory("bridge-ledgers-");
        // A pid that is certainly not running with start time 1 (no process starts one tick after boot but init).
        using var exited = Process.Start("/bin/true")!;
        await exited.WaitForExitAsync(TestContext.Current.CancellationToken);
        async Task<string> CreateAsync(RunLedger owner)
        {
            var name = "bridge-test-" + Guid.NewGuid().ToString("N")[..12];
            owner.Take(ContainerRunner.Leftover.Kind, name);
            return (await engine.Client.Containers.CreateContainerAsync(new CreateContainerParameters
            {
                Name = name,
                Image = image.Reference,
                Cmd = ["/bin/true"],
                Labels = new Dictionary<string, string> { [ContainerRunner.ManagedLabel] = "1" },
                HostConfig = new HostConfig { NetworkMode = "none" },
            })).ID;
        }
        var orphan = await CreateAsync(new RunLedger(state.FullName, new ProcessIdentity(HostProcesses.BootId, exited.Id, 1)));
        var live = await CreateAsync(new RunLedger(state.FullName, ProcessIdentity.Current));
        try
        {
            var swept = await LedgerSweep.RunAsync([ContainerRunner.Leftover], stateDirectory: state.FullName);

            Assert.Single(swept, l => l.Failure is null);
            var left = (await engine.Client.Containers.ListContainersAsync(new ContainersListParameters { All = true }, TestContext.Current.CancellationToken)).Select(c => c.ID).ToList();
            Assert.DoesNotContain(orphan, left);
            Assert.Contains(live, left);
        }
        finally
        {
            await engine.Client.Containers.RemoveContainerAsync(live, new ContainerRemoveParameters { Force = true }, TestContext.Current.CancellationToken);
            state.Delete(recursive: true);
        }
    }

    /// <summary>The real outcome of the explicit-capabilities mode, read here without the code under test: the
    /// container's effective set is the host's bounding set (from /proc) less exactly the capabilities the runner
    /// said the engine does not know; the host's loop devices are there; /dev/kmsg is readable, not writable.</summary>
    [Fact]
    public async Task Under_explicit_capabilities_a_container_holds_the_hosts_bounding_set_and_loop_devices_and_reads_kmsg_only()
    {
        var (engine, image) = fixture.Require();
        var host = Mask(File.ReadLines("/proc/self/status"), "CapBnd:");
        var hostLoops = Directory.EnumerateFiles("/dev", "loop*").Where(p => p.Length > "/dev/loop".Length && Path.GetFileName(p)[4..].All(char.IsAsciiDigit)).ToList();
        var lines = new List<OutputLine>();
        var result = await new ContainerRunner(engine).RunAsync(new ContainerRunSpec
        {
            Image = image.Reference,
            Command = ["/bin/bash", "-c", "grep '^CapEff:' /proc/self/status; ls /dev | grep -E '^loop([0-9]+|-control)$'; (exec 3</dev/kmsg) && echo kmsg-readable; (exec 3>/dev/kmsg) 2>/dev/null && echo kmsg-writable || echo kmsg-not-writable"],
            Privilege = PrivilegeRequest.ExplicitCapabilities,
            Timeout = TimeSpan.FromMinutes(1),
        }, line => Record(lines, line), TestContext.Current.CancellationToken);

        Assert.Equal(0, result.ExitCode);
        var stdout = lines.Where(l => l.Stream == OutputStream.StdOut).Select(l => l.Text).ToList();
        var inside = Mask(stdout, "CapEff:");
        Assert.Equal(0UL, inside & ~host);
        Assert.NotEqual(0UL, inside & (1UL << 21)); // CAP_SYS_ADMIN (linux/capability.h): mounts and loop devices
        Assert.All(DecodeWithCapsh(host & ~inside), name => Assert.Contains(result.Notes, n => n.Contains("does not know", StringComparison.Ordinal) && n.Contains(name, StringComparison.Ordinal)));
        Assert.Subset(stdout.Where(l => l.StartsWith("loop", StringComparison.Ordinal)).Select(d => "/dev/" + d).ToHashSet(), hostLoops.Append("/dev/loop-control").ToHashSet());
        Assert.Contains("kmsg-readable", stdout);
        Assert.Contains("kmsg-not-writable", stdout);
    }

    [Fact]
    public async Task The_image_is_imported_once_per_recipe_and_labelled_with_its_hash()
    {
        var (engine, image) = fixture.Require();
        var again = await new ImageBuilder(engine).EnsureAsync(fixture.Recipe, ct: TestContext.Current.CancellationToken);

        Assert.False(again.Imported);
        Assert.Equal(image.ImageId, again.ImageId);
        Assert.Equal($"bridge-test:{fixture.Recipe.Hash[..12]}", again.Reference);
        var inspected = await engine.Client.Images.InspectImageAsync(again.Reference, TestContext.Current.CancellationToken);
        Assert.Equal(fixture.Recipe.Hash, inspected.Config.Labels["org.bridge.recipe"]);
        output.WriteLine($"image {again.Reference}: {inspected.Size / 1_000_000} MB; fixture log: {string.Join(" | ", fixture.Log.Where(l => !l.StartsWith("I: ", StringComparison.Ordinal)))}");
    }

    private void Record(List<OutputLine> lines, OutputLine line)
    {
        lock (lines)
            lines.Add(line);
        output.WriteLine(line.ToString());
    }

    private static ulong Mask(IEnumerable<string> status, string field) =>
        Convert.ToUInt64(status.Single(l => l.StartsWith(field, StringComparison.Ordinal))[field.Length..].Trim(), 16);

    /// <summary>libcap's own decoder, run here directly.</summary>
    private static List<string> DecodeWithCapsh(ulong mask)
    {
        if (mask == 0)
            return [];
        using var capsh = Process.Start(new ProcessStartInfo("/usr/sbin/capsh", $"--decode=0x{mask:x}") { RedirectStandardOutput = true })!;
        var said = capsh.StandardOutput.ReadToEnd().Trim();
        capsh.WaitForExit();
        return [.. said[(said.IndexOf('=') + 1)..].Split(',').Select(n => n.ToUpperInvariant())];
    }

    private static async Task<IList<ContainerListResponse>> OwnContainersAsync(DockerEngine engine) =>
        await engine.Client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["label"] = new Dictionary<string, bool> { [$"{ContainerRunner.OwnerLabel}={ProcessIdentity.Current}"] = true },
            },
        });

    private static async Task AssertNothingLeftAsync(DockerEngine engine, string containerId, string? scratch)
    {
        var all = await engine.Client.Containers.ListContainersAsync(new ContainersListParameters { All = true });
        Assert.DoesNotContain(all, c => c.ID == containerId);
        Assert.Empty(await OwnContainersAsync(engine));
        Assert.Empty(HostFacts.MountPointsContaining(containerId));
        if (scratch is null)
            return;
        Assert.Empty(HostFacts.MountPointsContaining(scratch));
        Assert.Empty(await LoopDevices.BackedByFilesUnderAsync(scratch));
    }
}
