using Bridge.Core.Blocks;
using Bridge.Core.Observations;
using Bridge.Core.Oracle;
using static Bridge.Core.Tests.OracleFixtures;

namespace Bridge.Core.Tests;

/// <summary>
/// The oracle's contract, one rule per test (README "What the oracle enforces"): what a persistence point covers,
/// what may sit on disk between them, which step results are findings, what each read path must agree on. Each
/// case is built so that the rule alone decides it: without the rule the verdict changes.
/// </summary>
public class OracleContractTests
{
    private static Finding Single(ScenarioVerdict verdict, VerdictClass expected)
    {
        var finding = Assert.Single(verdict.Findings);
        Assert.Equal(expected, finding.Class);
        Assert.Equal(expected, verdict.Class);
        return finding;
    }

    // ---- persistence points ------------------------------------------------------------------------------

    [Fact]
    public void A_sync_with_blocks_persists_only_those_blocks()
    {
        const string Text = "backing ext4\nfile size=8K\nstore gen=1\nsync-file-range blocks=0\ncheck\n";
        // Block 1 was written but not covered: the disk may still hold the old generation there.
        Assert.Equal(VerdictClass.Intact, Judge(Text, [], Check(2, ("data", ReadPath.Disk, [G(1), G(0)]),
            ("data", ReadPath.Buffered, [G(1), G(1)]), ("data", ReadPath.Mapping, [G(1), G(1)]))).Class);
        // Block 0 was covered: the old generation there is a lost write, blamed on the store that went missing.
        var f = Single(Judge(Text, [], Check(2, ("data", ReadPath.Disk, [G(0), G(1)]),
            ("data", ReadPath.Buffered, [G(1), G(1)]), ("data", ReadPath.Mapping, [G(1), G(1)]))), VerdictClass.LostWrite);
        Assert.Equal((0, ReadPath.Disk, 0), (f.Block!.Value, f.Path!.Value, f.Culprit!.Value));
    }

    [Theory]
    [InlineData("fsync")]
    [InlineData("fdatasync")]
    [InlineData("msync")]
    [InlineData("sync-file-range")]
    public void A_sync_without_blocks_persists_every_block(string sync)
    {
        var verdict = Judge($"backing ext4\nfile size=8K\nstore gen=1\n{sync}\ncheck\n", [],
            Check(2, ("data", ReadPath.Disk, [G(1), G(0)]), ("data", ReadPath.Buffered, [G(1), G(1)]), ("data", ReadPath.Mapping, [G(1), G(1)])));
        Assert.Equal(1, Single(verdict, VerdictClass.LostWrite).Block);
    }

    [Fact]
    public void Msync_async_makes_nothing_durable()
    {
        // MS_ASYNC starts no writeback on Linux since 2.6.19: the old generation may stay on disk.
        var verdict = Judge("backing ext4\nfile size=8K\nstore gen=1\nmsync async\ncheck\n", [], Check(2,
            ("data", ReadPath.Disk, [G(0), G(0)]), ("data", ReadPath.Buffered, [G(1), G(1)]), ("data", ReadPath.Mapping, [G(1), G(1)])));
        Assert.Equal(VerdictClass.Intact, verdict.Class);
    }

    [Fact]
    public void A_failed_sync_makes_nothing_durable_and_is_itself_a_finding()
    {
        var verdict = Judge("backing ext4\nfile size=8K\nstore gen=1\nfsync\ncheck\n", new() { [1] = StepResult.Failure(1, "ENOSPC", 28, 10, 15) },
            Check(2, ("data", ReadPath.Disk, [G(0), G(0)]), ("data", ReadPath.Buffered, [G(1), G(1)]), ("data", ReadPath.Mapping, [G(1), G(1)])));
        var f = Single(verdict, VerdictClass.IoError);
        Assert.Equal((1, 1, "ENOSPC"), (f.Check, f.Culprit!.Value, f.Observed));
        Assert.Null(f.Block);
    }

