using System.Text.Json;
using Bridge.Core.Blocks;
using Bridge.Core.Observations;
using Bridge.Core.Oracle;
using Bridge.Core.Reports;
using Bridge.Core.Scenarios;
using static Bridge.Core.Tests.OracleFixtures;

namespace Bridge.Core.Tests;

/// <summary>The reports' own logic, on verdicts the oracle computed: findings grouped into block ranges with byte
/// offsets and the culprit's line, KTAP's structure (plan, nesting, SKIP, Bail out!), the JSON document's shape, and
/// the expectation a kept image is checked against. The formats themselves are checked by real consumers (prove, a
/// JUnit parser, jq, chromium) in Bridge.Cli.Tests.</summary>
public class ReportTests
{
    // Blocks 4-7 lose gen 2 on disk (they still read g1); block 9 reads zeros: two groups, one range each.
    private static readonly Scenario Scenario = Parse("backing ext4\nfile size=64K block=4K\nstore gen=1\nfsync\nstore gen=2 blocks=4-9\nfsync\ncheck\n");

    private static ScenarioRun Judged(Func<int, Content>? disk = null)
    {
        var blocks = Enumerable.Range(0, 16).Select(b => b is >= 4 and <= 9 ? G(2) : G(1)).ToArray();
        var seen = Enumerable.Range(0, 16).Select(b => disk?.Invoke(b) ?? blocks[b]).ToArray();
        var observation = Observe(Scenario, [], Check(4, ("data", ReadPath.Disk, seen), ("data", ReadPath.Buffered, blocks), ("data", ReadPath.Mapping, blocks)));
        return new ScenarioRun(Scenario, observation, Oracle.Oracle.Judge(Scenario, observation));
    }

    private static readonly ScenarioRun Lost = Judged(b => b is >= 4 and <= 7 ? G(1) : b == 9 ? Content.Hole : b is >= 4 and <= 9 ? G(2) : G(1));

    [Fact]
    public void ConsecutiveBlocksWithTheSameFindingAreOneGroup()
    {
        var groups = FindingGroup.Of(Lost.Verdict.Findings);
        Assert.Equal(Lost.Verdict.Findings.Count, groups.Sum(g => g.Members.Count));
        Assert.Equal([(VerdictClass.LostWrite, 4, 7), (VerdictClass.Zeroed, 9, 9)], groups.Select(g => (g.Class, g.FirstBlock!.Value, g.LastBlock!.Value)));
    }

    [Fact]
    public void AFindingNamesItsRangeBytesPathAndTheCulpritsLine()
    {
        var text = FindingText.Lines(Lost);
        var culprit = Scenario.StepAt(Lost.Verdict.Findings[0].Culprit!.Value);
        var bs = Scenario.Geometry.BlockSize;
        Assert.Equal($"lost-write: data blocks 4-7 (bytes {4 * bs}-{8 * bs - 1}) read with O_DIRECT (the disk) at the check on line {Scenario.StepAt(4).At.Line}", text[0]);
        Assert.Contains($"    culprit: {culprit.Text}  (fixture.scn:{culprit.At.Line})", text);
        Assert.Contains($"zeroed: data block 9 (bytes {9 * bs}-{10 * bs - 1}) read with O_DIRECT (the disk) at the check on line {Scenario.StepAt(4).At.Line}", text);
        Assert.Equal("kernel log: nothing during the scenario", text[^1]);
        Assert.DoesNotContain(text, l => l.Contains('#') || l.Contains("Cpu") || l.Contains("ODirect") || l.Contains("step -1"));
    }

    [Fact]
    public void AMixedBlockIsShownSectorBySectorWithEachWriter()
    {
        var sectors = Enumerable.Range(0, 8).Select(s => new SectorRead(SectorKind.Valid,
            new SectorHeader(RunId, 1, (ulong)(4 * 4096 + s * 512), s < 4 ? 1u : 2u, 0, s < 4 ? Writer.Cpu : Writer.ODirect, s < 4 ? 0u : 2u, 8))).ToList();
        var torn = new BlockRead(4, ReadState.Mixed, default, Sectors: sectors);
        var seen = Enumerable.Range(0, 16).Select(b => b == 4 ? torn : new BlockRead(b, ReadState.Uniform, b is >= 4 and <= 9 ? G(2) : G(1), Writer.Cpu, 0)).ToList();
        var steps = Enumerable.Range(0, Scenario.StepCount).Select(i => StepResult.Success(i, i, i + 1)).ToList();
        var observation = new Observation("fixture", RunId, new RunEnvironment("test", "test", "ext4"), steps,
            [new CheckObservation(4, [new ViewRead("data", ReadPath.Disk, seen), new ViewRead("data", ReadPath.Buffered, seen.Select(b => b.Block == 4 ? new BlockRead(4, ReadState.Uniform, G(2), Writer.Cpu, 2) : b).ToList()),
                new ViewRead("data", ReadPath.Mapping, seen.Select(b => b.Block == 4 ? new BlockRead(4, ReadState.Uniform, G(2), Writer.Cpu, 2) : b).ToList())])], []);
        var text = FindingText.Lines(new ScenarioRun(Scenario, observation, Oracle.Oracle.Judge(Scenario, observation)));
        Assert.Contains($"      sectors 0-3 (bytes {4 * 4096}-{4 * 4096 + 2047}): g1 (cpu store, {Scenario.Describe(0)})", text);
        Assert.Contains($"      sectors 4-7 (bytes {4 * 4096 + 2048}-{5 * 4096 - 1}): g2 (O_DIRECT, {Scenario.Describe(2)})", text);
    }

