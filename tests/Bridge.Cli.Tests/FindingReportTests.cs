namespace Bridge.Cli.Tests;

/// <summary>A finding as printed reads like a bug report: the blocks as a range with byte offsets, the read path,
/// expected vs observed, the culprit's text and file:line, the kernel log; no internal names.</summary>
public class FindingReportTests
{
    [Fact]
    public void TheSeedsLostWriteReadsLikeABugReport()
    {
        var (code, stdout, _) = BridgeProcess.Run("sim", "--policy", "linux-2019-legacy", "--suite", "seed");
        Assert.Equal(1, code);
        var file = "scenarios/seed/lost-write-after-writeback.scn";
        var lines = File.ReadAllLines(Path.Combine(BridgeProcess.RepoRoot, file));
        int Line(string step) => Array.FindIndex(lines, l => l.TrimStart().StartsWith(step, StringComparison.Ordinal)) + 1;
        var firstCheck = Array.FindIndex(lines, l => l.Trim() == "check") + 1;
        Assert.Contains($"lost-write: data blocks 0-3 (bytes 0-16383) read with O_DIRECT (the disk) at the check on line {firstCheck}", stdout);
        Assert.Contains("expected g3", stdout);
        Assert.Contains("observed g2 (written by rdma)", stdout);
        Assert.Contains($"g2, written by 'dma gen=2 blocks=0-3' (line {Line("dma gen=2")}), is on disk; the required write never reached it", stdout);
        Assert.Contains($"culprit: dma gen=3 blocks=0-3  ({file}:{Line("dma gen=3")})", stdout);
        Assert.Contains("kernel log: nothing during the scenario", stdout);
        Assert.DoesNotMatch(@"#\d|StepResult|step -1|\bCpu\b|\bRdma\b|ODirect|lostwrite", stdout);
    }
}
