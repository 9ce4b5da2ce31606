using System.Diagnostics;
using Bridge.Core.Execution;
using Bridge.Core.Repro;
using Bridge.Core.Scenarios;

namespace Bridge.Core.Tests;

/// <summary>The C reproducer generator: every verb, backing and pin path has its C, and the reproducer of every
/// scenario of every suite (scenarios/*/) compiles with gcc -O2 -Wall -Wextra -Werror.</summary>
public class ReproTests
{
    [Fact]
    public void EveryExecutedVerbHasACEmitter() =>
        Assert.Empty(VerbTable<object>.Missing(CStepEmitters.Emitted).Select(v => v.Keyword));

    [Fact]
    public void EveryBackingAndPinPathHasAReproducerRow()
    {
        Assert.Equal(BackingTable.All.Select(b => b.Name), CBackings.Rows.Select(b => b.Name));
        Assert.Equal(PinPathTable.All.Select(p => p.Name), CPinPaths.Rows.Select(p => p.Name));
    }

    /// <summary>The expectations are the oracle's: a refused pin takes the device's writes out of the table.</summary>
    [Fact]
    public void APinRefusedBranchExpectsWhatTheOracleExpectsWithoutTheDevice()
    {
        var scenario = Load("seed", "lost-write-after-writeback.scn").Single();
        var plan = ReproPlan.For(scenario);
        Assert.Equal([0, 1], plan.Branches.Select(b => b.RefusedPins));
        var dma = scenario.AllSteps().Last(s => s.Verb == Verbs.Dma);
        var lastCheck = scenario.AllSteps().Last(s => s.Verb == Verbs.Check).Index;
        var held = plan.Branches[0].Expected.Single(e => e.Check == lastCheck && e.View.Path == Observations.ReadPath.Disk && e.Block == dma.Blocks.First);
        var refused = plan.Branches[1].Expected.Single(e => e.Check == lastCheck && e.View.Path == Observations.ReadPath.Disk && e.Block == dma.Blocks.First);
        Assert.Equal(dma.Index, held.Allowed.SoleOrigin);
        Assert.NotEqual(dma.Index, refused.Allowed.SoleOrigin);
    }

    [Fact]
    public void TheReproducerOfEveryScenarioOfEverySuiteCompilesWarningFree()
    {
        Assert.SkipUnless(File.Exists("/usr/bin/gcc"), "gcc is not installed (containers/host-packages.txt)");
        var scenarios = Directory.GetFiles(Path.Combine(Repo.Root, "scenarios"), "*.scn", SearchOption.AllDirectories).Order()
            .SelectMany(path => ScenarioFile.Parse(File.ReadAllText(path), Path.GetRelativePath(Repo.Root, path)))
            .ToList();
        Assert.True(scenarios.Count > 10, $"found {scenarios.Count} scenarios");
        var root = Directory.CreateTempSubdirectory("bridge-repro-").FullName;
        try
        {
            var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
            Parallel.ForEach(scenarios.Select((s, i) => (s, i)), new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, item =>
            {
                var dir = Path.Combine(root, $"{item.i}");
                Directory.CreateDirectory(dir);
                var text = ReproGenerator.Generate(item.s);
                File.WriteAllText(Path.Combine(dir, "repro.c"), text);
                var build = text[..text.IndexOf('\n', StringComparison.Ordinal)]["/* build: ".Length..^" */".Length];
                var (code, output) = Shell(build, dir);
                if (code != 0 || output.Length > 0)
                    failures.Add($"{item.s.Name}: {build}: exit {code}\n{output}");
            });
            Assert.True(failures.IsEmpty, $"{failures.Count} of {scenarios.Count} reproducers do not compile cleanly:\n{string.Join("\n", failures.Take(3))}");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static IReadOnlyList<Scenario> Load(string suite, string file)
    {
        var path = Path.Combine(Repo.Root, "scenarios", suite, file);
        return ScenarioFile.Parse(File.ReadAllText(path), Path.GetRelativePath(Repo.Root, path));
    }

    private static (int Code, string Output) Shell(string command, string dir)
    {
        var psi = new ProcessStartInfo("/bin/sh", ["-c", command + " 2>&1"]) { WorkingDirectory = dir, RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output);
    }
}

/// <summary>The checkout these tests were built from, for its scenario files.</summary>
internal static class Repo
{
    public static readonly string Root = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Bridge.sln")))
                return dir.FullName;
        throw new InvalidOperationException("Bridge.sln not found above " + AppContext.BaseDirectory);
    }
}
