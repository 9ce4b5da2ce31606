using Bridge.Core.Blocks;
using Bridge.Core.Observations;
using Bridge.Core.Oracle;
using static Bridge.Core.Tests.OracleFixtures;

namespace Bridge.Core.Tests;

/// <summary>The oracle's rules at their edges: the first and last iteration of a race, steps that never succeeded,
/// the first block past the end, private copies, and what a finding says — the text a report shows.</summary>
public class OracleEdgeTests
{
    private static (string, ReadPath, Content[])[] Paths(Content[] disk, Content[] memory) =>
        [("data", ReadPath.Disk, disk), ("data", ReadPath.Buffered, memory), ("data", ReadPath.Mapping, memory)];

    // ---- races --------------------------------------------------------------------------------------------

    [Fact]
    public void A_racing_writer_whose_only_success_was_its_first_iteration_wrote_that_iteration()
    {
        const string Text = "backing ext4\nfile size=8K\nrace count=3\n  store gen=1 blocks=0\nend\nfsync\ncheck\n";
        var results = new Dictionary<int, StepResult> { [1] = StepResult.Success(1, 0, 100) with { Race = new RaceStats(3, 2, 0, 10, 20) } };
        Assert.Equal(VerdictClass.Intact, Judge(Text, results, Check(3, Data(G(1), G(0)))).Class);
        Assert.Equal(VerdictClass.LostWrite, Judge(Text, results, Check(3, Paths([G(0), G(0)], [G(1), G(0)]))).Class);
    }

    [Fact]
    public void A_race_writes_iterations_0_to_count_minus_1_and_no_further()
    {
        const string Text = "backing ext4\nfile size=8K\nrace count=10\n  store gen=1 blocks=0\nend\ncheck\n";
        var results = new Dictionary<int, StepResult> { [1] = RaceStep(1, 10, 9, 100, 120) };
        Assert.Equal(VerdictClass.Intact, Judge(Text, results, Check(2, Paths([G(1, 9), G(0)], [G(1, 9), G(0)]))).Class);
        var f = Assert.Single(Judge(Text, results, Check(2, Paths([G(1, 10), G(0)], [G(1, 9), G(0)]))).Findings);
        Assert.Equal((VerdictClass.Phantom, ReadPath.Disk), (f.Class, f.Path!.Value));
    }

    [Fact]
    public void A_racing_step_that_ran_no_iteration_wrote_nothing()
    {
        const string Text = "backing ext4\nfile size=8K\nrace count=10\n  store gen=1 blocks=0\n  store gen=2 blocks=1\nend\ncheck\n";
        var results = new Dictionary<int, StepResult>
        {
            [1] = RaceStep(1, 10, 9, 100, 120),
            [2] = StepResult.Success(2, 0, 100) with { Race = new RaceStats(0, 0, -1, 0, 0) },
        };
        Assert.Equal(VerdictClass.Intact, Judge(Text, results, Check(3, Paths([G(1, 9), G(0)], [G(1, 9), G(0)]))).Class);
        Assert.Equal(VerdictClass.Phantom, Judge(Text, results, Check(3, Paths([G(1, 9), G(2, 3)], [G(1, 9), G(0)]))).Class);
    }

    [Fact]
    public void A_racing_flush_that_never_succeeded_makes_nothing_durable_and_one_whose_first_call_did_does()
    {
        const string Text = "backing ext4\nfile size=8K\nstore gen=1\nrace count=5\n  fsync\nend\ncheck\n";
        var failed = new Dictionary<int, StepResult> { [2] = RaceStep(2, 5, -1, 0, 0, "EIO") };
        // Every fsync failed: nothing was required (the EIO is its own finding).
        Assert.Equal([VerdictClass.IoError], Judge(Text, failed, Check(3, Paths([G(0), G(0)], [G(1), G(1)]))).Findings.Select(f => f.Class));
        var first = new Dictionary<int, StepResult> { [2] = StepResult.Success(2, 0, 100) with { Race = new RaceStats(5, 4, 0, 10, 20) } };
        Assert.Equal(VerdictClass.LostWrite, Judge(Text, first, Check(3, Paths([G(0), G(0)], [G(1), G(1)]))).Class);
    }

    [Fact]
    public void A_racing_flush_is_ordered_after_the_writer_that_ended_last()
    {
        // Two overlapping writers end at 120 and 130; a flush that began at 125 may have missed the second one.
        const string Text = "backing ext4\nfile size=8K\nrace count=10\n  store gen=1 blocks=0\n  odirect-read gen=2 blocks=0\n  msync\nend\ncheck\n";
        var results = new Dictionary<int, StepResult> { [1] = RaceStep(1, 10, 9, 100, 120), [2] = RaceStep(2, 10, 9, 110, 130), [3] = RaceStep(3, 10, 9, 125, 126) };
        Assert.Equal(VerdictClass.Intact, Judge(Text, results, Check(4, Paths([G(1, 4), G(0)], [G(2, 9), G(0)]))).Class);
        results[3] = RaceStep(3, 10, 9, 131, 132);
        Assert.Equal(VerdictClass.LostWrite, Judge(Text, results, Check(4, Paths([G(1, 4), G(0)], [G(2, 9), G(0)]))).Class);
    }

