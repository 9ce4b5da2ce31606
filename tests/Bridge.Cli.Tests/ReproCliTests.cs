using System.Diagnostics;
using Bridge.Core.Repro;
using Bridge.Core.Reports;
using Bridge.Linux.Interop;

namespace Bridge.Cli.Tests;

/// <summary>`pinbridge repro` end to end on this kernel, and `pinbridge run --bisect-exit`'s codes.</summary>
public class ReproCliTests
{
    /// <summary>The reproducer of a default-suite scenario, compiled and run here, holds to the oracle's rules (exit 0)
    /// and leaves files whose every block `pinbridge check` accepts: an ext4 file written by the CPU and O_DIRECT, and a
    /// tmpfs file written through an io_uring registration (liburing, and a fork while it is registered).</summary>
    [Theory]
    [InlineData("writes.scn", "writes[ext4,shared,odirect-read,fsync]", null, "")]
    [InlineData("uring.scn", "uring[tmpfs,shared,fork gen=5 blocks=0-3]", "/dev/shm", " -luring")]
    public void ADefaultSuiteReproducerExitsZeroHereAndLeavesBlocksBridgeCheckAccepts(string file, string scenario, string? dataParent, string libraries)
    {
        Assert.SkipUnless(SystemInfo.IsRoot, "drop_caches and O_DIRECT on a scratch ext4 directory need root");
        Assert.SkipUnless(File.Exists("/usr/bin/gcc"), "gcc is not installed (containers/host-packages.txt)");
        var parent = Environment.GetEnvironmentVariable("BRIDGE_SCRATCH") ?? "/var/tmp";
        Assert.SkipUnless(FsType.Of(parent) == "ext4", $"{parent} is not on ext4; set BRIDGE_SCRATCH to an ext4 directory");
        var dir = Directory.CreateTempSubdirectory("bridge-repro-").FullName;
        var aux = Path.Combine(parent, $"bridge-repro-{Guid.NewGuid():N}");
        var data = dataParent is null ? aux : Path.Combine(dataParent, $"bridge-repro-{Guid.NewGuid():N}");
        Directory.CreateDirectory(aux);
        Directory.CreateDirectory(data);
        try
        {
            var (code, stdout, stderr) = BridgeProcess.Run("repro", $"scenarios/default/{file}", "--only", scenario, "-o", dir);
            Assert.True(code == 0, stderr);
            var build = $"gcc -O2 -Wall -Wextra -Werror repro.c -o repro{libraries}";
            Assert.Contains(build, stdout);
            Assert.StartsWith($"/* build: {build} */\n/* run:", File.ReadAllText(Path.Combine(dir, "repro.c")));
            var (built, errors) = Shell(build, dir);
            Assert.True(built == 0, errors);

            var (exit, output) = Shell(data == aux ? $"./repro {aux}" : $"./repro {data} {aux}", dir);
            Assert.True(exit == ReproExit.Holds, $"exit {exit}\n{output}");
            Assert.Contains("0 block findings, 0 io-errors", output);
            var runId = output.Split('\n')[0].Split("run id ")[1].Trim();
            // The output file is as long as the data file but the scenario writes only its first blocks: the rest
            // are holes, which check passes only when told to.
            foreach (var check in new[] { new[] { "check", Path.Combine(data, "data") }, ["check", Path.Combine(aux, "out-out"), "--allow-holes"] })
            {
                var (checkCode, report, _) = BridgeProcess.Run(check);
                Assert.True(checkCode == 0, report);
                Assert.Contains($"run {runId}", report);
                Assert.Contains("): all intact", report); // CheckReport: "N blocks (B bytes): all intact"
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
            Directory.Delete(aux, recursive: true);
            if (data != aux)
                Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>A CPU store racing mprotect(PROT_READ) in a reproducer: the store looked at the protection, then wrote
    /// into a page made read-only meanwhile, and SIGSEGV killed the reproducer (the harness had the same fault and now
    /// serializes the two). Each run now ends as the oracle says (0) or, when the mprotect landed before the store's
    /// first call, says it cannot judge (3) — never a fault, never a finding.</summary>
    [Fact]
    public void AStoreRacingMprotectInAReproducerNeverFaults()
    {
        Assert.SkipUnless(File.Exists("/usr/bin/gcc"), "gcc is not installed (containers/host-packages.txt)");
        var dir = Directory.CreateTempSubdirectory("bridge-repro-").FullName;
        var data = Directory.CreateTempSubdirectory("bridge-repro-data-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "race.scn"), "backing memfd\nmap shared\nfile size=64K block=4K\nstore gen=1 blocks=all\n" +
                "race count=300\n  store gen=2 blocks=0-3\n  mprotect ro\n  mprotect rw\nend\ncheck\n");
            var (code, _, stderr) = BridgeProcess.Run("repro", Path.Combine(dir, "race.scn"), "-o", dir);
            Assert.True(code == 0, stderr);
            var (built, errors) = Shell("gcc -O2 -Wall -Wextra -Werror repro.c -o repro", dir);
            Assert.True(built == 0, errors);
            var exits = Enumerable.Range(0, 20).Select(_ => Shell($"./repro {data}", dir)).ToList();
            Assert.All(exits, e => Assert.True(e.Code is ReproExit.Holds or ReproExit.CannotJudge, $"exit {e.Code}\n{e.Output}"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public void AMatrixFileWithoutOnlyNamesItsScenariosAndWritesNothing()
    {
        var dir = Directory.CreateTempSubdirectory("bridge-repro-").FullName;
        try
        {
            var (code, _, stderr) = BridgeProcess.Run("repro", "scenarios/default/races.scn", "-o", dir);
            Assert.Equal(2, code);
            Assert.Contains("choose one with --only NAME", stderr);
            Assert.Contains("races[btrfs,msync]", stderr);
            Assert.Empty(Directory.GetFiles(dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>git bisect run's codes, from real runs: the model of 6.1 loses the write (bad), 6.5+ refuses the pin
    /// (cannot test, or good/bad when the refusal is what is bisected), a kernel that is no kernel cannot test.</summary>
    [Theory]
    [InlineData("sim:linux-6.1", "skip", Bisect.Bad)]
    [InlineData("sim:linux-6.5+", "skip", Bisect.CannotTest)]
    [InlineData("sim:linux-6.5+", "good", Bisect.Good)]
    [InlineData("sim:linux-6.5+", "bad", Bisect.Bad)]
    public void BisectExitFollowsGitBisectRun(string target, string refused, int expected)
    {
        var (code, stdout, stderr) = BridgeProcess.Run("run", "--target", target, "--bisect-exit", "--bisect-refused", refused, "scenarios/seed/lost-write-after-writeback.scn");
        Assert.True(code == expected, $"exit {code}\n{stdout}{stderr}");
    }

    [Fact]
    public void BisectExitIsCannotTestWhenTheKernelDoesNotBoot()
    {
        var notAKernel = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(notAKernel, new byte[65536]);
            var (code, stdout, _) = BridgeProcess.Run("run", "--target", "vm", "--kernel", notAKernel, "--bisect-exit", "scenarios/seed/lost-write-after-writeback.scn");
            Assert.Equal(Bisect.CannotTest, code);
            Assert.Contains("not a bzImage", stdout);
        }
        finally
        {
            File.Delete(notAKernel);
        }
    }

    private static (int Code, string Output) Shell(string command, string dir)
    {
        using var p = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", command + " 2>&1"]) { WorkingDirectory = dir, RedirectStandardOutput = true })!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output);
    }
}
