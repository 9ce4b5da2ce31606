using Bridge.Core.Repro;
using Bridge.Core.Scenarios;
using Bridge.Targets.Vm;
using Bridge.Targets.Vm.Kernels;
using System.Diagnostics;

namespace Bridge.Targets.Tests.Vm;

/// <summary>The C reproducer of the seed's lost write, compiled on the host and run inside Debian kernels through the
/// VM target (its boot image, 9p share and scratch disks): 6.1 loses the RDMA write made after writeback (exit 1,
/// lost-write), 6.12 refuses the writable registration of a MAP_SHARED ext4 mapping (exit 4).</summary>
[Collection(VmCollection.Name)]
public sealed class ReproInVmTests(VmFixture vm)
{
    [Theory]
    [InlineData("debian-6.1", ReproExit.Finding, "lost-write")]
    [InlineData("debian-6.12", ReproExit.Refused, "failed with EFAULT")]
    public async Task TheSeedLostWriteReproducerReportsWhatTheKernelDoes(string line, int exit, string says)
    {
        VmHost.RequireBoot();
        Assert.SkipUnless(File.Exists("/usr/bin/gcc"), "gcc is not installed (containers/host-packages.txt)");
        var path = Path.Combine(RepositoryRoot.Path, "scenarios", "seed", "lost-write-after-writeback.scn");
        var scenario = ScenarioFile.Parse(File.ReadAllText(path), "scenarios/seed/lost-write-after-writeback.scn").Single();
        var dir = Directory.CreateTempSubdirectory("bridge-repro-vm-").FullName;
        try
        {
            var text = ReproGenerator.Generate(scenario);
            File.WriteAllText(Path.Combine(dir, "repro.c"), text);
            var build = text[..text.IndexOf('\n', StringComparison.Ordinal)]["/* build: ".Length..^" */".Length];
            using (var gcc = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", build]) { WorkingDirectory = dir })!)
            {
                await gcc.WaitForExitAsync(TestContext.Current.CancellationToken);
                Assert.Equal(0, gcc.ExitCode);
            }
            // The guest's soft-RoCE device as `pinbridge rxe up` makes it; the reproducer makes its ext4 on the run's scratch disk.
            var script = string.Join('\n',
                "set -e",
                "ip link set lo up",
                "ip link add rxe-net type dummy && ip addr add 10.77.0.1/24 dev rxe-net && ip link set rxe-net up",
                "rdma link add rxe0 type rxe netdev rxe-net",
                "set +e",
                $"{GuestPaths.Of(Path.Combine(dir, "repro"))} -d \"${{BRIDGE_DISKS%% *}}\" /tmp/ext4");
            var stdout = new List<string>();
            var target = new VmTarget(KernelSource.Line(line), vm.Runner);
            var result = await target.RunCommandAsync(["sh", "-c", script + " 2>&1"], [scenario], l =>
            {
                stdout.Add(l.Text);
                return Task.CompletedTask;
            }, TestContext.Current.CancellationToken);

            var output = string.Join('\n', stdout);
            TestContext.Current.TestOutputHelper?.WriteLine(output);
            Assert.True(result.Outcome == VmOutcome.Exited, $"{result.Message}\n{string.Join('\n', result.ConsoleTail)}");
            Assert.True(result.ExitCode == exit, $"{line}: exit {result.ExitCode}, expected {exit}\n{output}\n{string.Join('\n', result.ConsoleTail.TakeLast(10))}");
            Assert.Contains(says, output);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
