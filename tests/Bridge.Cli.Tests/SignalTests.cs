using System.Diagnostics;
using Bridge.Linux.Interop;
using Mono.Unix.Native;

namespace Bridge.Cli.Tests;

/// <summary>
/// SIGINT, SIGTERM and a second SIGINT sent to a real `pinbridge run` at a random point of a run whose second scenario
/// races for a minute: it exits 130 within two seconds of the (first) signal, says it was interrupted, and leaves
/// nothing behind — no mount, loop device, scratch or VM run directory, ledger, qemu, container, nor a moved huge
/// page count — on the host, in a VM and in a container; after one signal, what it printed is TAP that prove
/// accepts, ending in <c>Bail out!</c>. tests/leaks/kill-runs.sh does the same with more runs.
/// </summary>
[Collection(MachineStateCollection.Name)]
public class SignalTests
{
    private static readonly TimeSpan ExitLimit = TimeSpan.FromSeconds(2);

    public static TheoryData<string, bool> Signals => new() { { "SIGINT", false }, { "SIGTERM", false }, { "SIGINT", true } };

    private static string Scenario(string name) => Path.Combine(BridgeProcess.RepoRoot, "tests", "leaks", name + ".scn");

    [Theory]
    [MemberData(nameof(Signals))]
    public void On_the_host_a_signal_stops_the_run_within_two_seconds_and_leaves_nothing(string signal, bool twice)
    {
        Assert.SkipUnless(SystemInfo.IsRoot, "loop mounts and huge pages need root");
        Interrupt("host", Scenario("signal-hugetlb"), signal, twice, from: 1, to: 5);
    }

    /// <summary>qemu under TCG boots in 4–10 s and starts the agent after: the window reaches into the race.</summary>
    [Theory]
    [MemberData(nameof(Signals))]
    public void In_a_vm_a_signal_stops_qemu_within_two_seconds_and_leaves_nothing(string signal, bool twice)
    {
        Assert.SkipUnless(SystemInfo.IsRoot, "the comparison of huge pages and ledgers reads root's state");
        const string target = "vm:debian-6.12";
        var (warm, warmOut, warmErr) = WarmUp(target);
        Assert.SkipWhen(warmOut.Contains("VM target unavailable", StringComparison.Ordinal), $"{target} cannot run here: {warmOut.Trim()}");
        Assert.True(warm == 0, $"a run on {target} before the signal tests exited {warm}: {warmOut}{warmErr}");
        Interrupt(target, Scenario("signal-ext4"), signal, twice, from: 2, to: 30);
    }

    /// <summary>The engine is up before the run (the private dockerd the container tests start), so that the run
    /// has no engine of its own to stop; the image is built by a first run.</summary>
    [Theory]
    [MemberData(nameof(Signals))]
    public void In_a_container_a_signal_stops_the_agent_within_two_seconds_and_leaves_nothing(string signal, bool twice)
    {
        Assert.SkipUnless(SystemInfo.IsRoot, "the private dockerd and loop devices need root");
        using var engine = EngineScope.Up();
        var (warm, _, warmErr) = WarmUp("container");
        Assert.True(warm == 0, $"a container run before the signal tests exited {warm}: {warmErr}");
        Interrupt("container", Scenario("signal-hugetlb"), signal, twice, from: 1, to: 8);
    }

    private static readonly Dictionary<string, (int ExitCode, string Stdout, string Stderr)> WarmRuns = [];

    /// <summary>One short run on the target per test class, before any is signalled: it fetches the kernel or builds
    /// the image, so that the signal lands in a run and not in a one-time set-up.</summary>
    private static (int ExitCode, string Stdout, string Stderr) WarmUp(string target)
    {
        lock (WarmRuns)
        {
            if (!WarmRuns.TryGetValue(target, out var run) || run.ExitCode != 0)
                WarmRuns[target] = run = BridgeProcess.Run("run", "--target", target, Scenario("tmpfs"));
            return run;
        }
    }