    [Fact]
    public void A_racing_copy_that_never_succeeded_copied_nothing()
    {
        const string Text = "backing ext4\nfile size=8K\nstore gen=1\nrace count=5\n  odirect-write blocks=0 to=out\nend\ncheck\n";
        var failed = new Dictionary<int, StepResult> { [2] = RaceStep(2, 5, -1, 0, 0, "EINVAL") };
        Assert.Equal(VerdictClass.Intact, Judge(Text, failed, Check(3, [.. Data(G(1), G(1)), ("out", ReadPath.Disk, [Content.Hole]), ("out", ReadPath.Buffered, [Content.Hole])])).Class);
        Assert.Equal(VerdictClass.Phantom, Judge(Text, failed, Check(3, [.. Data(G(1), G(1)), ("out", ReadPath.Disk, [G(1)]), ("out", ReadPath.Buffered, [G(1)])])).Class);
    }

    [Fact]
    public void A_racing_device_read_copies_the_page_the_pin_holds_not_the_one_the_file_has_now()
    {
        // Block 0's page left the file with g1 in it (punch); the mapping now shows the hole, the device still g1.
        const string Text = "backing ext4\nfile size=8K\nstore gen=1\npin rdma-mr\npunch blocks=0\nrace count=5\n  dma-read blocks=0 to=out\nend\ncheck\n";
        var results = new Dictionary<int, StepResult> { [4] = RaceStep(4, 5, 4, 10, 20) };
        Assert.Equal(VerdictClass.Intact, Judge(Text, results, Check(5, [.. Data(Content.Hole, G(1)), ("out", ReadPath.Disk, [G(1)]), ("out", ReadPath.Buffered, [G(1)])])).Class);
        Assert.True(Judge(Text, results, Check(5, [.. Data(Content.Hole, G(1)), ("out", ReadPath.Disk, [Content.Hole]), ("out", ReadPath.Buffered, [Content.Hole])])).HasFindings);
    }

    [Fact]
    public void A_device_and_the_cpu_racing_on_one_pinned_page_leave_the_write_that_came_last()
    {
        // The device's last write began after the CPU's last store ended: the shared page holds the device's data,
        // whichever of the two the race lists first.
        const string Text = "backing ext4\nfile size=8K\npin rdma-mr blocks=0\nrace count=10\n  dma gen=2 blocks=0\n  store gen=1 blocks=0\nend\ncheck\n";
        var results = new Dictionary<int, StepResult> { [2] = RaceStep(2, 10, 9, 200, 220), [3] = RaceStep(3, 10, 9, 100, 120) };
        Assert.Equal(VerdictClass.Intact, Judge(Text, results, Check(4, Paths([G(2, 9), G(0)], [G(2, 9), G(0)]))).Class);
        Assert.Equal(VerdictClass.Stale, Judge(Text, results, Check(4, Paths([G(2, 9), G(0)], [G(1, 9), G(0)]))).Class);
    }

    [Fact]
    public void A_sector_torn_after_the_race_is_over_is_torn_even_in_the_last_writers_own_data()
    {
        // One writer finished strictly last: its data is all the page may hold, and a sector that fails its crc
        // was changed after it was stamped.
        const string Text = "backing ext4\nfile size=8K\nrace count=10\n  store gen=1 blocks=0\n  odirect-read gen=2 blocks=0\nend\ncheck\n";
        var results = new Dictionary<int, StepResult> { [1] = RaceStep(1, 10, 9, 100, 120), [2] = RaceStep(2, 10, 9, 200, 220) };
        var bytes = new byte[4096];
        BlockCodec.Stamp(bytes, new BlockStamp(RunId, 1, 0, 2, 9, Writer.ODirect, 2));
        bytes[700] ^= 1;
        var torn = BlockCodec.Decode(bytes, 0, RunId, 1);
        var scenario = Parse(Text);
        var uniform = new BlockRead(1, ReadState.Uniform, Content.Data(0), Writer.Initial, -1);
        var check = new CheckObservation(3, [new ViewRead("data", ReadPath.Disk, [BlockCodec.Stamped(new BlockStamp(RunId, 1, 0, 2, 9, Writer.ODirect, 2)), uniform]),
            new ViewRead("data", ReadPath.Buffered, [torn, uniform]), new ViewRead("data", ReadPath.Mapping, [torn, uniform])]);
        var verdict = Oracle.Oracle.Judge(scenario, Observe(scenario, results, check));
        Assert.Equal(VerdictClass.Torn, verdict.Class);
        Assert.Equal(2, verdict.Findings.Count);
    }

    // ---- the file ------------------------------------------------------------------------------------------