    [Fact]
    public void Between_syncs_the_disk_may_hold_any_generation_written_since_or_a_sector_mix_of_them()
    {
        const string Text = "backing ext4\nfile size=8K\nstore gen=1\nstore gen=2\ncheck\n";
        var memory = new[] { G(2), G(2) };
        foreach (var disk in new[] { Uniform(0, 0), Uniform(0, 1), Uniform(0, 2), Mixed(0, 0, 1, 2, 0, 1, 2, 2, 0) })
            Assert.Equal(VerdictClass.Intact, JudgeDisk(Text, 2, disk, memory).Class);
    }

    [Fact]
    public void After_a_sync_a_sector_mix_is_torn_and_names_the_older_write()
    {
        const string Text = "backing ext4\nfile size=8K\nstore gen=1\nstore gen=2\nfsync\ncheck\n";
        var f = Single(JudgeDisk(Text, 3, Mixed(0, 2, 2, 2, 2, 1, 1, 1, 1), [G(2), G(2)]), VerdictClass.Torn);
        Assert.Equal((0, ReadPath.Disk), (f.Block!.Value, f.Path!.Value));
        Assert.Contains("g1 is an older write, by 'store gen=1' (line 3)", f.Note);
        Assert.Equal(1, f.Culprit); // the write whose data is missing: the one the sync required
    }

    [Fact]
    public void A_sector_torn_by_writeback_is_allowed_only_where_a_mix_is()
    {
        // A crc failure inside one sector whose header names an allowed generation: writeback copied the page while
        // the CPU changed it. Before the sync nothing orders the two; after it the sector must be whole.
        var before = JudgeDisk("backing ext4\nfile size=8K\nstore gen=1\nstore gen=2\ncheck\n", 2, TornSector(0, 2), [G(2), G(2)]);
        Assert.Equal(VerdictClass.Intact, before.Class);
        var after = Single(JudgeDisk("backing ext4\nfile size=8K\nstore gen=1\nstore gen=2\nfsync\ncheck\n", 3, TornSector(0, 2), [G(2), G(2)]), VerdictClass.Torn);
        Assert.Contains("crc32c mismatch", after.Note);
        Assert.Equal(1, after.Culprit); // the step the torn sector's header names
    }

    // ---- the file's end and its holes ------------------------------------------------------------------------

    [Fact]
    public void A_file_that_ends_before_a_block_it_has_is_zeroed_there()
    {
        var f = Single(Judge("backing ext4\nfile size=8K\nstore gen=1\nfsync\ncheck\n", [],
            Check(2, ("data", ReadPath.Disk, [G(1), Content.BeyondEof]), ("data", ReadPath.Buffered, [G(1), G(1)]), ("data", ReadPath.Mapping, [G(1), G(1)]))), VerdictClass.Zeroed);
        Assert.Equal((1, ReadPath.Disk), (f.Block!.Value, f.Path!.Value));
        Assert.Contains("ends before", f.Note);
    }

    [Fact]
    public void After_truncate_the_blocks_past_the_new_end_are_past_the_end_on_every_path_and_come_back_as_holes()
    {
        const string Text = "backing ext4\nfile size=16K\nstore gen=1\nfsync\ntruncate size=8K\ntruncate size=16K\ncheck\n";
        var eof = Content.BeyondEof;
        Assert.Equal(VerdictClass.Intact, Judge("backing ext4\nfile size=16K\nstore gen=1\nfsync\ntruncate size=8K\ncheck\n", [],
            Check(3, Data(G(1), G(1), eof, eof))).Class);
        Assert.Equal(VerdictClass.Intact, Judge(Text, [], Check(4, Data(G(1), G(1), Content.Hole, Content.Hole))).Class);
        // The data truncate took out of the file must not come back.
        var f = Assert.Single(Judge(Text, [], Check(4, [("data", ReadPath.Disk, [G(1), G(1), Content.Hole, G(1)]),
            ("data", ReadPath.Buffered, [G(1), G(1), Content.Hole, Content.Hole]), ("data", ReadPath.Mapping, [G(1), G(1), Content.Hole, Content.Hole])])).Findings);
        Assert.Equal((3, ReadPath.Disk, "hole"), (f.Block!.Value, f.Path!.Value, f.Expected));
    }