    [Fact]
    public void KtapNestsOneSubtestPerTargetAndEndsWithBailOut()
    {
        var clean = Judged();
        var ktap = new KtapDocument("t", ["a", "b"], 2);
        ktap.BeginTarget("a", 2);
        ktap.Add(clean);
        ktap.Add(Lost);
        ktap.EndTarget(new RunReport("a", 2, [clean, Lost]));
        ktap.BeginTarget("b", 2);
        ktap.Add(clean);
        ktap.BailOut("interrupted by a signal");
        var lines = ktap.Lines;
        Assert.Equal(["KTAP version 1", "# t", "1..2", "    KTAP version 1", "    # Subtest: a", "    1..2"], lines.Take(6));
        Assert.Contains("    ok 1 fixture", lines);
        Assert.Contains("    not ok 2 fixture", lines);
        Assert.Contains("not ok 1 a", lines);
        Assert.Equal("Bail out! interrupted by a signal", lines[^1]);
        // Every diagnostic of a finding comes before its result line, as kselftest prints them.
        var result = lines.ToList().IndexOf("    not ok 2 fixture");
        Assert.StartsWith("    # lost-write: data blocks 4-7", lines[lines.ToList().FindIndex(l => l.Contains("lost-write: data blocks"))]);
        Assert.True(lines.ToList().FindIndex(l => l.Contains("lost-write: data blocks")) < result);
    }

    [Fact]
    public void ASkippedScenarioIsOkWithItsReasonAsTheSkipDirective()
    {
        var observation = new Observation("fixture", RunId, new RunEnvironment("test", "test", null), [], [], [], "no RDMA device\nhere");
        var ktap = new KtapDocument("t", ["a"], 1);
        ktap.Add(new ScenarioRun(Scenario, observation, Oracle.Oracle.Judge(Scenario, observation)));
        Assert.Equal("ok 1 fixture # SKIP no RDMA device here", ktap.Lines[^1]);
        Assert.Equal(ExitCodes.NothingJudged, new RunReport("a", 1, [new ScenarioRun(Scenario, observation, Oracle.Oracle.Judge(Scenario, observation))]).ExitCode);
    }

    [Fact]
    public void TheJsonDocumentHoldsEveryTargetWithRunIdsAsHexStrings()
    {
        var results = new Results("regress", ["a", "b"], [new RunReport("a", 2, [Judged(), Lost]), new RunReport("b", 2, [Judged()])], "interrupted by a signal");
        using var json = JsonDocument.Parse(JsonReport.Render(results));
        var root = json.RootElement;
        Assert.False(root.GetProperty("complete").GetBoolean());
        Assert.Equal(ExitCodes.Interrupted, root.GetProperty("exitCode").GetInt32());
        Assert.Equal([2, 1], root.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("scenarios").GetArrayLength()));
        var runId = root.GetProperty("targets")[0].GetProperty("scenarios")[0].GetProperty("observation").GetProperty("runId");
        Assert.Equal((JsonValueKind.String, HexIdConverter.Format(RunId)), (runId.ValueKind, runId.GetString()));
        Assert.Equal("lost-write", root.GetProperty("targets")[0].GetProperty("scenarios")[1].GetProperty("verdict").GetProperty("class").GetString());
    }

    [Fact]
    public void TheExpectationOfAKeptImageIsWhatTheOracleAllowsOnDiskInRanges()
    {
        var allowed = Oracle.Oracle.OnDisk(Scenario, Lost.Observation);
        var data = Assert.Single(allowed);
        using var json = JsonDocument.Parse(Evidence.ExpectationJson(data, 4096, RunId));
        var ranges = json.RootElement.GetProperty("blocks").EnumerateArray()
            .Select(r => (r.GetProperty("blocks").GetString(), string.Join("|", r.GetProperty("contents").EnumerateArray().Select(c => c.GetString())))).ToList();
        // Each range names the contents the oracle's fold allows there (read back from the same fold, block by block).
        var expected = Enumerable.Range(0, 16).Select(b => data.Blocks[b].ToString()).ToList();
        Assert.Equal(["g1", "g2", "g1"], ranges.Select(r => r.Item2));
        Assert.Equal(["0-3", "4-9", "10-15"], ranges.Select(r => r.Item1));
        Assert.Equal(["g1", "g2", "g1"], new[] { expected[0], expected[4], expected[10] });
        Assert.Equal(16 * 4096, json.RootElement.GetProperty("size").GetInt64());
    }
}
