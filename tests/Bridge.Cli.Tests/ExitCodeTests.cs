using System.Globalization;

namespace Bridge.Cli.Tests;

/// <summary>kselftest's exit codes — 0 pass, 1 findings, 2 usage, 4 nothing judged — each from what the run itself
/// reported (its JSON, read by jq), and write errors that are never silent.</summary>
public class ExitCodeTests
{
    [Fact]
    public void FindingsExitOneAndACleanModelExitsZero()
    {
        using var legacy = new TempOutput();
        var (dirty, _, _) = BridgeProcess.Run("sim", "--policy", "linux-2019-legacy", "--suite", "seed", "--output", legacy.Path);
        Assert.NotEqual("0", Consumers.Jq(legacy["results.json"], "[.targets[].scenarios[] | select(.verdict.hasFindings)] | length"));
        Assert.Equal(1, dirty);

        using var modern = new TempOutput();
        var (clean, _, _) = BridgeProcess.Run("sim", "--policy", "linux-6.5+", "--suite", "default", "--output", modern.Path);
        Assert.Equal("0", Consumers.Jq(modern["results.json"], "[.targets[].scenarios[] | select(.verdict.hasFindings)] | length"));
        Assert.NotEqual("0", Consumers.Jq(modern["results.json"], "[.targets[].scenarios[] | select(.verdict.class != \"skipped\")] | length"));
        Assert.Equal(0, clean);
    }

    /// <summary>The RDMA suite where no RDMA device can be had skips everything: nothing was judged, and that is not a
    /// pass. Where this host can run some of it, the exit code follows the findings instead.</summary>
    [Fact]
    public void EveryScenarioSkippedExitsFour()
    {
        using var output = new TempOutput();
        var (code, _, stderr) = BridgeProcess.Run("run", "--suite", "rdma", "--output", output.Path);
        var judged = int.Parse(Consumers.Jq(output["results.json"], "[.targets[].scenarios[] | select(.verdict.class != \"skipped\")] | length"), CultureInfo.InvariantCulture);
        var findings = int.Parse(Consumers.Jq(output["results.json"], "[.targets[].scenarios[] | select(.verdict.hasFindings)] | length"), CultureInfo.InvariantCulture);
        Assert.True(code == (judged == 0 ? 4 : findings > 0 ? 1 : 0), stderr);
        Assert.SkipWhen(judged > 0, "this host ran RDMA scenarios: nothing-judged cannot be shown here");
        Assert.Contains("ok 1 ", File.ReadAllText(output["results.ktap"]));
        Assert.Contains("# SKIP ", File.ReadAllText(output["results.ktap"]));
    }

    [Fact]
    public void CompareThatComparedNothingExitsFour()
    {
        var (code, stdout, stderr) = BridgeProcess.Run("compare", "--suite", "rdma", "--json");
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, stdout);
            var compared = int.Parse(Consumers.Jq(path, "[.scenarios[] | select(.result != \"not-compared\")] | length"), CultureInfo.InvariantCulture);
            Assert.SkipWhen(compared > 0, "this host ran RDMA scenarios: nothing-compared cannot be shown here");
            Assert.True(code == 4, stderr);
            Assert.Equal("4", Consumers.Jq(path, ".exitCode"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AMistypedOptionIsAnUnknownOptionWithADidYouMean()
    {
        var (code, stdout, stderr) = BridgeProcess.Run("run", "--suit", "seed");
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains("unknown option '--suit' (did you mean '--suite'?)", stderr);
        Assert.DoesNotContain("no such file", stderr);
    }

    /// <summary>`| head -1` closes the pipe after the first line: the run says so on standard error and exits 141, as
    /// a shell reports a process that SIGPIPE ended, instead of 0 with its results lost.</summary>
    [Fact]
    public void ABrokenPipeExitsNonZeroWithAMessage()
    {
        var bridge = Path.Combine(AppContext.BaseDirectory, "pinbridge");
        var (code, stdout, stderr) = Consumers.Run("bash", ["-c", $"'{bridge}' sim --suite default --tap | head -1; echo \"exit ${{PIPESTATUS[0]}}\""]);
        Assert.True(code == 0, stderr);
        Assert.Equal(["KTAP version 1", "exit 141"], stdout.Trim().Split('\n'));
        Assert.Contains("cannot write standard output: Broken pipe", stderr);
    }

    [Fact]
    public void AFullDiskUnderStandardOutputExitsThreeWithAMessage()
    {
        var bridge = Path.Combine(AppContext.BaseDirectory, "pinbridge");
        var (code, stdout, stderr) = Consumers.Run("bash", ["-c", $"'{bridge}' sim --suite seed --json > /dev/full; echo \"exit $?\""]);
        Assert.True(code == 0, stderr);
        Assert.Equal("exit 3", stdout.Trim());
        Assert.Contains("cannot write standard output: No space left on device", stderr);
    }

    [Fact]
    public void AnOutputDirectoryThatCannotBeMadeIsAUsageError()
    {
        var (code, _, stderr) = BridgeProcess.Run("sim", "--suite", "seed", "--output", "/proc/pinbridge-no-such-dir");
        Assert.Equal(2, code);
        Assert.Contains("--output /proc/pinbridge-no-such-dir: cannot create it", stderr);
    }
}