    [Fact]
    public void Zeros_where_data_is_required_are_zeroed_and_blame_the_write_that_is_missing()
    {
        var f = Single(Judge("backing ext4\nfile size=8K\nstore gen=1\nfsync\ncheck\n", [],
            Check(2, ("data", ReadPath.Disk, [G(1), Content.Hole]), ("data", ReadPath.Buffered, [G(1), G(1)]), ("data", ReadPath.Mapping, [G(1), G(1)]))), VerdictClass.Zeroed);
        Assert.Equal((1, 0, "zeros where data is required"), (f.Block!.Value, f.Culprit!.Value, f.Note));
    }

    // ---- step results ------------------------------------------------------------------------------------

    [Theory]
    [InlineData("EIO")]
    [InlineData("EUCLEAN")]
    public void Data_the_kernel_says_it_lost_is_a_finding_from_any_step(string errno)
    {
        var verdict = Judge("backing ext4\nfile size=8K\nstore gen=1\nodirect-read gen=2 blocks=0\ncheck\n", new() { [1] = StepResult.Failure(1, errno, 5, 10, 15) },
            Check(2, Data(G(1), G(1))));
        var f = Single(verdict, VerdictClass.IoError);
        Assert.Equal((1, errno), (f.Culprit!.Value, f.Observed));
    }

    [Fact]
    public void Another_failed_step_contributes_nothing_and_is_no_finding()
    {
        // An O_DIRECT read refused with EINVAL wrote nothing: the old generation is what every path must show.
        var verdict = Judge("backing ext4\nfile size=8K\nstore gen=1\nodirect-read gen=2 blocks=0\nfsync\ncheck\n", new() { [1] = StepResult.Failure(1, "EINVAL", 22, 10, 15) },
            Check(3, Data(G(1), G(1))));
        Assert.Equal(VerdictClass.Intact, verdict.Class);
        var wrote = Judge("backing ext4\nfile size=8K\nstore gen=1\nodirect-read gen=2 blocks=0\nfsync\ncheck\n", new() { [1] = StepResult.Failure(1, "EINVAL", 22, 10, 15) },
            Check(3, Data(G(2), G(1))));
        Assert.Equal(VerdictClass.Phantom, wrote.Class);
    }

    [Fact]
    public void A_refused_pin_is_recorded_not_a_finding_and_its_device_steps_contribute_nothing()
    {
        var verdict = Judge("backing ext4\nfile size=8K\nstore gen=1\npin rdma-mr blocks=0\ndma gen=2 blocks=0\nfsync\ncheck\n",
            new() { [1] = StepResult.Failure(1, "EFAULT", 14, 10, 15), [2] = StepResult.Skipped(2, "the pin failed") },
            Check(4, Data(G(1), G(1))));
        Assert.Equal(VerdictClass.Refused, verdict.Class);
        Assert.Empty(verdict.Findings);
        Assert.Equal((1, "EFAULT"), (Assert.Single(verdict.Refusals).Step, verdict.Refusals[0].Errno));
    }

    [Fact]
    public void A_step_that_did_not_finish_is_a_hang()
    {
        var verdict = Judge("backing ext4\nfile size=8K\nstore gen=1\nfsync\ncheck\n", new() { [1] = new StepResult(1, Outcome.Timeout, Detail: "30 s") },
            Check(2, ("data", ReadPath.Disk, [G(0), G(0)]), ("data", ReadPath.Buffered, [G(1), G(1)]), ("data", ReadPath.Mapping, [G(1), G(1)])));
        var f = Single(verdict, VerdictClass.Hang);
        Assert.Equal(1, f.Culprit);
        Assert.Contains("30 s", f.Note);
    }