    [Fact]
    public void A_sparse_file_starts_as_holes()
    {
        Assert.Equal(VerdictClass.Intact, Judge("backing ext4\nfile size=8K init=hole\ncheck\n", [], Check(0, Data(Content.Hole, Content.Hole))).Class);
        Assert.Equal(VerdictClass.Phantom, Judge("backing ext4\nfile size=8K init=hole\ncheck\n", [], Check(0, Data(G(0), Content.Hole))).Class);
    }

    [Fact]
    public void Zeros_where_the_initial_fill_belongs_blame_the_setup()
    {
        var f = Assert.Single(Judge("backing ext4\nfile size=8K\ncheck\n", [], Check(0, Paths([Content.Hole, G(0)], [G(0), G(0)]))).Findings);
        Assert.Equal((VerdictClass.Zeroed, -1), (f.Class, f.Culprit!.Value));
    }

    [Fact]
    public void A_store_past_the_end_of_the_file_writes_nothing()
    {
        // The executors do not store past EOF (it would be SIGBUS): block 1 stays past the end.
        var verdict = Judge("backing ext4\nfile size=8K\ntruncate size=4K\nstore gen=2\ncheck\n", [], Check(2, Data(G(2), Content.BeyondEof)));
        Assert.Equal(VerdictClass.Intact, verdict.Class);
    }

    [Fact]
    public void After_punch_a_private_mapping_without_a_copy_of_its_own_shows_the_hole()
    {
        var verdict = Judge("backing ext4\nmap private\nfile size=8K\npunch blocks=0\ncheck\n", [], Check(1, Data(Content.Hole, G(0))));
        Assert.Equal(VerdictClass.Intact, verdict.Class);
        var stale = Judge("backing ext4\nmap private\nfile size=8K\npunch blocks=0\ncheck\n", [], Check(1, ("data", ReadPath.Disk, [Content.Hole, G(0)]),
            ("data", ReadPath.Buffered, [Content.Hole, G(0)]), ("data", ReadPath.Mapping, [G(0), G(0)])));
        Assert.Equal(VerdictClass.Stale, stale.Class);
    }

    [Fact]
    public void Truncate_takes_a_private_mappings_copies_with_the_file_and_regrowing_it_brings_holes()
    {
        const string Text = "backing ext4\nmap private\nfile size=8K\nstore gen=1\ntruncate size=4K\ntruncate size=8K\ncheck\n";
        var memory = new[] { G(0), Content.Hole };
        Assert.Equal(VerdictClass.Intact, Judge(Text, [], Check(3, ("data", ReadPath.Disk, memory), ("data", ReadPath.Buffered, memory),
            ("data", ReadPath.Mapping, [G(1), Content.Hole]))).Class);
        Assert.True(Judge(Text, [], Check(3, ("data", ReadPath.Disk, memory), ("data", ReadPath.Buffered, memory),
            ("data", ReadPath.Mapping, [G(1), G(1)]))).HasFindings);
    }

    [Fact]
    public void A_pin_of_a_private_mapping_keeps_the_copy_the_process_already_has()
    {
        const string Text = "backing ext4\nmap private\nfile size=8K\nstore gen=1\npin rdma-mr\ndma-read to=out\ncheck\n";
        var outputs = new (string, ReadPath, Content[])[] { ("out", ReadPath.Disk, [G(1), G(1)]), ("out", ReadPath.Buffered, [G(1), G(1)]) };
        Assert.Equal(VerdictClass.Intact, Judge(Text, [], Check(3, [.. Paths([G(0), G(0)], [G(0), G(0)])[..2], ("data", ReadPath.Mapping, [G(1), G(1)]), .. outputs])).Class);
    }

    [Fact]
    public void A_read_only_pin_refused_on_a_private_mapping_may_have_unshared_its_pages()
    {
        // A read-only long-term pin unshares a private mapping's page-cache pages (gup_must_unshare, 6.5+) as GUP
        // faults them, and a refusal may come after that (a range reaching past EOF fails at the first page past it):
        // the mapping may keep the copy (g0) or show the file's page (the hole), nothing else.
        const string Text = "backing ext4\nmap private\nfile size=8K\npin rdma-mr access=remote-read\npunch blocks=0\ncheck\n";
        var refused = new Dictionary<int, StepResult> { [0] = StepResult.Failure(0, "EFAULT", 14, 0, 5) };
        Assert.Equal(VerdictClass.Refused, Judge(Text, refused, Check(2, Data(Content.Hole, G(0)))).Class);
        Assert.Equal(VerdictClass.Refused, Judge(Text, refused, Check(2, ("data", ReadPath.Disk, [Content.Hole, G(0)]),
            ("data", ReadPath.Buffered, [Content.Hole, G(0)]), ("data", ReadPath.Mapping, [G(0), G(0)]))).Class);
        Assert.Equal(VerdictClass.Phantom, Judge(Text, refused, Check(2, ("data", ReadPath.Disk, [Content.Hole, G(0)]),
            ("data", ReadPath.Buffered, [Content.Hole, G(0)]), ("data", ReadPath.Mapping, [G(5), G(0)]))).Class);
    }