    /// <summary>Starts the run, signals it after a random delay in [<paramref name="from"/>, <paramref name="to"/>]
    /// seconds (twice, 0.2 s apart, when <paramref name="twice"/>), and checks how it ended and what it left.</summary>
    private static void Interrupt(string target, string scenario, string signal, bool twice, double from, double to)
    {
        var hugePagesBefore = HostState.NrHugepages();
        var delay = TimeSpan.FromSeconds(from + (Random.Shared.NextDouble() * (to - from)));
        // SIGINT and SIGTERM as a terminal and a service manager deliver them, whatever this test host ignores.
        var start = new ProcessStartInfo("/usr/bin/env", ["--default-signal=INT,TERM", Path.Combine(AppContext.BaseDirectory, "pinbridge"), "run", "--tap", "--target", target, scenario])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = BridgeProcess.RepoRoot,
        };
        using var run = Process.Start(start)!;
        var stdout = run.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = run.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        var what = $"{(twice ? "two " : "")}{signal} to `pinbridge run --target {target}` after {delay.TotalSeconds:0.00}s";
        if (run.WaitForExit(delay))
            Assert.Fail($"{what}: the run ended before the signal (exit {run.ExitCode}):\n{stdout.Result}\n{stderr.Result}");

        var clock = Stopwatch.StartNew();
        var signum = signal == "SIGINT" ? Signum.SIGINT : Signum.SIGTERM;
        Assert.Equal(0, Syscall.kill(run.Id, signum));
        if (twice && !run.WaitForExit(TimeSpan.FromMilliseconds(200)))
            Syscall.kill(run.Id, signum);
        var exited = run.WaitForExit(TimeSpan.FromSeconds(60));
        var took = clock.Elapsed;
        if (!exited)
            Syscall.kill(run.Id, Signum.SIGKILL);
        run.WaitForExit();
        Assert.True(exited && took <= ExitLimit, $"{what}: exit {(exited ? run.ExitCode : "none")} after {took.TotalSeconds:0.00}s (limit {ExitLimit.TotalSeconds}s)\n{stderr.Result}");
        Assert.True(run.ExitCode == 130, $"{what}: exit {run.ExitCode}, not 130\n{stderr.Result}");
        Assert.Contains($"pinbridge: {signal}: stopping the current step", stderr.Result);
        Assert.Equal([], HostState.Leaks([run.Id], hugePagesBefore));
        // A second signal exits at once, before or while the first one's report is printed.
        if (!twice)
            AssertPartialTap(what, stdout.Result);
        else
            _ = stdout.Result;
    }

    /// <summary>What was judged before the signal, the interrupted scenario as a skip, then <c>Bail out!</c>: prove
    /// (Perl's TAP harness) parses it all; it exits 255 after any bail out, so its summary is what says so. The KTAP
    /// stream plans every scenario before the first runs, so a signal before the last one leaves the plan unmet: prove
    /// says so ("Bad plan") and the run is not a PASS, but no test it read failed.</summary>
    private static void AssertPartialTap(string what, string tap)
    {
        Assert.StartsWith("Bail out! interrupted", tap.TrimEnd().Split('\n')[^1]);
        Assert.DoesNotContain(tap.Split('\n'), l => l.StartsWith("not ok ", StringComparison.Ordinal));
        var path = Path.Combine(Path.GetTempPath(), $"bridge-signal-{Guid.NewGuid():N}.tap");
        File.WriteAllText(path, tap);
        try
        {
            var start = new ProcessStartInfo("prove", ["-e", "cat", path]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var prove = Process.Start(start)!;
            var errors = prove.StandardError.ReadToEndAsync();
            var summary = prove.StandardOutput.ReadToEnd();
            prove.WaitForExit();
            var unmetPlan = summary.Contains("Parse errors: Bad plan.", StringComparison.Ordinal) && summary.Contains(" Failed: 0)", StringComparison.Ordinal);
            Assert.True((summary.Contains("Result: PASS", StringComparison.Ordinal) || unmetPlan) && summary.Contains("Bailout called", StringComparison.Ordinal),
                $"{what}: prove did not accept what the run printed:\n{tap}\n{summary}{errors.Result}");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