    [Fact]
    public void The_verdict_is_the_most_severe_finding()
    {
        // Block 0 stale in the page cache, block 1 lost on disk: lost-write outranks stale.
        var verdict = Judge("backing ext4\nfile size=8K\nstore gen=1\nfsync\ncheck\n", [],
            Check(2, ("data", ReadPath.Disk, [G(1), G(0)]), ("data", ReadPath.Buffered, [G(0), G(1)]), ("data", ReadPath.Mapping, [G(1), G(1)])));
        Assert.Equal([VerdictClass.Stale, VerdictClass.LostWrite], verdict.Findings.Select(f => f.Class).Order());
        Assert.Equal(VerdictClass.LostWrite, verdict.Class);
    }

    [Theory]
    [InlineData("WARNING: CPU: 1 PID: 4242 at mm/gup.c:2163 __gup_longterm_locked+0x1/0x2")]
    [InlineData("kernel BUG at fs/ext4/inode.c:1899!")]
    [InlineData("BUG: unable to handle page fault for address: ffff888000000000")]
    [InlineData("Oops: 0000 [#1] PREEMPT SMP NOPTI")]
    [InlineData("general protection fault, probably for non-canonical address 0xdead000000000100")]
    [InlineData("Call Trace:")]
    [InlineData("WARNING: possible circular locking dependency detected")]
    [InlineData("KASAN: null-ptr-deref in range [0x0000000000000000-0x0000000000000007]")]
    [InlineData("UBSAN: array-index-out-of-bounds in mm/gup.c:100:5")]
    [InlineData("list_add corruption. prev->next should be next (ffff888003f0c6c8)")]
    [InlineData("Kernel panic - not syncing: Fatal exception")]
    [InlineData("INFO: task kworker/u4:1:25 blocked for more than 120 seconds.")]
    [InlineData("rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:")]
    public void A_warning_the_kernel_logs_during_the_scenario_is_a_finding(string line)
    {
        Assert.True(KernelLogRules.IsWarning(line), line);
        var scenario = Parse("backing ext4\nfile size=8K\nstore gen=1\ncheck\n");
        var observation = Observe(scenario, [], Check(1, Data(G(1), G(1)))) with { KernelLog = ["EXT4-fs (loop0): mounted filesystem", line] };
        var f = Single(Oracle.Oracle.Judge(scenario, observation), VerdictClass.KernelWarn);
        Assert.Equal(line, f.Observed);
    }

    /// <summary>Debian 6.1's btrfs warning as its log has it (vm:debian-6.1): one WARN_ON, one finding, twice; a hung
    /// task's report is its INFO line; a trace with nothing before it is a finding of its own.</summary>
    [Fact]
    public void A_warning_with_its_call_trace_is_one_finding_and_a_trace_of_its_own_is_one_too()
    {
        string[] warning =
        [
            "WARNING: CPU: 0 PID: 186 at fs/btrfs/extent_map.c:312 unpin_extent_cache+0xca/0xd0 [btrfs]",
            "RIP: 0010:unpin_extent_cache+0xca/0xd0 [btrfs]", "Call Trace:", " <TASK>", " btrfs_finish_ordered_io+0x4d6/0x8a0 [btrfs]",
            " </TASK>", "---[ end trace 0000000000000000 ]---",
        ];
        string[] hung = ["INFO: task kworker/u4:1:25 blocked for more than 120 seconds.", "Call Trace:", " <TASK>", " __schedule+0x34d/0x9e0"];
        string[] bare = [.. Enumerable.Repeat("BTRFS info (device vda): ordinary", 60), "Call Trace:", " <TASK>", " dump_stack_lvl+0x44/0x5c"];
        var reports = KernelLogRules.Reports([.. warning, .. warning, .. hung, .. bare]).ToList();
        Assert.Equal([warning[0], warning[0], hung[0], "Call Trace:"], reports);
        var scenario = Parse("backing ext4\nfile size=8K\nstore gen=1\ncheck\n");
        var observation = Observe(scenario, [], Check(1, Data(G(1), G(1)))) with { KernelLog = [.. warning, .. warning, .. hung, .. bare] };
        Assert.Equal(4, Oracle.Oracle.Judge(scenario, observation).Findings.Count(f => f.Class == VerdictClass.KernelWarn));
    }

