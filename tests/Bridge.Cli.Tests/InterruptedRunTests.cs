using System.Diagnostics;
using System.Globalization;
using Bridge.Linux.Interop;

namespace Bridge.Cli.Tests;

/// <summary>Results survive the run's end, whatever it is: a run killed outright (SIGKILL) leaves four files that
/// their consumers read and that describe exactly the scenarios that finished; an interrupted one (SIGINT) also says
/// so (KTAP's Bail out!, "interrupted" in the JSON) and exits 130.</summary>
public class InterruptedRunTests
{
    private static Process Start(params string[] args)
    {
        // env restores SIGINT/SIGTERM: a test host started in the background by a non-interactive shell inherits them ignored.
        var psi = new ProcessStartInfo("/usr/bin/env", ["--default-signal=INT,TERM", Path.Combine(AppContext.BaseDirectory, "pinbridge")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = BridgeProcess.RepoRoot,
        };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    /// <summary>Waits until results.json says at least <paramref name="finished"/> scenarios finished.</summary>
    private static void WaitFor(TempOutput output, int finished, Process run)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (DateTime.UtcNow < deadline && !run.HasExited)
        {
            if (File.Exists(output["results.json"]) &&
                int.Parse(Consumers.Jq(output["results.json"], "[.targets[].finished] | add // 0"), CultureInfo.InvariantCulture) >= finished)
                return;
            Thread.Sleep(100);
        }
        Assert.Fail($"the run did not finish {finished} scenarios (exited: {run.HasExited})");
    }

    [Fact]
    public void ARunKilledOutrightLeavesValidFilesOfWhatFinished()
    {
        Assert.SkipUnless(SystemInfo.IsRoot, "the default suite on this kernel needs root (loop mounts)");
        using var output = new TempOutput();
        using var run = Start("run", "--suite", "default", "--output", output.Path);
        WaitFor(output, 5, run);
        run.Kill();
        run.WaitForExit();

        var json = output["results.json"];
        Consumers.Require("python3");
        Assert.Equal(0, Consumers.Run("python3", ["-m", "json.tool", json]).ExitCode);
        Assert.Equal("false", Consumers.Jq(json, ".complete"));
        var finished = int.Parse(Consumers.Jq(json, ".targets[0].finished"), CultureInfo.InvariantCulture);
        var planned = int.Parse(Consumers.Jq(json, ".targets[0].planned"), CultureInfo.InvariantCulture);
        Assert.InRange(finished, 5, planned - 1);
        Assert.Equal(finished.ToString(CultureInfo.InvariantCulture), Consumers.Jq(json, ".targets[0].scenarios | length"));

        // Each file is replaced whole, but one after another, results.json first (AtomicFile): a SIGKILL between two
        // renames leaves the later files one scenario behind (seen in fresh-clone CI runs for the KTAP, JUnit and
        // HTML files), never ahead or torn.
        // prove reads every result line of what finished, and fails the file for the ones the plan still owes.
        var (proveCode, proveOutput) = Consumers.Prove(output["results.ktap"]);
        Assert.NotEqual(0, proveCode);
        var ran = System.Text.RegularExpressions.Regex.Match(proveOutput, @"planned (\d+) tests but ran (\d+)");
        Assert.True(ran.Success, $"prove did not report the unmet plan:\n{proveOutput}");
        Assert.Equal(planned.ToString(CultureInfo.InvariantCulture), ran.Groups[1].Value);
        var ktapFinished = int.Parse(ran.Groups[2].Value, CultureInfo.InvariantCulture);
        Assert.InRange(ktapFinished, finished - 1, finished);
        Assert.Contains($"Tests: {ktapFinished} ", proveOutput);

        var junit = Consumers.Junit(output["junit.xml"]);
        Assert.InRange(junit.GetProperty("suites")[0].GetProperty("cases").GetArrayLength(), finished - 1, finished);

        var dom = Consumers.Chromium(output["report.html"]);
        Assert.InRange(System.Text.RegularExpressions.Regex.Count(dom, "<td class=\"cell "), finished - 1, finished);

        // A kill while the next set was being written leaves its temporary files (a CI run saw three); the next run
        // into the same directory removes them.
        var next = BridgeProcess.Run("run", "--output", output.Path, Path.Combine(BridgeProcess.RepoRoot, "tests", "leaks", "tmpfs.scn"));
        Assert.True(next.ExitCode == 0, next.Stderr);
        Assert.Empty(Directory.GetFiles(output.Path, ".*.tmp"));
    }

    [Fact]
    public async Task AnInterruptedRunBailsOutAndSaysSoInEveryFile()
    {
        Assert.SkipUnless(SystemInfo.IsRoot, "the default suite on this kernel needs root (loop mounts)");
        using var output = new TempOutput();
        using var run = Start("run", "--suite", "default", "--output", output.Path, "--tap");
        var reading = run.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        WaitFor(output, 3, run);
        Assert.Equal(0, Consumers.Run("kill", ["-INT", run.Id.ToString(CultureInfo.InvariantCulture)]).ExitCode);
        Assert.True(run.WaitForExit(TimeSpan.FromMinutes(2)), "the run did not stop after SIGINT");

        Assert.Equal(130, run.ExitCode);
        var stdout = await reading;
        var lines = stdout.TrimEnd('\n').Split('\n');
        Assert.StartsWith("Bail out! ", lines[^1]);
        Assert.Equal(stdout, await File.ReadAllTextAsync(output["results.ktap"], TestContext.Current.CancellationToken));
        Assert.Contains("Bailout called", Consumers.Prove(output["results.ktap"]).Output);
        Assert.NotEqual("null", Consumers.Jq(output["results.json"], ".interrupted"));
        Assert.Equal("130", Consumers.Jq(output["results.json"], ".exitCode"));
        Assert.Contains("interrupted", await File.ReadAllTextAsync(output["report.html"], TestContext.Current.CancellationToken));
    }
}