    // ---- which paths are compared -------------------------------------------------------------------------

    [Fact]
    public void A_check_without_a_buffered_or_mapping_view_compares_nothing_across_paths()
    {
        var scenario = Parse("backing ext4\nfile size=8K\nstore gen=1\nfsync\ncheck\n");
        var diskOnly = new CheckObservation(2, [new ViewRead("data", ReadPath.Disk, [Uniform(0, 1), Uniform(1, 1)])]);
        Assert.Equal(VerdictClass.Intact, Oracle.Oracle.Judge(scenario, Observe(scenario, [], diskOnly)).Class);
        var bufferedOnly = new CheckObservation(2, [new ViewRead("data", ReadPath.Buffered, [Uniform(0, 1), Uniform(1, 1)])]);
        Assert.Equal(VerdictClass.Intact, Oracle.Oracle.Judge(scenario, Observe(scenario, [], bufferedOnly)).Class);
        // A block one path did not read is not compared with the other path.
        var shorter = new CheckObservation(2, [new ViewRead("data", ReadPath.Buffered, [Uniform(0, 1)]), new ViewRead("data", ReadPath.Mapping, [Uniform(0, 1), Uniform(1, 1)])]);
        Assert.Equal(VerdictClass.Intact, Oracle.Oracle.Judge(scenario, Observe(scenario, [], shorter)).Class);
    }

    [Fact]
    public void A_finding_on_one_block_does_not_hide_a_disagreement_on_another()
    {
        const string Text = "backing ext4\nfile size=8K\nrace count=10\n  store gen=1 blocks=0-1\n  odirect-read gen=2 blocks=0-1\nend\nfsync\ncheck\n";
        var racing = new Dictionary<int, StepResult> { [1] = RaceStep(1, 10, 9, 100, 120), [2] = RaceStep(2, 10, 9, 110, 130) };
        var verdict = Judge(Text, racing, Check(4, ("data", ReadPath.Disk, [G(0), G(1, 9)]), ("data", ReadPath.Buffered, [G(1, 9), G(1, 9)]), ("data", ReadPath.Mapping, [G(1, 9), G(2, 9)])));
        Assert.Equal([(VerdictClass.Stale, 1), (VerdictClass.LostWrite, 0)], verdict.Findings.Select(f => (f.Class, f.Block!.Value)).Order());
    }

    // ---- what a finding says ------------------------------------------------------------------------------

    [Fact]
    public void A_finding_names_what_was_allowed_and_what_was_seen()
    {
        const string Text = "backing ext4\nfile size=8K\nrace count=10\n  store gen=1 blocks=0\n  odirect-read gen=2 blocks=0\nend\ncheck\n";
        var racing = new Dictionary<int, StepResult> { [1] = RaceStep(1, 10, 9, 100, 120), [2] = RaceStep(2, 10, 9, 110, 130) };
        var f = Assert.Single(Judge(Text, racing, Check(3, Paths([G(3), G(0)], [G(1, 9), G(0)]))).Findings);
        Assert.Equal("one of g0|g1.0-9|g2.0-9 (sector mix allowed)", f.Expected);
        Assert.Equal("g3", f.Observed);
        Assert.Equal($"g3 was never written to this block by a completed step (its header names {Parse(Text).Describe(0)})", f.Note);
        Assert.Equal("'race count=10' (line 3)", Parse(Text).Describe(0));
        var stale = Assert.Single(Judge(Text, racing, Check(3, Paths([G(1, 9), G(0)], [G(1, 9), G(0)]) is var p ? [p[0], p[1], ("data", ReadPath.Mapping, [G(0), G(0)])] : [])).Findings);
        Assert.Equal(("one of g1.9|g2.9 (sector mix allowed)", "g0"), (stale.Expected, stale.Observed));
        Assert.Equal("g0, written by the initial fill, is still visible through the mapping path", stale.Note);
    }

    [Fact]
    public void A_lost_write_names_the_write_and_the_torn_block_each_sector()
    {
        var lost = Assert.Single(Judge("backing ext4\nfile size=8K\nstore gen=1\nstore gen=2 blocks=1\nfsync\ncheck\n", [],
            Check(3, Paths([G(1), G(1)], [G(1), G(2)]))).Findings);
        Assert.Equal(("g2", "g1", "g1, written by 'store gen=1' (line 3), is on disk; the required write never reached it"), (lost.Expected, lost.Observed, lost.Note));

        var bytes = new byte[4096];
        BlockCodec.Stamp(bytes, new BlockStamp(RunId, 1, 0, 1, 0, Writer.Cpu, 0));
        var other = new byte[4096];
        BlockCodec.Stamp(other, new BlockStamp(RunId, 1, 0, 7, 0, Writer.Rdma, 4));
        other.AsSpan(2048).CopyTo(bytes.AsSpan(2048));
        var scenario = Parse("backing ext4\nfile size=8K\nstore gen=1\nfsync\ncheck\n");
        var check = new CheckObservation(2, [new ViewRead("data", ReadPath.Disk, [BlockCodec.Decode(bytes, 0, RunId, 1), BlockCodec.Stamped(new BlockStamp(RunId, 1, 1, 1, 0, Writer.Cpu, 0))])]);
        var torn = Assert.Single(Oracle.Oracle.Judge(scenario, Observe(scenario, [], check)).Findings);
        Assert.Equal(VerdictClass.Torn, torn.Class);
        Assert.Equal("sectors 0-3 g1, 4-7 g7", torn.Observed);
        Assert.Equal("sectors of g1, g7: g7 was never written here", torn.Note);
        Assert.Equal(4, torn.Culprit); // the writer of the data that never belonged here
    }