    [Theory]
    [InlineData("EXT4-fs (loop0): mounted filesystem 1234 r/w with ordered data mode")]
    [InlineData("loop0: detected capacity change from 0 to 8192")]
    [InlineData("BTRFS info (device loop1): using crc32c (crc32c-intel) checksum algorithm")]
    public void Ordinary_kernel_messages_are_not_warnings(string line) => Assert.False(KernelLogRules.IsWarning(line), line);

    // ---- what each read path sees ------------------------------------------------------------------------

    [Fact]
    public void A_shared_mapping_and_a_buffered_read_must_agree_even_where_each_alone_is_allowed()
    {
        // Two racing writers whose last writes overlap: either may be what the page ends with, but it is one page.
        const string Text = "backing ext4\nfile size=8K\nrace count=10\n  store gen=1 blocks=0\n  odirect-read gen=2 blocks=0\nend\ncheck\n";
        var racing = new Dictionary<int, StepResult> { [1] = RaceStep(1, 10, 9, 100, 120), [2] = RaceStep(2, 10, 9, 110, 130) };
        Assert.Equal(VerdictClass.Intact, Judge(Text, racing, Check(3, Data(G(1, 9), G(0)))).Class);
        Assert.Equal(VerdictClass.Intact, Judge(Text, racing, Check(3, Data(G(2, 9), G(0)))).Class);

        var f = Single(Judge(Text, racing, Check(3, ("data", ReadPath.Disk, [G(1, 9), G(0)]), ("data", ReadPath.Buffered, [G(1, 9), G(0)]),
            ("data", ReadPath.Mapping, [G(2, 9), G(0)]))), VerdictClass.Stale);
        Assert.Equal((0, ReadPath.Mapping), (f.Block!.Value, f.Path!.Value));
        Assert.Equal(("same as buffered (g1.9)", "data", "the mapping and a buffered read disagree about one page"), (f.Expected, f.File, f.Note));
    }

    [Fact]
    public void A_private_mapping_may_differ_from_the_file_it_maps()
    {
        var verdict = Judge("backing ext4\nmap private\nfile size=8K\nstore gen=1\nfsync\ncheck\n", [],
            Check(2, ("data", ReadPath.Disk, [G(0), G(0)]), ("data", ReadPath.Buffered, [G(0), G(0)]), ("data", ReadPath.Mapping, [G(1), G(1)])));
        Assert.Equal(VerdictClass.Intact, verdict.Class);
    }

    [Theory]
    [InlineData("shared", 2u, 2u, VerdictClass.Intact)]
    [InlineData("shared", 1u, 1u, VerdictClass.Stale)]
    [InlineData("private", 1u, 0u, VerdictClass.Intact)]
    [InlineData("private", 2u, 0u, VerdictClass.Phantom)]
    public void A_forked_childs_stores_reach_a_shared_mapping_and_stay_in_its_copy_of_a_private_one(string map, uint mapping, uint file, VerdictClass expected)
    {
        var verdict = Judge($"backing ext4\nmap {map}\nfile size=8K\nstore gen=1 blocks=0\nfork gen=2 blocks=0\ncheck\n", [],
            Check(2, ("data", ReadPath.Buffered, [G(file), G(0)]), ("data", ReadPath.Mapping, [G(mapping), G(0)])));
        Assert.Equal(expected, verdict.Class);
    }

    // ---- races ------------------------------------------------------------------------------------------

    public static TheoryData<long, bool> WriterOrder => new()
    {
        // the second writer's last write began: …before the first's ended, as it ended, just after it ended
        { 110, true }, { 120, true }, { 121, false },
    };

