using System.Text.Json;
using Bridge.Core.Blocks;
using Bridge.Core.Observations;
using Bridge.Core.Oracle;
using Bridge.Core.Reports;
using Bridge.Core.Scenarios;
using static Bridge.Core.Tests.OracleFixtures;

namespace Bridge.Core.Tests;

/// <summary>
/// The oracle's rule for the data file's other writers (docs/ARCHITECTURE.md §7, rule 9) and the orphaned-write
/// verdict. Expectations come from the rows: a verb's <see cref="FileWriter"/> says whether it replaces the cached
/// pages on a backing (<see cref="FileWriter.ReplacesPagesOn"/>) and whether it writes zeros.
/// </summary>
public class FileWriterOracleTests
{
    internal static readonly BackingInfo[] FileBackings = [BackingTable.Ext4, BackingTable.Xfs, BackingTable.Btrfs, BackingTable.Tmpfs];

    public static TheoryData<string, string> WriterOnBacking =>
    [
        .. from v in Verbs.All.Where(v => v.File is not null)
           from b in FileBackings
           select (v.Keyword, b.Name),
    ];

    private static VerbInfo Row(string verb) => Verbs.Find(verb)!;

    internal static string Args(VerbInfo verb, uint gen, string blocks) =>
        verb.File!.Source == FileSource.Zeros ? $"{verb.Keyword} blocks={blocks}" : $"{verb.Keyword} gen={gen} blocks={blocks}";

    /// <summary>What the writer leaves in a block: its generation, or zeros.</summary>
    private static Content Written(VerbInfo verb, uint gen) => verb.File!.Source == FileSource.Zeros ? Content.Hole : G(gen);

    [Theory]
    [MemberData(nameof(WriterOnBacking))]
    public void An_unpinned_write_through_the_file_is_what_every_path_reads(string verb, string backing)
    {
        var row = Row(verb);
        var text = $"backing {backing}\nmap shared\nfile size=8K\nstore gen=1 blocks=0-1\nfsync\n{Args(row, 2, "0")}\ncheck\n";

        Assert.Equal(VerdictClass.Intact, Judge(text, [], Check(3, Data(Written(row, 2), G(1)))).Class);
        // The old generation still on a path after the writer completed is a finding on that path.
        var stale = Judge(text, [], Check(3, Data(G(1), G(1))));
        Assert.True(stale.HasFindings);
        Assert.Contains(stale.Findings, f => f.Block == 0 && f.Path == ReadPath.Buffered);
    }

    [Theory]
    [MemberData(nameof(WriterOnBacking))]
    public void A_refused_writer_contributes_nothing(string verb, string backing)
    {
        var row = Row(verb);
        var text = $"backing {backing}\nmap shared\nfile size=8K\nstore gen=1 blocks=0-1\nfsync\n{Args(row, 2, "0")}\ncheck\n";
        var refused = new Dictionary<int, StepResult> { [2] = StepResult.Failure(2, "EOPNOTSUPP", 95, 20, 25) };

        Assert.Equal(VerdictClass.Intact, Judge(text, refused, Check(3, Data(G(1), G(1)))).Class);
        // What the refused call would have written is zeros where generation 1 is required, or a generation no
        // completed step wrote here.
        Assert.Equal(row.File!.Source == FileSource.Zeros ? VerdictClass.Zeroed : VerdictClass.Phantom,
            Judge(text, refused, Check(3, Data(Written(row, 2), G(1)))).Class);
    }

    [Theory]
    [MemberData(nameof(WriterOnBacking))]
    public void A_write_over_a_pinned_block_leaves_the_copies_the_row_says(string verb, string backing)
    {
        var row = Row(verb);
        var b = BackingTable.Find(backing)!;
        var text = $"backing {backing}\nmap shared\nfile size=8K\nstore gen=1 blocks=0-1\nfsync\npin rdma-mr blocks=0-1\ndma gen=2 blocks=0\n" +
                   $"{Args(row, 3, "0")}\ndma gen=4 blocks=0\nfsync\ncheck\n";
        var replaced = row.File!.ReplacesPagesOn(b);
        // Replaced: the file holds the writer's data and the device's next write went into the orphan. In place: the
        // device writes the file's own page again.
        var file = replaced ? Written(row, 3) : G(4);

        var verdict = Judge(text, [], Check(7, Data(file, G(1))));

        Assert.False(verdict.HasFindings);
        if (replaced)
        {
            Assert.Equal(VerdictClass.OrphanedWrite, verdict.Class);
            var orphan = Assert.Single(verdict.OrphanedWrites);
            Assert.Equal(new OrphanedWrite(5, 0, 4), orphan); // dma #5 into the page the writer (#4) took out
        }
        else
        {
            Assert.Equal(VerdictClass.Intact, verdict.Class);
            Assert.Empty(verdict.OrphanedWrites);
        }
    }

