using System.Diagnostics;
using Bridge.Targets.Bisect;
using Bridge.Targets.Vm.Kernels;

namespace Bridge.Cli.Tests;

/// <summary>
/// SIGINT to a real <c>pinbridge bisect</c> over two versions of debian-6.12 once the first (the old end) is tested,
/// while the second boots: it exits 130 and prints every version tested so far and the range still open — as a
/// table, and with <c>--json</c> as a document jq reads (result kind "interrupted", the untested version). One boot
/// each (the guest runs the native agent: ~30 s under TCG); the versions are the newest two the cache holds, fetched
/// once when it holds fewer.
/// </summary>
public sealed class InterruptedBisectTests : IDisposable
{
    private const string Line = "debian-6.12";
    private readonly string _scenario = BridgeProcess.TempScenario("backing ext4\nfile size=64K\nstore gen=1\nfsync\ncheck\n");

    private static void RequireBoot() => Assert.SkipUnless(
        Environment.GetEnvironmentVariable("BRIDGE_IN_CONTAINER") is not { Length: > 0 } && File.Exists("/usr/bin/qemu-system-x86_64") && File.Exists("/bin/busybox"),
        "needs qemu and busybox on the host, outside the test container (make install)");

    /// <summary>The old and the new end: the newest two versions of the line the cache holds (else the archive offers).</summary>
    private static async Task<(string Old, string New)> Ends()
    {
        var cache = new KernelCache();
        var ct = TestContext.Current.CancellationToken;
        var offered = await cache.VersionsAsync(cache.Recipe.Line(Line), ct);
        var cached = cache.Cached().Select(c => c.Version).OfType<KernelVersion>().Where(v => v.Line == Line && offered.Any(o => o.Abi == v.Abi))
            .OrderByDescending(v => v.Version).Take(2).ToList();
        var ends = cached.Count == 2 ? cached : [.. offered.Take(2)];
        return (ends[1].Abi, ends[0].Abi);
    }

    /// <summary>Runs the bisection and sends SIGINT when its first version is reported tested.</summary>
    private (int Code, string Stdout, string Stderr) InterruptAfterFirst(string old, string @new, params string[] extra)
    {
        var psi = new ProcessStartInfo("/usr/bin/env", ["--default-signal=INT,TERM", Path.Combine(AppContext.BaseDirectory, "pinbridge"),
            "bisect", _scenario, "--line", Line, "--good", old, "--bad", @new, .. extra])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = BridgeProcess.RepoRoot,
        };
        using var bisect = Process.Start(psi)!;
        var stdout = bisect.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = new List<string>();
        while (bisect.StandardError.ReadLine() is { } line)
        {
            stderr.Add(line);
            if (line.StartsWith("bisect #1: ", StringComparison.Ordinal))
                break;
        }
        Assert.True(stderr.Any(l => l.StartsWith("bisect #1: ", StringComparison.Ordinal)), $"no version was reported tested: {string.Join('\n', stderr)}");
        Mono.Unix.Native.Syscall.kill(bisect.Id, Mono.Unix.Native.Signum.SIGINT);
        stderr.AddRange(bisect.StandardError.ReadToEnd().Split('\n'));
        Assert.True(bisect.WaitForExit(TimeSpan.FromSeconds(30)), "bisect did not exit within 30 s of SIGINT");
        return (bisect.ExitCode, stdout.Result, string.Join('\n', stderr));
    }

    [Fact]
    public async Task AnInterruptedBisectPrintsTheVersionTestedAndTheRangeStillOpen()
    {
        RequireBoot();
        var (old, @new) = await Ends();
        var (code, stdout, stderr) = InterruptAfterFirst(old, @new);

        Assert.True(code == BisectOutcome.Interrupted, $"exit {code}: {stdout}\n{stderr}");
        var row = stdout.Split('\n').Single(l => l.TrimStart().StartsWith("1 ", StringComparison.Ordinal));
        Assert.Contains(old, row, StringComparison.Ordinal);
        Assert.Contains("intact", row, StringComparison.Ordinal);
        Assert.DoesNotContain(stdout.Split('\n'), l => l.TrimStart().StartsWith("2 ", StringComparison.Ordinal));
        // The sentence as words: the table's console wraps long lines at its width.
        var words = string.Join(' ', stdout.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"interrupted after 1 of the range's 2 candidates: the change lies between {old} and {@new}, untested: {@new}", words, StringComparison.Ordinal);
        Assert.Contains("interrupted by SIGINT", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnInterruptedBisectWritesAPartialJsonDocument()
    {
        RequireBoot();
        var (old, @new) = await Ends();
        var (code, stdout, stderr) = InterruptAfterFirst(old, @new, "--json");

        Assert.True(code == BisectOutcome.Interrupted, $"exit {code}: {stdout}\n{stderr}");
        var json = _scenario + ".json";
        File.WriteAllText(json, stdout);
        Assert.Equal("true", Consumers.Jq(json, $".exitCode == {BisectOutcome.Interrupted} and .result.kind == \"interrupted\""));
        Assert.Equal("true", Consumers.Jq(json, $".result.lastOld == \"{old}\" and .result.firstNew == null and .result.untested == [\"{@new}\"]"));
        Assert.Equal("true", Consumers.Jq(json, $"[.tested[] | .name] == [\"{old}\"] and .tested[0].verdict != null"));
    }

    public void Dispose()
    {
        File.Delete(_scenario);
        File.Delete(_scenario + ".json");
    }
}