    /// <summary>Of two writers of one block, the page ends with the last write of one whose last write did not end
    /// before the other's began: a writer that finished strictly earlier is overwritten.</summary>
    [Theory]
    [MemberData(nameof(WriterOrder))]
    public void Two_racing_writers_of_a_block_leave_either_last_write_unless_one_ended_before_the_other_began(long secondStart, bool firstMayRemain)
    {
        const string Text = "backing ext4\nfile size=8K\nrace count=10\n  store gen=1 blocks=0\n  odirect-read gen=2 blocks=0\nend\ncheck\n";
        var racing = new Dictionary<int, StepResult> { [1] = RaceStep(1, 10, 9, 100, 120), [2] = RaceStep(2, 10, 9, secondStart, secondStart + 20) };
        Assert.Equal(VerdictClass.Intact, Judge(Text, racing, Check(3, Data(G(2, 9), G(0)))).Class);
        Assert.Equal(firstMayRemain ? VerdictClass.Intact : VerdictClass.Stale, Judge(Text, racing, Check(3, [("data", ReadPath.Disk, [G(1, 9), G(0)]),
            ("data", ReadPath.Buffered, [G(1, 9), G(0)]), ("data", ReadPath.Mapping, [G(1, 9), G(0)])])).Class);
    }

    [Fact]
    public void Two_racing_writers_may_leave_a_sector_mix_of_their_last_writes_but_one_writer_may_not()
    {
        const string Text = "backing ext4\nfile size=8K\nrace count=10\n  store gen=1 blocks=0\n  odirect-read gen=2 blocks=0\nend\ncheck\n";
        var overlapping = new Dictionary<int, StepResult> { [1] = RaceStep(1, 10, 9, 100, 120), [2] = RaceStep(2, 10, 9, 110, 130) };
        Assert.Equal(VerdictClass.Intact, JudgeMemory(Text, overlapping, 3, Mixed(0, 1, 1, 1, 1, 2, 2, 2, 2, iteration: 9)).Class);
        var ordered = new Dictionary<int, StepResult> { [1] = RaceStep(1, 10, 9, 100, 120), [2] = RaceStep(2, 10, 9, 200, 220) };
        Assert.Equal(VerdictClass.Torn, JudgeMemory(Text, ordered, 3, Mixed(0, 1, 1, 1, 1, 2, 2, 2, 2, iteration: 9)).Class);
    }

    public static TheoryData<long, bool> FlushOrder => new()
    {
        // the flush's last call began: before the last write ended, as it ended, just after
        { 110, false }, { 120, false }, { 121, true },
    };

    [Theory]
    [MemberData(nameof(FlushOrder))]
    public void A_racing_flush_requires_the_last_write_only_if_it_began_after_that_write_ended(long flushStart, bool required)
    {
        const string Text = "backing ext4\nfile size=8K\nrace count=10\n  store gen=1 blocks=0\n  msync\nend\ncheck\n";
        var racing = new Dictionary<int, StepResult> { [1] = RaceStep(1, 10, 9, 100, 120), [2] = RaceStep(2, 10, 9, flushStart, flushStart + 5) };
        var verdict = Judge(Text, racing, Check(3, ("data", ReadPath.Disk, [G(1, 4), G(0)]), ("data", ReadPath.Buffered, [G(1, 9), G(0)]), ("data", ReadPath.Mapping, [G(1, 9), G(0)])));
        Assert.Equal(required ? VerdictClass.LostWrite : VerdictClass.Intact, verdict.Class);
    }