    [Fact]
    public void A_block_mixed_only_of_allowed_contents_where_no_mix_is_allowed_says_so()
    {
        // Two overlapping writers, then one store of g3 to block 0 alone: the page holds g3, and the disk (no sync)
        // any of them; a mix of g1 and g2 in memory is torn although each part was once allowed.
        const string Text = "backing ext4\nfile size=8K\nstore gen=1\nstore gen=2\ncheck\n";
        var scenario = Parse(Text);
        var bytes = new byte[4096];
        BlockCodec.Stamp(bytes, new BlockStamp(RunId, 1, 0, 2, 0, Writer.Cpu, 1));
        var old = new byte[4096];
        BlockCodec.Stamp(old, new BlockStamp(RunId, 1, 0, 1, 0, Writer.Cpu, 0));
        old.AsSpan(0, 512).CopyTo(bytes);
        var mixed = BlockCodec.Decode(bytes, 0, RunId, 1);
        var g2 = BlockCodec.Stamped(new BlockStamp(RunId, 1, 1, 2, 0, Writer.Cpu, 1));
        var check = new CheckObservation(2, [new ViewRead("data", ReadPath.Buffered, [mixed, g2])]);
        var f = Assert.Single(Oracle.Oracle.Judge(scenario, Observe(scenario, [], check)).Findings);
        Assert.Equal((VerdictClass.Torn, "sectors of g1, g2: g1 is an older write, by 'store gen=1' (line 3)"), (f.Class, f.Note));
        Assert.Equal(1, f.Culprit);
    }

    [Fact]
    public void Step_findings_come_in_step_order_and_say_what_happened()
    {
        var scenario = Parse("backing ext4\nfile size=8K\nrace count=2\n  store gen=1 blocks=0\n  fsync\nend\ncheck\n");
        var results = new Dictionary<int, StepResult>
        {
            [0] = new StepResult(0, Outcome.Timeout, Detail: "60 s"),
            [1] = RaceStep(1, 2, 1, 10, 20),
            [2] = RaceStep(2, 2, -1, 0, 0, "EIO"),
        };
        var observation = Observe(scenario, results, Check(3, Data(G(1, 1), G(0)))) with { KernelLog = ["BUG: soft lockup - CPU#0 stuck for 22s!"] };
        var findings = Oracle.Oracle.Judge(scenario, observation).Findings;
        Assert.Equal([(VerdictClass.Hang, 0), (VerdictClass.IoError, 2), (VerdictClass.KernelWarn, -1)], findings.Select(f => (f.Class, f.Check)));
        Assert.Equal(("completion", "timeout", "'race count=2' did not finish (60 s)"), (findings[0].Expected, findings[0].Observed, findings[0].Note));
        Assert.Equal(("0", "EIO", "'fsync' failed with EIO"), (findings[1].Expected, findings[1].Observed, findings[1].Note));
        Assert.Equal(("no warning", "kernel log during the scenario"), (findings[2].Expected, findings[2].Note));
        Assert.Null(findings[2].Culprit);
    }

    [Fact]
    public void A_verdict_class_prints_in_kebab_case_and_only_what_follows_interrupted_is_a_finding()
    {
        Assert.Equal(["intact", "refused", "orphaned-write", "skipped", "interrupted", "stale", "zeroed", "misplaced", "torn", "phantom", "lost-write", "io-error", "kernel-warn", "hang"],
            Enum.GetValues<VerdictClass>().Select(c => c.Name()));
        Assert.Equal([VerdictClass.Stale, VerdictClass.Zeroed, VerdictClass.Misplaced, VerdictClass.Torn, VerdictClass.Phantom, VerdictClass.LostWrite,
            VerdictClass.IoError, VerdictClass.KernelWarn, VerdictClass.Hang], Enum.GetValues<VerdictClass>().Where(c => c.IsFinding()));
    }

