using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Bridge.Linux.Interop;

namespace Bridge.Cli.Tests;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MachineStateCollection
{
    // These tests compare machine-wide state (vm.nr_hugepages) before and after: nothing else of this assembly runs beside them.
    public const string Name = "machine state";
}

/// <summary>
/// A real `pinbridge run` killed with SIGKILL at random points of a hugetlb and an ext4 scenario leaves nothing behind
/// once the next run (or `pinbridge cleanup`) has swept: the huge page count, the mount table, the loop devices and the
/// scratch directories are as before. tests/leaks/kill-runs.sh does the same with more kills and other targets.
/// </summary>
[Collection(MachineStateCollection.Name)]
public class LeakTests
{
    /// <summary>The scenarios tests/leaks/kill-runs.sh kills too.</summary>
    private static string Scenario(string name) => Path.Combine(BridgeProcess.RepoRoot, "tests", "leaks", name + ".scn");

    [Fact]
    public void Ten_runs_killed_at_random_points_leave_nothing_after_the_next_run_or_cleanup()
    {
        Assert.SkipUnless(SystemInfo.IsRoot, "loop mounts and huge pages need root");
        var (hugetlb, ext4, tmpfs) = (Scenario("hugetlb"), Scenario("ext4"), Scenario("tmpfs"));
        var random = new Random(20251202);
        var hugePagesBefore = HostState.NrHugepages();
        var killed = new List<int>();
        var leftAfterKill = 0;
        for (var i = 0; i < 10; i++)
        {
            var pid = StartAndKill(i % 2 == 0 ? hugetlb : ext4, TimeSpan.FromSeconds(0.3 + (random.NextDouble() * 2.5)));
            killed.Add(pid);
            if (HostState.Leaks(killed, hugePagesBefore).Count > 0)
                leftAfterKill++;
            // Two kills in four the next run sweeps; after the others `pinbridge cleanup` does.
            var (code, _, stderr) = i % 4 < 2 ? BridgeProcess.Run("run", tmpfs) : BridgeProcess.Run("cleanup");
            Assert.True(code == 0, $"after kill {i}: exit {code}: {stderr}");
            Assert.Equal([], HostState.Leaks(killed, hugePagesBefore));
        }
        // A kill leaves something most of the time (a run takes its scratch space within its first half second).
        Assert.InRange(leftAfterKill, 1, 10);
        Assert.Equal("nothing left by killed runs", BridgeProcess.Run("cleanup", "--dry-run").Stdout.Trim());
    }

    [Fact]
    public async Task Two_concurrent_runs_without_root_share_no_file_and_leave_nothing()
    {
        Assert.SkipUnless(SystemInfo.IsRoot, "needs root to start the runs as nobody");
        var bridge = Path.Combine(AppContext.BaseDirectory, "pinbridge");
        var scenario = Scenario("tmpfs");
        var cannot = HostState.NobodyCannotRun(scenario);
        Assert.SkipWhen(cannot is not null, cannot ?? "");
        var runs = new[] { HostState.AsNobody(bridge, "run", scenario), HostState.AsNobody(bridge, "run", scenario) };
        var outputs = runs.Select(r => (Stdout: r.StandardOutput.ReadToEndAsync(), Stderr: r.StandardError.ReadToEndAsync())).ToList();
        foreach (var run in runs)
            Assert.True(run.WaitForExit(120_000), "a run as nobody did not finish in 2 minutes");
        for (var i = 0; i < runs.Length; i++)
        {
            var stdout = await outputs[i].Stdout;
            Assert.True(runs[i].ExitCode == 0, $"run {i} as nobody exited {runs[i].ExitCode}:\n{stdout}\n{await outputs[i].Stderr}");
            Assert.Contains("6 scenarios: 6 intact", stdout);
        }
        var pids = runs.Select(r => r.Id).ToList();
        Assert.Empty(Named(pids, "/dev/shm"));
        Assert.Empty(Named(pids, "/var/tmp"));
        var state = $"/var/tmp/bridge-state-{HostState.NobodyUid()}";
        Assert.False(Directory.Exists(state) && Directory.EnumerateDirectories(state, "run-*").Any(d => pids.Any(p => Path.GetFileName(d).StartsWith($"run-{p}-", StringComparison.Ordinal))),
            "a finished run's ledger is gone");
    }

    /// <summary>Starts `pinbridge run FILE`, kills it with SIGKILL after <paramref name="after"/>, and returns its pid.</summary>
    private static int StartAndKill(string scenario, TimeSpan after)
    {
        using var run = Process.Start(new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "pinbridge"), ["run", scenario])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        run.WaitForExit(after);
        if (!run.HasExited)
            Mono.Unix.Native.Syscall.kill(run.Id, Mono.Unix.Native.Signum.SIGKILL);
        run.WaitForExit();
        return run.Id;
    }

    private static IEnumerable<string> Named(IReadOnlyList<int> pids, string parent) =>
        Directory.GetDirectories(parent, "bridge-*").Where(d => pids.Any(p => Path.GetFileName(d).StartsWith($"bridge-{p}-", StringComparison.Ordinal)));
}
