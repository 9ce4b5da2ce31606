using System.Diagnostics;
using System.Text.Json;

namespace Bridge.Cli.Tests;

/// <summary>The real consumers of each output format, run as a CI system would: Perl's prove on KTAP, junit2json
/// (npm, as `make test` reads its own reports) on JUnit, jq and python3's json.tool on JSON, and headless Chromium on
/// the HTML report. Each test skips with the reason when its consumer is not installed (the test container).</summary>
internal static class Consumers
{
    public static (int ExitCode, string Stdout, string Stderr) Run(string file, IEnumerable<string> args, string? workingDirectory = null, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory ?? BridgeProcess.RepoRoot };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEndAsync();
        if (!p.WaitForExit(timeout ?? TimeSpan.FromMinutes(2)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    public static bool Installed(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, tool)));

    public static void Require(params string[] tools)
    {
        foreach (var tool in tools)
            Assert.SkipUnless(Installed(tool), $"{tool} is not installed (make install installs it; the test container has none)");
    }

    /// <summary>prove's verdict on a TAP/KTAP file: its summary lines and exit code.</summary>
    public static (int ExitCode, string Output) Prove(string file)
    {
        Require("prove");
        var (code, stdout, stderr) = Run("prove", ["-v", "-e", "cat", file]);
        return (code, stdout + stderr);
    }

    /// <summary>jq's answer (compact JSON) to a filter over a file.</summary>
    public static string Jq(string file, string filter)
    {
        Require("jq");
        var (code, stdout, stderr) = Run("jq", ["-c", filter, file]);
        Assert.True(code == 0, $"jq '{filter}' {file}: {stderr}");
        return stdout.Trim();
    }

    public static T Jq<T>(string file, string filter) => JsonSerializer.Deserialize<T>(Jq(file, filter))!;

    /// <summary>junit2json's reading of a JUnit file (.ci/test-reports/junit-summary.mjs).</summary>
    public static JsonElement Junit(string file)
    {
        Require("node");
        var script = Path.Combine(BridgeProcess.RepoRoot, ".ci", "test-reports", "junit-summary.mjs");
        Assert.SkipUnless(Directory.Exists(Path.Combine(BridgeProcess.RepoRoot, ".ci", "test-reports", "node_modules", "junit2json")),
            "junit2json is not installed (make test installs .ci/test-reports with npm ci)");
        var (code, stdout, stderr) = Run("node", [script, file]);
        Assert.True(code == 0, $"junit-summary: {stdout}{stderr}");
        return JsonDocument.Parse(stdout).RootElement.Clone();
    }

    /// <summary>Headless Chromium on a local HTML file, as root in a fresh profile with every network feature off:
    /// its DOM after layout, or a screenshot.</summary>
    public static string Chromium(string html, string? screenshot = null)
    {
        Require("chromium");
        var profile = Directory.CreateTempSubdirectory("pinbridge-chromium-");
        try
        {
            string[] args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", $"--user-data-dir={profile.FullName}", "--window-size=1400,1000",
                screenshot is null ? "--dump-dom" : $"--screenshot={screenshot}", new Uri(Path.GetFullPath(html)).AbsoluteUri,
            ];
            var (code, stdout, stderr) = Run("chromium", args, timeout: TimeSpan.FromMinutes(2));
            Assert.True(code == 0, $"chromium: {stderr}");
            return stdout;
        }
        finally
        {
            profile.Delete(recursive: true);
        }
    }
}