    [Fact]
    public void Allowed_contents_union_keeps_the_widest_iteration_range_and_only_one_exact_content_has_a_sole_origin()
    {
        var narrow = Allowed.AnyIteration(1, 5, 3);
        var wide = Allowed.AnyIteration(1, 9, 4);
        Assert.True(narrow.Union(wide).Contains(G(1, 9)));
        Assert.True(wide.Union(narrow).Contains(G(1, 9)));
        Assert.False(wide.Union(narrow).Contains(G(1, 10)));
        Assert.Equal(4, narrow.Union(wide).OriginOf(G(1, 7)));
        Assert.True(narrow.MixOk);
        Assert.Null(narrow.SoleOrigin);
        Assert.Null(Allowed.Exactly(G(1), 0).Union(Allowed.Exactly(G(2), 1)).SoleOrigin);
        Assert.Null(Allowed.Exactly(G(1), 0).Union(narrow).SoleOrigin);
        Assert.Equal(1, Allowed.Exactly(G(2), 1).SoleOrigin);
        Assert.Equal("g2", Allowed.Exactly(G(2), 1).ToString());
        Assert.Equal("one of g1.0-5", narrow.WithMix(false).ToString());
        Assert.Equal("one of g1.0-5", narrow.ToString()); // one entry: no mix to allow
        Assert.Equal("one of g1|g2|hole", Allowed.Exactly(G(2), 1).Union(Allowed.Exactly(Content.Hole, -1)).Union(Allowed.Exactly(G(1), 0)).WithMix(false).ToString());
    }

    private static BlockRead Uniform(int block, uint gen) => BlockCodec.Stamped(new BlockStamp(RunId, 1, block, gen, 0, Writer.Cpu, 0));
}

/// <summary>What a finding on one sector says, and whom it blames.</summary>
public class SectorFindingTests
{
    private static ScenarioVerdict JudgeDisk(string text, int check, params BlockRead[] disk)
    {
        var scenario = Parse(text);
        return Oracle.Oracle.Judge(scenario, Observe(scenario, [], new CheckObservation(check, [new ViewRead("data", ReadPath.Disk, disk)])));
    }

    private static byte[] Bytes(int block, uint gen, int step, ulong run = RunId, uint file = 1)
    {
        var bytes = new byte[4096];
        BlockCodec.Stamp(bytes, new BlockStamp(run, file, block, gen, 0, Writer.Cpu, step));
        return bytes;
    }

    private static BlockRead Decode(byte[] bytes, int block) => BlockCodec.Decode(bytes, block, RunId, 1);

    private static BlockRead Good(int block) => Decode(Bytes(block, 1, 0), block);

    private const string Synced = "backing ext4\nfile size=8K\nstore gen=1\nfsync\ncheck\n";

    [Fact]
    public void A_failed_read_says_with_which_errno()
    {
        var f = Assert.Single(JudgeDisk(Synced, 2, BlockRead.Failed(0, "EIO"), Good(1)).Findings);
        Assert.Equal((VerdictClass.IoError, "reading the block failed with EIO", "EIO"), (f.Class, f.Note, f.Observed));
    }

    [Fact]
    public void A_sector_of_another_file_or_offset_is_misplaced_and_says_where_it_belongs()
    {
        var other = Bytes(1, 1, 0);
        var f = Assert.Single(JudgeDisk(Synced, 2, Decode(other, 0), Good(1)).Findings);
        Assert.Equal(VerdictClass.Misplaced, f.Class);
        Assert.StartsWith("g1@+1: header says offset 4096, read at offset 0, and no collapse or insert moved that data here", f.Note);
        var out2 = Bytes(0, 1, 0, file: 2);
        var g = Assert.Single(JudgeDisk(Synced, 2, Decode(out2, 0), Good(1)).Findings);
        Assert.Equal((VerdictClass.Misplaced, "sector 0: header says file 2 offset 0, read at offset 0"), (g.Class, g.Note));
    }

    [Fact]
    public void Another_runs_sector_and_bytes_no_writer_produced_are_phantoms()
    {
        var f = Assert.Single(JudgeDisk(Synced, 2, Decode(Bytes(0, 1, 0, run: 0xABCD), 0), Good(1)).Findings);
        Assert.Equal((VerdictClass.Phantom, "sector 0: data from another run (000000000000abcd)"), (f.Class, f.Note));
        var foreign = Bytes(0, 1, 0);
        foreign.AsSpan(512, 512).Fill(0x5A);
        var g = Assert.Single(JudgeDisk(Synced, 2, Decode(foreign, 0), Good(1)).Findings);
        Assert.Equal((VerdictClass.Phantom, "sector 1: bytes no Bridge writer produced"), (g.Class, g.Note));
    }

    [Fact]
    public void Between_syncs_a_sector_of_data_never_written_is_still_torn_and_blames_its_writer()
    {
        // The disk may hold a mix of g0 and g1 here, but not a sector of g9, which no step wrote (its header says
        // step 0 wrote it: that step is the culprit).
        var bytes = Bytes(0, 1, 0);
        Bytes(0, 9, 0).AsSpan(1024, 512).CopyTo(bytes.AsSpan(1024));
        var f = Assert.Single(JudgeDisk("backing ext4\nfile size=8K\nstore gen=1\ncheck\n", 1, Decode(bytes, 0), Good(1)).Findings);
        Assert.Equal((VerdictClass.Torn, 0, "sectors of g1, g9: g9 was never written here"), (f.Class, f.Culprit!.Value, f.Note));
        Bytes(0, 8, 0).AsSpan(2048, 512).CopyTo(bytes.AsSpan(2048));
        var two = Assert.Single(JudgeDisk("backing ext4\nfile size=8K\nstore gen=1\ncheck\n", 1, Decode(bytes, 0), Good(1)).Findings);
        Assert.Equal("sectors of g1, g9, g8: g9 was never written here; g8 was never written here", two.Note);
    }