    [Theory]
    [MemberData(nameof(FlushOrder))]
    public void A_racing_copy_out_of_the_mapping_must_copy_the_last_write_only_if_it_began_after_that_write_ended(long copyStart, bool lastOnly)
    {
        const string Text = "backing ext4\nfile size=8K\nrace count=10\n  store gen=1 blocks=0\n  odirect-write blocks=0 to=out\nend\ncheck\n";
        var racing = new Dictionary<int, StepResult> { [1] = RaceStep(1, 10, 9, 100, 120), [2] = RaceStep(2, 10, 9, copyStart, copyStart + 5) };
        var verdict = Judge(Text, racing, Check(3, [.. Data(G(1, 9), G(0)), ("out", ReadPath.Disk, [G(1, 4)]), ("out", ReadPath.Buffered, [G(1, 4)])]));
        // The output never held anything else: an iteration it need not hold is one nobody copied (a phantom).
        Assert.Equal(lastOnly ? VerdictClass.Phantom : VerdictClass.Intact, verdict.Class);
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    private static ScenarioVerdict JudgeDisk(string text, int check, BlockRead disk, Content[] memory)
    {
        var scenario = Parse(text);
        var views = Check(check, ("data", ReadPath.Buffered, memory), ("data", ReadPath.Mapping, memory)).Views
            .Prepend(new ViewRead("data", ReadPath.Disk, [disk, Uniform(1, memory[1].Gen)])).ToList();
        return Oracle.Oracle.Judge(scenario, Observe(scenario, [], new CheckObservation(check, views)));
    }

    private static ScenarioVerdict JudgeMemory(string text, Dictionary<int, StepResult> results, int check, BlockRead block0)
    {
        var scenario = Parse(text);
        var views = new[] { ReadPath.Disk, ReadPath.Buffered, ReadPath.Mapping }
            .Select(p => new ViewRead("data", p, [block0, Uniform(1, 0)])).ToList();
        return Oracle.Oracle.Judge(scenario, Observe(scenario, results, new CheckObservation(check, views)));
    }

    private static byte[] Stamped(int block, uint gen, uint iteration = 0, int step = 0)
    {
        var bytes = new byte[4096];
        BlockCodec.Stamp(bytes, new BlockStamp(RunId, 1, block, gen, iteration, Writer.Cpu, step));
        return bytes;
    }

    private static BlockRead Uniform(int block, uint gen) => BlockCodec.Decode(Stamped(block, gen), block, RunId, 1);

    /// <summary>A block whose eight sectors hold the given generations (step = the gen's store, gen - 1).</summary>
    private static BlockRead Mixed(int block, uint s0, uint s1, uint s2, uint s3, uint s4, uint s5, uint s6, uint s7, uint iteration = 0)
    {
        var gens = new[] { s0, s1, s2, s3, s4, s5, s6, s7 };
        var bytes = new byte[4096];
        for (var s = 0; s < 8; s++)
            Stamped(block, gens[s], gens[s] == 0 ? 0 : iteration, (int)gens[s] - 1).AsSpan(s * 512, 512).CopyTo(bytes.AsSpan(s * 512));
        return BlockCodec.Decode(bytes, block, RunId, 1);
    }

    /// <summary>A block of one generation whose sector 3 changed after it was stamped (its crc fails).</summary>
    private static BlockRead TornSector(int block, uint gen)
    {
        var bytes = Stamped(block, gen, step: (int)gen - 1);
        bytes[3 * 512 + 300] ^= 0x40;
        return BlockCodec.Decode(bytes, block, RunId, 1);
    }
}

/// <summary>The oracle's rules for pages that leave the file while a device holds them pinned.</summary>
public class OracleOrphanTests
{
    private static ScenarioVerdict Judge(string text, CheckObservation check) => OracleFixtures.Judge(text, [], check);

    [Fact]
    public void What_a_device_writes_into_a_page_truncate_took_out_of_the_file_must_not_come_back()
    {
        // Steps: pin #0, truncate #1, dma #2, truncate #3, check #4. Block 1's page left the file at #1; the device
        // wrote g2 into it at #2; growing the file again gives block 1 a hole, not the device's data.
        const string Text = "backing ext4\nfile size=8K\npin rdma-mr\ntruncate size=4K\ndma gen=2 blocks=0-1\ntruncate size=8K\ncheck\n";
        // The file is as the contract allows; the device's write into block 1's page is an orphaned write.
        var verdict = Judge(Text, Check(4, Data(G(2), Content.Hole)));
        Assert.Equal(VerdictClass.OrphanedWrite, verdict.Class);
        Assert.Equal([new OrphanedWrite(2, 1, 1)], verdict.OrphanedWrites);
        var f = Assert.Single(Judge(Text, Check(4, ("data", ReadPath.Disk, [G(2), Content.Hole]), ("data", ReadPath.Buffered, [G(2), Content.Hole]),
            ("data", ReadPath.Mapping, [G(2), G(2)]))).Findings);
        Assert.Equal((VerdictClass.Phantom, 1, ReadPath.Mapping), (f.Class, f.Block!.Value, f.Path!.Value));
    }

