using System.Text.Json;

namespace Bridge.Cli.Tests;

/// <summary>One <c>regress</c> of the seed suite on this host and on the 2019 model (which loses writes): its
/// --output files and its --tap output, read by the consumers a CI system uses.</summary>
public sealed class RegressRun : IDisposable
{
    public RegressRun()
    {
        (ExitCode, Stdout, Stderr) = BridgeProcess.Run("regress", "--targets", "host,sim:linux-2019-legacy", "--suite", "seed", "--output", Output.Path, "--tap");
    }

    public TempOutput Output { get; } = new();
    public int ExitCode { get; }
    public string Stdout { get; }
    public string Stderr { get; }

    public string Json => Output["results.json"];

    public void Dispose() => Output.Dispose();
}

public class ResultFormatsTests(RegressRun run) : IClassFixture<RegressRun>
{
    [Fact]
    public void TheRunExitsOneForItsFindingsAndStreamsTheKtapItWrites()
    {
        Assert.True(run.ExitCode == 1, run.Stderr);
        Assert.Equal(File.ReadAllText(run.Output["results.ktap"]), run.Stdout);
    }

    [Fact]
    public void ProveReadsTheNestedKtapAndFailsExactlyTheKernelsWithFindings()
    {
        var (code, output) = Consumers.Prove(run.Output["results.ktap"]);
        var targets = Consumers.Jq<string[]>(run.Json, "[.targets[].target]");
        var failing = Consumers.Jq<int[]>(run.Json, "[.targets | to_entries[] | select(.value.exitCode == 1) | .key + 1]");
        Assert.Equal(2, targets.Length);
        Assert.NotEmpty(failing);
        Assert.DoesNotContain("Parse errors", output);
        Assert.Contains($"Tests: {targets.Length} Failed: {failing.Length}", output);
        Assert.Contains($"Failed test{(failing.Length == 1 ? "" : "s")}:  {string.Join(", ", failing)}", output);
        Assert.NotEqual(0, code); // a kernel with findings fails the run, as it should in CI
        // Every scenario's result line is in its kernel's subtest block, indented as KUnit nests suites.
        var lines = File.ReadAllLines(run.Output["results.ktap"]);
        foreach (var (target, i) in targets.Select((t, i) => (t, i)))
        {
            Assert.Contains($"    # Subtest: {target}", lines);
            var names = Consumers.Jq<string[]>(run.Json, $"[.targets[{i}].scenarios[].name]");
            Assert.All(names, n => Assert.Contains(lines, l => (l.StartsWith("    ok ", StringComparison.Ordinal) || l.StartsWith("    not ok ", StringComparison.Ordinal)) && l.Contains($" {n}", StringComparison.Ordinal)));
        }
    }

    [Fact]
    public void AJunitParserFindsOneSuitePerKernelAndEveryScenarioWithItsFinding()
    {
        var junit = Consumers.Junit(run.Output["junit.xml"]);
        var suites = junit.GetProperty("suites").EnumerateArray().ToList();
        var targets = Consumers.Jq<string[]>(run.Json, "[.targets[].target]");
        Assert.Equal(targets.Length, suites.Count);
        foreach (var (suite, i) in suites.Select((s, i) => (s, i)))
        {
            Assert.StartsWith(targets[i], suite.GetProperty("name").GetString());
            var names = Consumers.Jq<string[]>(run.Json, $"[.targets[{i}].scenarios[].name]");
            var failed = Consumers.Jq<string[]>(run.Json, $"[.targets[{i}].scenarios[] | select(.verdict.hasFindings) | .name]");
            var skipped = Consumers.Jq<string[]>(run.Json, $"[.targets[{i}].scenarios[] | select(.verdict.class == \"skipped\") | .name]");
            var cases = suite.GetProperty("cases").EnumerateArray().ToList();
            Assert.Equal(names, cases.Select(c => c.GetProperty("name").GetString()));
            Assert.Equal(failed, cases.Where(c => c.GetProperty("status").GetString() == "failed").Select(c => c.GetProperty("name").GetString()));
            Assert.Equal(skipped, cases.Where(c => c.GetProperty("status").GetString() == "skipped").Select(c => c.GetProperty("name").GetString()));
            foreach (var c in cases.Where(c => c.GetProperty("status").GetString() == "failed"))
                Assert.Matches(@"^[a-z-]+: data blocks? \d+", c.GetProperty("message").GetString()!);
        }
    }

    [Fact]
    public void JsonIsOneDocumentWithEveryKernelAndNoNumberJqWouldRound()
    {
        Consumers.Require("python3");
        var (code, _, stderr) = Consumers.Run("python3", ["-m", "json.tool", run.Json]);
        Assert.True(code == 0, stderr);
        Assert.Equal("2", Consumers.Jq(run.Json, ".targets | length"));
        Assert.Equal("true", Consumers.Jq(run.Json, ".complete"));
        Assert.Equal("0", Consumers.Jq(run.Json, "[.. | numbers | select(. >= 9007199254740992 or . <= -9007199254740992)] | length"));
        Assert.Equal("[\"string\"]", Consumers.Jq(run.Json, "[.. | objects | select(has(\"runId\")) | .runId | type] | unique"));
        Assert.Equal(Consumers.Jq(run.Json, ".exitCode"), run.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void ChromiumRendersOneMatrixCellPerScenarioAndKernelAndTakesAScreenshot()
    {
        var dom = Consumers.Chromium(run.Output["report.html"]);
        var scenarios = int.Parse(Consumers.Jq(run.Json, "[.targets[].scenarios[].name] | unique | length"), System.Globalization.CultureInfo.InvariantCulture);
        var targets = int.Parse(Consumers.Jq(run.Json, ".targets | length"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(scenarios * targets, System.Text.RegularExpressions.Regex.Count(dom, "<td class=\"cell "));
        // A cell shows its finding text where the scenario has findings or orphaned writes (which are not findings).
        Assert.Equal(int.Parse(Consumers.Jq(run.Json, "[.targets[].scenarios[] | select(.verdict.hasFindings or (.verdict.orphanedWrites | length > 0))] | length"), System.Globalization.CultureInfo.InvariantCulture),
            System.Text.RegularExpressions.Regex.Count(dom, "<pre class=\"finding\">"));
        // Self-contained: nothing to fetch, nothing to run.
        Assert.DoesNotContain("<script", dom);
        Assert.DoesNotMatch("(src|href)=\"(https?:)?//", dom);
        var png = Path.Combine(run.Output.Path, "screenshot.png");
        Consumers.Chromium(run.Output["report.html"], png);
        var bytes = File.ReadAllBytes(png);
        Assert.True(bytes.Length > 1000, $"screenshot of {bytes.Length} bytes");
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes.Take(4));
    }

    [Fact]
    public void EachFindingHasAnEvidenceFolderWithTheScenarioObservationAndReport()
    {
        foreach (var folder in Consumers.Jq<string[]>(run.Json, "[.targets[].scenarios[] | select(.verdict.hasFindings) | .evidence]"))
        {
            var path = run.Output[folder];
            Assert.True(Directory.Exists(path), folder);
            foreach (var file in new[] { "scenario.scn", "observation.json", "kernel.log", "report.txt" })
                Assert.True(File.Exists(Path.Combine(path, file)), $"{folder}/{file}");
            using var observation = JsonDocument.Parse(File.ReadAllText(Path.Combine(path, "observation.json")));
            Assert.Equal(JsonValueKind.String, observation.RootElement.GetProperty("runId").ValueKind);
        }
    }
}