    [Fact]
    public void A_torn_block_where_several_writes_were_allowed_blames_no_single_step()
    {
        const string Text = "backing ext4\nfile size=8K\nrace count=10\n  store gen=1 blocks=0\n  odirect-read gen=2 blocks=0\nend\nfsync\ncheck\n";
        var racing = new Dictionary<int, StepResult> { [1] = RaceStep(1, 10, 9, 100, 120), [2] = RaceStep(2, 10, 9, 110, 130) };
        var scenario = Parse(Text);
        var bytes = new byte[4096];
        BlockCodec.Stamp(bytes, new BlockStamp(RunId, 1, 0, 1, 9, Writer.Cpu, 1));
        var older = new byte[4096];
        BlockCodec.Stamp(older, new BlockStamp(RunId, 1, 0, 1, 3, Writer.Cpu, 1));
        older.AsSpan(0, 512).CopyTo(bytes);
        var check = new CheckObservation(4, [new ViewRead("data", ReadPath.Disk, [BlockCodec.Decode(bytes, 0, RunId, 1), BlockCodec.Stamped(new BlockStamp(RunId, 1, 1, 0, 0, Writer.Initial, -1))])]);
        var f = Assert.Single(Oracle.Oracle.Judge(scenario, Observe(scenario, racing, check)).Findings);
        Assert.Equal(VerdictClass.Torn, f.Class);
        Assert.Null(f.Culprit);
    }

    [Fact]
    public void A_phantom_names_the_step_its_header_names_else_the_write_that_belongs_there()
    {
        var byStep0 = Decode(Bytes(0, 7, 0), 0);
        var g = Assert.Single(JudgeDisk(Synced, 2, byStep0, Good(1)).Findings);
        Assert.Equal((VerdictClass.Phantom, 0), (g.Class, g.Culprit!.Value));
        // Where another step's data belongs (#1's g2), a phantom whose header names #0 still blames #0.
        var later = Assert.Single(JudgeDisk("backing ext4\nfile size=8K\nstore gen=1 blocks=1\nstore gen=2 blocks=0\nfsync\ncheck\n", 3, byStep0, Good(1)).Findings);
        Assert.Equal((VerdictClass.Phantom, 0), (later.Class, later.Culprit!.Value));
        // A header that names no step (the initial fill's) blames the store whose data should be there (#0)…
        var noStep = BlockCodec.Stamped(new BlockStamp(RunId, 1, 0, 7, 0, Writer.Initial, -1));
        Assert.Equal(0, Assert.Single(JudgeDisk(Synced, 2, noStep, Good(1)).Findings).Culprit);
        // …and in a sparse file, where a hole belongs, the setup (-1).
        var sparse = Parse("backing ext4\nfile size=8K init=hole\ncheck\n");
        var initial = BlockCodec.Stamped(new BlockStamp(RunId, 1, 0, 0, 0, Writer.Initial, -1));
        var f = Assert.Single(Oracle.Oracle.Judge(sparse, Observe(sparse, [], new CheckObservation(0,
            [new ViewRead("data", ReadPath.Disk, [initial, new BlockRead(1, ReadState.Uniform, Content.Hole)])]))).Findings);
        Assert.Equal((VerdictClass.Phantom, -1), (f.Class, f.Culprit!.Value));
    }
}

/// <summary>More of the oracle's page rules: punch without a pin, huge pages punched whole, copies racing with
/// orphaned or truncated pages.</summary>
public class OraclePageTests
{
    [Fact]
    public void Punch_leaves_a_private_mappings_own_copy_in_place()
    {
        // truncate_pagecache_range unmaps with even_cows=0: the process's COW copy stays, the file has the hole.
        const string Text = "backing ext4\nmap private\nfile size=8K\nstore gen=1 blocks=0\npunch blocks=0\ncheck\n";
        Assert.Equal(VerdictClass.Intact, Judge(Text, [], Check(2, ("data", ReadPath.Disk, [Content.Hole, G(0)]), ("data", ReadPath.Buffered, [Content.Hole, G(0)]),
            ("data", ReadPath.Mapping, [G(1), G(0)]))).Class);
    }

    [Fact]
    public void Punch_without_a_pin_leaves_a_hole_on_every_path()
    {
        const string Text = "backing ext4\nfile size=8K\nstore gen=1\npunch blocks=0\ncheck\n";
        Assert.Equal(VerdictClass.Intact, Judge(Text, [], Check(2, Data(Content.Hole, G(1)))).Class);
        Assert.True(Judge(Text, [], Check(2, Data(G(1), G(1)))).HasFindings);
    }