    [Fact]
    public void A_device_reading_a_pinned_page_that_left_the_file_reads_what_it_held()
    {
        // The page of block 1 left the file with g1 in it; the device still reads g1 there, not the hole.
        const string Text = "backing ext4\nfile size=8K\nstore gen=1\npin rdma-mr\npunch blocks=1\ndma-read to=out\ncheck\n";
        Assert.Equal(VerdictClass.Intact, Judge(Text, Check(4, [.. Data(G(1), Content.Hole), ("out", ReadPath.Disk, [G(1), G(1)]), ("out", ReadPath.Buffered, [G(1), G(1)])])).Class);
        Assert.Equal(VerdictClass.Zeroed, Judge(Text, Check(4, [.. Data(G(1), Content.Hole), ("out", ReadPath.Disk, [G(1), Content.Hole]), ("out", ReadPath.Buffered, [G(1), Content.Hole])])).Class);
    }

    /// <summary>hugetlbfs holds the file in 2 MiB pages: a punch of half of one zeroes it in place
    /// (hugetlbfs_zero_partial_page) and the page, with the pin on it, stays the file's; on ext4 the same punch
    /// takes its 4 KiB pages out of the file and the device writes into pages the file no longer has.</summary>
    [Theory]
    [InlineData("hugetlb", 2u)]
    [InlineData("ext4", 0u)]
    public void A_punch_takes_only_whole_pages_out_of_the_file(string backing, uint block0AfterDma)
    {
        var text = $"backing {backing}\nfile size=2M block=1M\nstore gen=1\npin uring-register\npunch blocks=0\ndma gen=2\ncheck\n";
        var block0 = block0AfterDma == 0 ? Content.Hole : G(block0AfterDma);
        var views = new[] { ReadPath.Buffered, ReadPath.Mapping }.Select(p => ("data", p, new[] { block0, G(2) })).ToArray();
        // On ext4 the device wrote into the page the punch took out of the file: an orphaned write.
        Assert.Equal(block0AfterDma == 0 ? VerdictClass.OrphanedWrite : VerdictClass.Intact, Judge(text, Check(4, views)).Class);
        var other = block0AfterDma == 0 ? G(2) : Content.Hole;
        var wrong = new[] { ReadPath.Buffered, ReadPath.Mapping }.Select(p => ("data", p, new[] { other, G(2) })).ToArray();
        Assert.True(Judge(text, Check(4, wrong)).HasFindings);
    }

    [Fact]
    public void Unpinning_stops_the_device_and_unmapping_leaves_the_file_as_it_was()
    {
        // After munmap the mapping path is gone (the executor reports it unavailable); the file still holds g1.
        const string Text = "backing ext4\nfile size=8K\nstore gen=1\npin rdma-mr\nunpin\nmunmap\nfsync\ncheck\n";
        var scenario = Parse(Text);
        var check = new CheckObservation(5, [
            new ViewRead("data", ReadPath.Disk, [Read(0, G(1)), Read(1, G(1))]),
            new ViewRead("data", ReadPath.Buffered, [Read(0, G(1)), Read(1, G(1))]),
            new ViewRead("data", ReadPath.Mapping, [], "unmapped"),
        ]);
        Assert.Equal(VerdictClass.Intact, Oracle.Oracle.Judge(scenario, Observe(scenario, [], check)).Class);
    }

    private static BlockRead Read(int block, Content content) => new(block, ReadState.Uniform, content, Writer.Cpu, 0);
}
