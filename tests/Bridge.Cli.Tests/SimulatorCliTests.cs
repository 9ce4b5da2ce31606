using Bridge.Linux.Interop;

namespace Bridge.Cli.Tests;

/// <summary>The simulator's verbs from the command line: the model of this kernel's era agrees with the kernel on
/// every cell of the default suite, and the seed cases read as the issue says they must in each era.</summary>
public class SimulatorCliTests
{
    [Fact]
    public void CompareOnTheHostAgreesWithTheLinux65PlusModelOnTheWholeDefaultSuite()
    {
        Assert.SkipUnless(SystemInfo.IsRoot, "the default suite needs root");
        var (code, stdout, stderr) = BridgeProcess.Run("compare", "--suite", "default", "--policy", "linux-6.5+", "--json");
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, stdout);
            var notAgreeing = Consumers.Jq(path, "[.scenarios[] | select(.result != \"agree\") | {name, result, reason, text}] | .[:20]") + stderr;
            Assert.True(code == 0, notAgreeing);
            Assert.Equal("{\"disagree\":0,\"notCompared\":0}", Consumers.Jq(path, ".counts | {disagree, notCompared}"));
            Assert.True(int.Parse(Consumers.Jq(path, ".counts.agree"), System.Globalization.CultureInfo.InvariantCulture) >= 100, notAgreeing);
            Assert.Equal("\"sim:linux-6.5+\"", Consumers.Jq(path, ".model"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("linux-2019-legacy", "lost-write-after-writeback", "lost-write")]
    [InlineData("linux-2019-legacy", "stable-page-violation", "lost-write")]
    [InlineData("linux-6.1", "lost-write-after-writeback", "lost-write")]
    [InlineData("linux-6.5+", "lost-write-after-writeback", "refused")]
    [InlineData("linux-6.5+", "stable-page-violation", "refused")]
    public void SimPrintsTheSeedVerdictOfEachEra(string policy, string scenario, string verdict)
    {
        var (code, stdout, _) = BridgeProcess.Run("sim", "--policy", policy, "--suite", "seed", "--tap");
        var line = stdout.Split('\n').Single(l => l.EndsWith($" {scenario}", StringComparison.Ordinal));
        Assert.StartsWith(verdict is "refused" or "intact" ? "ok " : "not ok ", line);
        var before = stdout[..stdout.IndexOf(line, StringComparison.Ordinal)].Split('\n');
        var diagnostics = before.Reverse().Skip(1).TakeWhile(l => l.StartsWith('#')).ToList();
        if (verdict == "refused")
        {
            Assert.Contains(diagnostics, l => l.StartsWith("# refused: 'pin rdma-mr", StringComparison.Ordinal));
            Assert.Equal(stdout.Contains("\nnot ok ", StringComparison.Ordinal) ? 1 : 0, code);
        }
        else
        {
            Assert.Contains(diagnostics, l => l.StartsWith($"# {verdict}: data blocks", StringComparison.Ordinal));
            Assert.Equal(1, code);
        }
    }

    [Fact]
    public void AnUnknownPolicyIsAUsageError()
    {
        var (code, _, stderr) = BridgeProcess.Run("sim", "--policy", "linux-9.9", "--suite", "seed");
        Assert.Equal(2, code);
        Assert.Contains("unknown policy 'linux-9.9'; expected one of: linux-2019-legacy, linux-6.1, linux-6.5+", stderr);
    }
    public static TheoryData<string> Eras() => [.. Bridge.Simulator.Policies.PolicyCatalog.All.Select(p => p.Name)];

    /// <summary>classify on the model of an era names that era, and its evidence reads as evidence: the era's own
    /// prediction is the kernel's outcome on every row, and every row shows some other era predicting something else
    /// (an outcome text that hid how the observations differ would make a row all ticks).</summary>
    [Theory]
    [MemberData(nameof(Eras))]
    public void ClassifyOnAnErasModelNamesThatEraWithEvidenceThatTellsTheErasApart(string era)
    {
        var (code, stdout, stderr) = BridgeProcess.Run("classify", "--target", $"sim:{era}", "--json");
        Assert.True(code == 0, stderr);
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, stdout);
            Assert.Equal($"[\"{era}\"]", Consumers.Jq(path, ".matches"));
            Assert.NotEqual("0", Consumers.Jq(path, ".scenarios | length"));
            Assert.Equal("[]", Consumers.Jq(path, $"[.scenarios[] | select(.predictions[\"{era}\"].outcome != .kernel) | .name]"));
            Assert.Equal("[]", Consumers.Jq(path, "[.scenarios[] | select([.predictions[].agrees] | all) | .name]"));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