    [Fact]
    public void A_punch_covering_a_whole_huge_page_takes_it_out_of_the_file()
    {
        // 4 MiB of hugetlbfs in 1 MiB blocks: blocks 2-3 are the second huge page, punched whole; the device's
        // later write goes into the page the pin keeps, not into the file.
        const string Text = "backing hugetlb\nfile size=4M block=1M\npin uring-register\npunch blocks=2-3\ndma gen=2\ncheck\n";
        var views = new[] { ReadPath.Buffered, ReadPath.Mapping }.Select(p => ("data", p, new[] { G(2), G(2), Content.Hole, Content.Hole })).ToArray();
        var verdict = Judge(Text, [], Check(3, views));
        Assert.Equal(VerdictClass.OrphanedWrite, verdict.Class); // the device's writes into the punched huge page
        Assert.Equal([2, 3], verdict.OrphanedWrites.Select(o => o.Block));
        var wrong = new[] { ReadPath.Buffered, ReadPath.Mapping }.Select(p => ("data", p, new[] { G(2), G(2), G(2), G(2) })).ToArray();
        Assert.True(Judge(Text, [], Check(3, wrong)).HasFindings);
    }

    [Fact]
    public void A_racing_copy_out_of_the_mapping_copies_what_the_mapping_shows_not_the_pinned_page()
    {
        const string Text = "backing ext4\nfile size=8K\nstore gen=1\npin rdma-mr\npunch blocks=0\nrace count=5\n  odirect-write blocks=0 to=out\nend\ncheck\n";
        var results = new Dictionary<int, StepResult> { [4] = RaceStep(4, 5, 4, 10, 20) };
        Assert.Equal(VerdictClass.Intact, Judge(Text, results, Check(5, [.. Data(Content.Hole, G(1)), ("out", ReadPath.Disk, [Content.Hole]), ("out", ReadPath.Buffered, [Content.Hole])])).Class);
        Assert.True(Judge(Text, results, Check(5, [.. Data(Content.Hole, G(1)), ("out", ReadPath.Disk, [G(1)]), ("out", ReadPath.Buffered, [G(1)])])).HasFindings);
    }

    [Fact]
    public void A_racing_device_read_copies_a_pinned_page_past_the_end_of_the_file()
    {
        const string Text = "backing ext4\nfile size=8K\nstore gen=1\npin rdma-mr\ntruncate size=4K\nrace count=5\n  dma-read blocks=0-1 to=out\nend\ncheck\n";
        var results = new Dictionary<int, StepResult> { [4] = RaceStep(4, 5, 4, 10, 20) };
        Assert.Equal(VerdictClass.Intact, Judge(Text, results, Check(5, [.. Data(G(1), Content.BeyondEof), ("out", ReadPath.Disk, [G(1), G(1)]), ("out", ReadPath.Buffered, [G(1), G(1)])])).Class);
        Assert.True(Judge(Text, results, Check(5, [.. Data(G(1), Content.BeyondEof), ("out", ReadPath.Disk, [G(1), Content.Hole]), ("out", ReadPath.Buffered, [G(1), Content.Hole])])).HasFindings);
    }

    [Fact]
    public void A_racing_copy_whose_only_success_was_its_first_call_copied()
    {
        const string Text = "backing ext4\nfile size=8K\nstore gen=1\nrace count=5\n  odirect-write blocks=0 to=out\nend\ncheck\n";
        var first = new Dictionary<int, StepResult> { [2] = StepResult.Success(2, 0, 100) with { Race = new RaceStats(5, 4, 0, 10, 20) } };
        Assert.Equal(VerdictClass.Intact, Judge(Text, first, Check(3, [.. Data(G(1), G(1)), ("out", ReadPath.Disk, [G(1)]), ("out", ReadPath.Buffered, [G(1)])])).Class);
    }

    [Fact]
    public void A_copy_racing_a_writer_may_hold_what_that_writer_wrote_but_not_what_a_writer_that_never_ran_would_have()
    {
        const string Text = "backing ext4\nfile size=8K\nrace count=10\n  store gen=1 blocks=0\n  store gen=2 blocks=0\n  odirect-write blocks=0 to=out\nend\ncheck\n";
        var results = new Dictionary<int, StepResult>
        {
            [1] = RaceStep(1, 10, 9, 100, 120),
            [2] = StepResult.Success(2, 0, 100) with { Race = new RaceStats(0, 0, -1, 0, 0) },
            [3] = RaceStep(3, 10, 9, 110, 115),
        };
        var data = Data(G(1, 9), G(0));
        Assert.Equal(VerdictClass.Intact, Judge(Text, results, Check(4, [.. data, ("out", ReadPath.Disk, [G(1, 4)]), ("out", ReadPath.Buffered, [G(1, 4)])])).Class);
        Assert.Equal(VerdictClass.Phantom, Judge(Text, results, Check(4, [.. data, ("out", ReadPath.Disk, [G(2, 4)]), ("out", ReadPath.Buffered, [G(2, 4)])])).Class);
    }
}