    [Theory]
    [MemberData(nameof(WriterOnBacking))]
    public void Where_the_kernel_kept_the_other_copy_the_finding_says_what_each_copy_holds(string verb, string backing)
    {
        var row = Row(verb);
        var b = BackingTable.Find(backing)!;
        var text = $"backing {backing}\nmap shared\nfile size=8K\nstore gen=1 blocks=0-1\nfsync\npin rdma-mr blocks=0-1\ndma gen=2 blocks=0\n" +
                   $"{Args(row, 3, "0")}\ndma gen=4 blocks=0\nfsync\ncheck\n";
        var replaced = row.File!.ReplacesPagesOn(b);
        // The other outcome: the page stayed in the file (g4 everywhere) where the row replaces it, or was replaced
        // (the writer's data everywhere) where the row writes in place.
        var other = replaced ? G(4) : Written(row, 3);
        var scenario = Parse(text);
        var observation = Observe(scenario, [], Check(7, Data(other, G(1))));
        var run = new ScenarioRun(scenario, observation, Oracle.Oracle.Judge(scenario, observation));

        Assert.True(run.Verdict.HasFindings);
        Assert.Contains(FindingText.Lines(run), l => l.Contains($"copies at this check: disk {other}, page cache {other}, mapping {other}", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(WriterOnBacking))]
    public void A_write_past_the_end_grows_the_file_and_the_blocks_between_are_holes(string verb, string backing)
    {
        var row = Row(verb);
        var text = $"backing {backing}\nmap shared\nfile size=16K\nstore gen=1 blocks=0-3\nfsync\ntruncate size=4K\n{Args(row, 2, "3")}\nfsync\ncheck\n";

        var verdict = Judge(text, [], Check(5, Data(G(1), Content.Hole, Content.Hole, Written(row, 2))));

        Assert.Equal(VerdictClass.Intact, verdict.Class);
        Assert.Equal(VerdictClass.Zeroed, Judge(text, [], Check(5, Data(G(1), Content.BeyondEof, Content.BeyondEof, Content.BeyondEof))).Class);
    }

    [Fact]
    public void A_device_write_into_a_truncated_pinned_page_is_an_orphaned_write_not_a_finding()
    {
        const string text = "backing ext4\nmap shared\nfile size=16K\nstore gen=1 blocks=0-3\nfsync\npin rdma-mr blocks=0-3\n" +
                            "truncate size=8K\ndma gen=2 blocks=0-3\ncheck\n";
        var scenario = Parse(text);
        var observation = Observe(scenario, [], Check(5, Data(G(2), G(2), Content.BeyondEof, Content.BeyondEof)));
        var verdict = Oracle.Oracle.Judge(scenario, observation);

        Assert.Equal(VerdictClass.OrphanedWrite, verdict.Class);
        Assert.False(verdict.HasFindings);
        Assert.Equal([new OrphanedWrite(4, 2, 3), new OrphanedWrite(4, 3, 3)], verdict.OrphanedWrites);
        var report = new RunReport("host", 1, [new ScenarioRun(scenario, observation, verdict)]);
        Assert.Equal(ExitCodes.Pass, report.ExitCode);
        Assert.Equal([(VerdictClass.OrphanedWrite, 1)], report.Counts);
    }

    [Fact]
    public void A_finding_outranks_orphaned_writes_which_are_still_listed()
    {
        const string text = "backing ext4\nmap shared\nfile size=16K\nstore gen=1 blocks=0-3\nfsync\npin rdma-mr blocks=0-3\n" +
                            "truncate size=8K\ndma gen=2 blocks=0-3\ncheck\n";
        // The truncated blocks came back with the device's data: a phantom.
        var verdict = Judge(text, [], Check(5, Data(G(2), G(2), G(2), G(2))));

        Assert.Equal(VerdictClass.Phantom, verdict.Class);
        Assert.Equal(2, verdict.OrphanedWrites.Count);
    }

    [Fact]
    public void Every_report_format_shows_the_orphaned_writes_with_their_count_and_blocks()
    {
        const string text = "backing xfs\nmap shared\nfile size=16K\nstore gen=1 blocks=0-3\nfsync\npin rdma-mr blocks=0-3\n" +
                            "odirect-write-file gen=2 blocks=0-2\ndma gen=3 blocks=0-3\nfsync\ncheck\n";
        var scenario = Parse(text);
        var observation = Observe(scenario, [], Check(6, Data(G(2), G(2), G(2), G(3))));
        var run = new ScenarioRun(scenario, observation, Oracle.Oracle.Judge(scenario, observation));
        var results = new Results("run", ["host"], [new RunReport("host", 1, [run])]);
        const string headline = "orphaned-write: 3 device writes completed into pages the file no longer owns (blocks 0-2)";

        Assert.Equal(VerdictClass.OrphanedWrite, run.Verdict.Class);
        var ktap = new KtapDocument("t", ["host"], 1);
        ktap.Add(run);
        Assert.Contains(ktap.Lines, l => l.StartsWith("# " + headline, StringComparison.Ordinal));
        Assert.Equal("ok 1 fixture", ktap.Lines[^1]);
        var junit = JunitReport.Render(results);
        Assert.Contains(headline, junit, StringComparison.Ordinal);
        Assert.DoesNotContain("<failure", junit, StringComparison.Ordinal);
        Assert.Contains(headline, HtmlReport.Render(results), StringComparison.Ordinal);
        Assert.Contains(".v-orphaned-write", HtmlReport.Render(results), StringComparison.Ordinal);
        using var json = JsonDocument.Parse(JsonReport.Render(results));
        var target = json.RootElement.GetProperty("targets")[0];
        Assert.Equal(1, target.GetProperty("counts").GetProperty("orphaned-write").GetInt32());
        Assert.Equal(0, json.RootElement.GetProperty("exitCode").GetInt32());
        Assert.Equal(3, target.GetProperty("scenarios")[0].GetProperty("verdict").GetProperty("orphanedWrites").GetArrayLength());
    }

    [Theory]
    [MemberData(nameof(WriterOnBacking))]
    public void After_a_refused_pin_of_a_private_mapping_the_mapping_may_show_its_copy_or_the_writers_data(string verb, string backing)
    {
        // A long-term pin refused after GUP write-faulted the pages (io_uring's registration on the 2019 and 6.1 kernels)
        // may have left the mapping a COW copy: a file writer then changes the file's page, not that copy (found by
        // pinbridge explore --target sim:linux-2019-legacy --seed 1, scenario 469).
        var row = Verbs.Find(verb)!;
        var text = $"backing {backing}\nmap private\nfile size=8K\npin uring-register blocks=0\n{Args(row, 2, "0")}\ncheck\n";
        var refused = new Dictionary<int, StepResult> { [0] = StepResult.Failure(0, "EOPNOTSUPP", 95, 0, 5) };
        var file = Written(row, 2);
        (string, ReadPath, Content[])[] Views(Content mapping) =>
            [("data", ReadPath.Disk, [file, G(0)]), ("data", ReadPath.Buffered, [file, G(0)]), ("data", ReadPath.Mapping, [mapping, G(0)])];

        Assert.Equal(VerdictClass.Refused, Judge(text, refused, Check(2, Views(G(0)))).Class); // the copy, as the pin's fault left it
        Assert.Equal(VerdictClass.Refused, Judge(text, refused, Check(2, Views(file))).Class); // no copy: the file's page
        Assert.True(Judge(text, [], Check(2, Views(file))).HasFindings == (file != G(0))); // the pin held: its copy is the mapping's
    }

    [Fact]
    public void Truncate_takes_a_refused_pins_copy_away_so_a_later_writer_is_what_the_mapping_shows()
    {
        // Scenario 422 of the same exploration: the copy a refused pin may have made lies past the truncated end, so
        // truncate unmapped it; the file grows again through the writer, whose data the mapping then shows.
        const string text = "backing xfs\nmap private\nfile size=32K block=16K\npin uring-register blocks=1\ntruncate size=16K\n" +
                            "copy-range gen=4 blocks=1\ncopy-range gen=6 blocks=1\ncheck\n";
        var refused = new Dictionary<int, StepResult> { [0] = StepResult.Failure(0, "EOPNOTSUPP", 95, 0, 5) };

        Assert.Equal(VerdictClass.Refused, Judge(text, refused, Check(4, Data(G(0), G(6)))).Class);
        Assert.Equal(VerdictClass.Stale, Judge(text, refused, Check(4, ("data", ReadPath.Disk, [G(0), G(6)]), ("data", ReadPath.Buffered, [G(0), G(6)]), ("data", ReadPath.Mapping, [G(0), G(4)]))).Class);
    }
}
