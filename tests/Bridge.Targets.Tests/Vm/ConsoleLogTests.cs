using Bridge.Targets.Vm;

namespace Bridge.Targets.Tests.Vm;

public sealed class ConsoleLogTests
{
    private static List<string> Trace(int count) => [.. Enumerable.Range(0, count).Select(i => $"[    2.{i:000000}]  frame_{i}+0x1a/0x20")];

    [Fact]
    public void TailReachesBackToTheStartOfACrashReport()
    {
        List<string> console = ["booting", .. Trace(30), "[    2.9] sysrq: Trigger a crash", "[    2.9] Kernel panic - not syncing: sysrq triggered crash", .. Trace(60), ""];

        var tail = ConsoleLog.Tail(console);

        Assert.Equal("[    2.9] sysrq: Trigger a crash", tail[0]);
        Assert.Equal(62, tail.Count);
        Assert.Equal(console[^2], tail[^1]);
    }

    [Fact]
    public void TailIsTheLastFortyLinesWithoutACrashAndTrailingBlanksDropped()
    {
        List<string> console = [.. Trace(100), "", ""];

        var tail = ConsoleLog.Tail(console);

        Assert.Equal(ConsoleLog.TailLines, tail.Count);
        Assert.Equal(console[60], tail[0]);
    }

    [Fact]
    public void ReportFurtherBackThanTheLimitIsNotChased()
    {
        List<string> console = ["[ 1.0] BUG: early", .. Trace(ConsoleLog.ReportLines + 10)];

        Assert.Equal(ConsoleLog.TailLines, ConsoleLog.Tail(console).Count);
    }
}
