using System.CommandLine;
using System.Reflection;
using System.Text.Json;
using Bridge.Cli.Commands;
using Bridge.Core.Blocks;
using Bridge.Linux.Interop;

namespace Bridge.Cli.Tests;

public class CliTests
{
    /// <summary>Every command of the tree (what each public command class under Bridge.Cli.Commands builds, and
    /// their subcommands) is listed with its description in its parent's help, and answers its own --help.</summary>
    [Fact]
    public void HelpDocumentsEveryCommandOfTheTree()
    {
        var commands = typeof(RunCommand).Assembly.GetExportedTypes()
            .Where(t => t.Namespace == typeof(RunCommand).Namespace)
            .Select(t => t.GetMethod("Create", BindingFlags.Public | BindingFlags.Static, Type.EmptyTypes))
            .Where(m => m?.ReturnType == typeof(Command))
            .Select(m => (Command)m!.Invoke(null, null)!)
            .ToList();
        Assert.True(commands.Count >= 2, $"found {commands.Count} command classes");

        var documented = 0;
        void Check(string[] parent, IEnumerable<Command> children)
        {
            string[] helpArgs = [.. parent, "--help"];
            var (code, help, stderr) = BridgeProcess.Run(helpArgs);
            Assert.True(code == 0, $"pinbridge {string.Join(' ', helpArgs)}: exit {code} {stderr}");
            var listed = help.Split('\n').SkipWhile(l => l != "Commands:").ToList();
            foreach (var command in children)
            {
                Assert.False(string.IsNullOrWhiteSpace(command.Description), $"'{command.Name}' has no description");
                Assert.True(listed.Any(l => l.StartsWith($"  {command.Name} ", StringComparison.Ordinal) && l.TrimEnd().EndsWith(command.Description, StringComparison.Ordinal)),
                    $"pinbridge {string.Join(' ', helpArgs)} does not list '{command.Name}' with its description:\n{help}");
                string[] path = [.. parent, command.Name];
                var (ownCode, own, _) = BridgeProcess.Run([.. path, "--help"]);
                Assert.True(ownCode == 0 && own.StartsWith($"Description:\n  {command.Description}\n", StringComparison.Ordinal), $"pinbridge {string.Join(' ', path)} --help:\n{own}");
                documented++;
                if (command.Subcommands.Count > 0)
                    Check(path, command.Subcommands);
            }
        }
        Check([], commands);
        Assert.True(documented > commands.Count, "no command has subcommands: the walk did not reach them");
    }

    [Fact]
    public void AScenarioWithErrorsExitsTwoWithFileLineColumnAndRunsNothing()
    {
        var path = BridgeProcess.TempScenario("backing ext4\nfile size=64K\nstor gen=1\nstore gen=x\ncheck\n");
        try
        {
            var (code, stdout, stderr) = BridgeProcess.Run("run", path);
            Assert.Equal(2, code);
            Assert.Contains($"{Path.GetFileName(path)}:3:1: unknown step 'stor'", stderr);
            Assert.Contains(":4:11: expected a generation number", stderr);
            Assert.Equal("", stdout);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("--target", "mars")]
    [InlineData("--suite", "nosuch")]
    [InlineData("--frobnicate")]
    public void UsageErrorsExitTwo(params string[] args)
    {
        var (code, _, stderr) = BridgeProcess.Run(["run", .. args]);
        Assert.Equal(2, code);
        Assert.StartsWith("pinbridge: ", stderr);
    }

    [Fact]
    public void TapOutputIsKselftestStyle()
    {
        Assert.SkipUnless(SystemInfo.IsRoot, "needs root for the ext4 loop mount");
        var path = BridgeProcess.TempScenario("scenario tap-one\nbacking ext4\nfile size=64K\nstore gen=1\nfsync\ncheck\n");
        try
        {
            var (code, stdout, _) = BridgeProcess.Run("run", path, "--tap");
            Assert.Equal(0, code);
            var lines = stdout.Split('\n');
            Assert.Equal("KTAP version 1", lines[0]);
            Assert.Contains("1..1", lines);
            Assert.Contains("ok 1 tap-one", lines);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void CheckVerifiesAnImageAndNamesTheBadBlock()
    {
        var path = Path.Combine(Path.GetTempPath(), $"bridge-image-{Guid.NewGuid():N}");
        var image = new byte[8 * 4096];
        for (var b = 0; b < 8; b++)
            BlockCodec.Stamp(image.AsSpan(b * 4096, 4096), new BlockStamp(0xabc, 1, b, 3, 0, Writer.Cpu, 2));
        try
        {
            File.WriteAllBytes(path, image);
            var (ok, okOut, _) = BridgeProcess.Run("check", path);
            Assert.Equal(0, ok);
            Assert.Contains("g3 cpu step 2", okOut.Split('\n').Single(l => l.Contains("blocks 0-7 ")));

            image[6 * 4096 + 1000] ^= 1;
            File.WriteAllBytes(path, image);
            var (bad, badOut, _) = BridgeProcess.Run("check", path);
            Assert.Equal(1, bad);
            Assert.Contains("crc32c mismatch in sector 1", badOut.Split('\n').Single(l => l.Contains("block 6 ")));
            Assert.Contains("1 bad block of 8", badOut);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The default suite on the host kernel: zero findings, and no skip without its reason.</summary>
    [Fact]
    public void TheDefaultSuiteOnTheHostKernelHasNoFindings()
    {
        Assert.SkipUnless(SystemInfo.IsRoot, "the default suite loop-mounts filesystems: needs root");
        var (code, stdout, stderr) = BridgeProcess.Run("run", "--suite", "default", "--json");
        using var json = JsonDocument.Parse(stdout);
        var scenarios = json.RootElement.GetProperty("targets")[0].GetProperty("scenarios").EnumerateArray().ToList();
        Assert.True(scenarios.Count > 100, $"only {scenarios.Count} scenarios in the default suite");
        var findings = scenarios
            .Where(s => s.GetProperty("verdict").GetProperty("findings").GetArrayLength() > 0)
            .Select(s => s.GetProperty("name").GetString() + ": " + s.GetProperty("verdict").GetProperty("findings")[0].GetProperty("note").GetString())
            .ToList();
        Assert.True(findings.Count == 0, string.Join("\n", findings) + stderr);
        Assert.Equal(0, code);
        foreach (var s in scenarios.Where(s => s.GetProperty("verdict").GetProperty("class").GetString() == "skipped"))
            Assert.False(string.IsNullOrWhiteSpace(s.GetProperty("verdict").GetProperty("skipReason").GetString()));
    }
}
