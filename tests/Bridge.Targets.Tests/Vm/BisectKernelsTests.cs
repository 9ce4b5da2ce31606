using System.Diagnostics;
using Bridge.Agent;
using Bridge.Cli.Output;
using Bridge.Core.Probes;
using Bridge.Core.Reports;
using Bridge.Core.Scenarios;
using Bridge.Targets.Agent;
using Bridge.Targets.Bisect;
using Bridge.Targets.Sim;
using Bridge.Targets.Vm.Kernels;

namespace Bridge.Targets.Tests.Vm;

/// <summary>
/// <c>pinbridge bisect</c> on real boots (<c>make test-kernels</c>, <c>BRIDGE_TEST_KERNELS=1</c>: several TCG boots):
/// over versions of a kernel line, and over the commits of a small git tree whose "build" prints the path of a cached
/// Debian kernel (6.1 at the first commit, 6.12 after), so the search runs on real boots without compiling a kernel.
/// The scenario is the io_uring registration probe of an ext4 MAP_SHARED mapping; what each kernel must give is what
/// its line's model (the simulator policy the recipe names) gives, judged by the same rules.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class BisectKernelsTests(VmFixture vm) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bridge-bisect-").FullName;

    private static readonly VerdictRules Rules = new(ByErrno: true, RefusedIsVerdict: true);

    private static Scenario Probe() =>
        PolicyProbes.All([PinPathTable.UringRegister.Name]).Where(p => p.Backing == BackingTable.Ext4 && p.Map == MapKind.Shared)
            .Select(PolicyProbes.ScenarioFor).First();

    private string ProbeFile()
    {
        var path = Path.Combine(_dir, "probe.scn");
        File.WriteAllText(path, ScenarioText.From(Probe()).Text);
        return path;
    }

    /// <summary>The verdict key the line's model gives the probe.</summary>
    private async Task<string> ModelKey(string line)
    {
        await using var model = SimulatorTarget.ForPolicy(vm.Runner.Cache.Recipe.Line(line).Model!);
        var report = await JudgedRun.RunAsync(model, [Probe()], null, TestContext.Current.CancellationToken);
        return VersionVerdict.Classify([report], Rules).Key!;
    }

    private static (int Code, string Stdout, string Stderr) Bridge(params string[] args) => Run(Path.Combine(AppContext.BaseDirectory, "pinbridge"), args, null);

    private static (int Code, string Stdout, string Stderr) Run(string file, IEnumerable<string> args, string? cwd, string? stdin = null)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin is not null, WorkingDirectory = cwd ?? RepositoryRoot.Path };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        if (stdin is not null)
        {
            p.StandardInput.Write(stdin);
            p.StandardInput.Close();
        }
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout, stderr.Result);
    }

    /// <summary>jq's answer to <paramref name="filter"/> on the document (jq -e: false or null fails).</summary>
    private static void Jq(string json, string filter)
    {
        var (code, stdout, stderr) = Run("jq", ["-e", filter], null, json);
        Assert.True(code == 0, $"jq -e '{filter}' exited {code}: {stdout}{stderr}");
    }

    [Fact]
    public async Task BisectingTwoCachedVersionsOfALineBootsBothAndComparesTheirVerdicts()
    {
        Assert.SkipUnless(Environment.GetEnvironmentVariable(KernelLinesTests.Switch) == "1", $"boots kernels; run by make test-kernels ({KernelLinesTests.Switch}=1)");
        VmHost.RequireBoot();
        const string line = "debian-6.12";
        var ct = TestContext.Current.CancellationToken;
        var offered = await vm.Runner.Cache.VersionsAsync(vm.Runner.Cache.Recipe.Line(line), ct);
        var cached = vm.Runner.Cache.Cached().Select(c => c.Version).OfType<KernelVersion>().Where(v => v.Line == line && offered.Any(o => o.Abi == v.Abi))
            .OrderByDescending(v => v.Version).Take(2).ToList();
        var ends = cached.Count == 2 ? cached : [.. offered.Take(2)]; // newest first; fetched once when the cache has fewer
        var expected = await ModelKey(line);

        var (code, json, stderr) = Bridge("bisect", ProbeFile(), "--line", line, "--good", ends[1].Abi, "--bad", ends[0].Abi, "--refused", "verdict", "--errno", "--json");

        Assert.True(code == BisectOutcome.NoChange, $"exit {code}: {stderr}\n{json}");
        Jq(json, $".command == \"bisect\" and .exitCode == {BisectOutcome.NoChange} and .result.kind == \"no-change\"");
        Jq(json, $".old == \"{ends[1].Abi}\" and .new == \"{ends[0].Abi}\" and (.tested | length) == 2");
        Jq(json, $"[.tested[] | .release] | sort == {System.Text.Json.JsonSerializer.Serialize(ends.Select(v => v.Release).Order(StringComparer.Ordinal))}");
        Jq(json, $"all(.tested[]; .verdict == {System.Text.Json.JsonSerializer.Serialize(expected)})");
        Jq(json, "all(.tested[].scenarios[].steps[]; (.at | test(\"probe.scn:[0-9]+$\")) and (.result | length) > 0)");
    }

    [Fact]
    public async Task BisectingCommitsOfATreeFindsTheCommitThatSwitchedKernels()
    {
        Assert.SkipUnless(Environment.GetEnvironmentVariable(KernelLinesTests.Switch) == "1", $"boots kernels; run by make test-kernels ({KernelLinesTests.Switch}=1)");
        VmHost.RequireBoot();
        var ct = TestContext.Current.CancellationToken;
        var old = await vm.Runner.Cache.GetAsync(KernelSource.Line("debian-6.1"), ct);
        var @new = await vm.Runner.Cache.GetAsync(KernelSource.Line("debian-6.12"), ct);
        var (oldKey, newKey) = (await ModelKey("debian-6.1"), await ModelKey("debian-6.12"));
        Assert.NotEqual(oldKey, newKey); // the models tell the two lines apart, so a change must be found

        // A tree whose "build" at each commit prints the bzImage and modules directory kernel.txt names.
        var tree = Path.Combine(_dir, "tree");
        Directory.CreateDirectory(tree);
        void Git(params string[] args)
        {
            var (code, stdout, stderr) = Run("git", ["-c", "user.name=Bridge", "-c", "user.email=bridge@localhost", .. args], tree);
            Assert.True(code == 0, $"git {string.Join(' ', args)}: {stdout}{stderr}");
        }
        Git("init", "-q", "-b", "main");
        var kernels = new[] { old, @new, @new };
        foreach (var (kernel, i) in kernels.Select((k, i) => (k, i)))
        {
            File.WriteAllText(Path.Combine(tree, "kernel.txt"), $"{kernel.BzImage}\n{kernel.ModulesDirectory}\n");
            File.WriteAllText(Path.Combine(tree, "history.txt"), $"commit {i}\n");
            Git("add", "-A");
            Git("commit", "-q", "-m", $"commit {i}: {kernel.Name}");
        }
        var script = Path.Combine(_dir, "build.sh");
        File.WriteAllText(script, "#!/bin/sh\necho \"building $1\" >&2\ncat kernel.txt\n");
        Assert.Equal(0, Run("chmod", ["+x", script], null).Code);
        var commits = Run("git", ["log", "--reverse", "--format=%h"], tree).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var firstNew = Array.FindIndex(kernels, k => k != old);

        var (code, json, stderr) = Bridge("bisect", ProbeFile(), "--kernel", script, "--tree", tree, "--good", commits[0], "--bad", commits[^1],
            "--refused", "verdict", "--errno", "--json");

        Assert.True(code == BisectOutcome.ChangeFound, $"exit {code}: {stderr}\n{json}");
        Jq(json, $".result.kind == \"changed\" and .result.lastOld == \"{commits[firstNew - 1]}\" and .result.firstNew == \"{commits[firstNew]}\"");
        Jq(json, $"(.tested | length) == {kernels.Length}");
        Jq(json, $"all(.tested[]; .verdict == (if .release == \"{old.Release}\" then {System.Text.Json.JsonSerializer.Serialize(oldKey)} else {System.Text.Json.JsonSerializer.Serialize(newKey)} end))");
        Jq(json, $"[.tested[] | select(.name == \"{commits[firstNew]}\") | .release] == [\"{@new.Release}\"]");
        // The tree is back on its branch, with nothing changed.
        Assert.Equal("main", Run("git", ["symbolic-ref", "--short", "HEAD"], tree).Stdout.Trim());
        Assert.Equal("", Run("git", ["status", "--porcelain"], tree).Stdout.Trim());
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
