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
        var (code, stdout, stderr) = BridgeProcess.Run("compare", "--suite", "default", "--policy", "linux-6.5+");
        var summary = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        var notAgreeing = string.Join('\n', stdout.Split('\n').Where(l => !l.StartsWith("agree", StringComparison.Ordinal)).Take(40)) + stderr;
        Assert.True(code == 0, notAgreeing);
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(summary, @"^\d{3,} scenarios on host vs sim:linux-6\.5\+: \d+ agree, 0 disagree, 0 not compared$"), notAgreeing);
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
        Assert.Equal(verdict is "refused" or "intact" ? 0 : 1, code);
        var line = stdout.Split('\n').Single(l => l.Contains($" {scenario} [", StringComparison.Ordinal));
        Assert.StartsWith(verdict is "refused" or "intact" ? "ok " : "not ok ", line);
        if (verdict == "refused")
            Assert.Contains("# refused: pin rdma-mr", line);
        else
            Assert.Contains($"verdict: {verdict}", stdout[stdout.IndexOf(line, StringComparison.Ordinal)..]);
    }

    [Fact]
    public void AnUnknownPolicyIsAUsageError()
    {
        var (code, _, stderr) = BridgeProcess.Run("sim", "--policy", "linux-9.9", "--suite", "seed");
        Assert.Equal(2, code);
        Assert.Contains("unknown policy 'linux-9.9'; expected one of: linux-2019-legacy, linux-6.1, linux-6.5+", stderr);
    }
}
