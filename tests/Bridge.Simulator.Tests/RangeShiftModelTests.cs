using Bridge.Core.Blocks;
using Bridge.Core.Observations;
using Bridge.Core.Oracle;
using Bridge.Core.Scenarios;
using Bridge.Simulator.Execution;
using Bridge.Simulator.Policies;

namespace Bridge.Simulator.Tests;

/// <summary>The model's collapse-range and insert-range (<see cref="VerbInfo.Shift"/>) in every era on every file
/// backing: refused with the era's <see cref="FileWriterRow"/> errno, or with EINVAL where the range reaches the end of
/// the file (collapse) or starts at or past it (insert); otherwise the blocks from the range on move by the row's
/// distance, keeping the headers of their old offsets, and a pinned page there leaves the file, so the device's next
/// write into it is orphaned. The oracle judges every run intact (or orphaned-write).</summary>
public class RangeShiftModelTests
{
    private const int Blocks = 8;

    public static TheoryData<string, string, string> Cases() => FileWriterModelTests.Cases(v => v.Shift is not null);

    /// <summary>The blocks of a file of <see cref="Blocks"/> blocks holding generation 1 at their own offsets after the
    /// shift of <paramref name="range"/> (as far as the check reads): moved data names how far it moved.</summary>
    private static Content[] Shifted(RangeShift shift, BlockSet range)
    {
        var distance = shift.Distance(range);
        return [.. Enumerable.Range(0, Blocks).Select(b =>
            b < range.First ? Content.Data(1)
            : b >= Blocks + distance ? Content.BeyondEof
            : b - distance < range.First ? Content.Hole
            : Content.Data(1, 0, moved: -distance))];
    }

    private static Content Seen(BlockRead read) => read.State == ReadState.BeyondEof ? Content.BeyondEof : read.Content;

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_era_refuses_a_shift_with_its_rows_errno_or_moves_the_blocks_on_every_path(string policyName, string verb, string backing)
    {
        var (policy, row, info) = FileWriterModelTests.Rows(policyName, verb, backing);
        var size = Math.Max(info.PageSize, Blocks * 4096L); // 32 KiB, or one huge page
        var range = BlockSet.Range(2, 3);
        // Steps: store #0, fsync #1, the shift #2, check #3; a file of more blocks (a huge page) shifts past what is checked.
        var scenario = Repo.Parse($"backing {backing}\nmap shared\nfile size={size} block=4K\nstore gen=1 blocks=0-{Blocks - 1}\nfsync\n" +
            $"{verb} blocks={range.First}-{range.Last}\ncheck\n");

        var observation = Simulator.Run(scenario, policy, 1, SimOptions.Default);

        var refusal = policy.FileWriterRefusal(row, info);
        Assert.Equal(refusal, observation.ResultOf(2)!.Errno);
        var expected = refusal is null && size == Blocks * 4096L ? Shifted(row.Shift!, range)
            : refusal is null ? null // a larger file: the blocks after the range move in from past what is checked
            : Enumerable.Repeat(Content.Data(1), Blocks).ToArray();
        foreach (var view in observation.Checks.Single().Views.Where(v => v.Unavailable is null && expected is not null))
            Assert.Equal(expected!, view.Blocks.Take(Blocks).Select(Seen));
        Assert.Equal(VerdictClass.Intact, Oracle.Judge(scenario, observation).Class);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_range_the_file_does_not_hold_is_einval_where_the_backing_shifts(string policyName, string verb, string backing)
    {
        var (policy, row, info) = FileWriterModelTests.Rows(policyName, verb, backing);
        if (info.PageSize > 4096)
            return; // a file of one huge page cannot be truncated to half; the test above covers the row
        // After truncating to half, the range right after the file's end: a collapse there reaches past it, an
        // insert starts at it. Steps: store #0, fsync #1, truncate #2, the shift #3, check #4.
        var half = Blocks / 2;
        var range = BlockSet.Range(half, half);
        Assert.True(row.Shift!.RefusedPastEof(range, half));
        var scenario = Repo.Parse($"backing {backing}\nmap shared\nfile size={Blocks * 4}K block=4K\nstore gen=1 blocks=all\nfsync\n" +
            $"truncate size={half * 4096}\n{verb} blocks={half}\ncheck\n");

        var observation = Simulator.Run(scenario, policy, 1, SimOptions.Default);

        Assert.Equal(policy.FileWriterRefusal(row, info) ?? RangeShift.PastEofErrno, observation.ResultOf(3)!.Errno);
        Assert.False(Oracle.Judge(scenario, observation).HasFindings);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_shift_over_pinned_pages_leaves_them_outside_the_file_and_orphans_the_devices_next_writes(string policyName, string verb, string backing)
    {
        var (policy, row, info) = FileWriterModelTests.Rows(policyName, verb, backing);
        if (info.PageSize > 4096)
            return; // one huge page: the range is part of it; the refusal test above covers the row
        var range = BlockSet.Range(2, 3);
        // Steps: store #0, fsync #1, pin #2, dma #3, the shift #4, dma #5, fsync #6, dma-read #7, check #8.
        var scenario = Repo.Parse($"backing {backing}\nmap shared\nfile size={Blocks * 4}K block=4K\nstore gen=1 blocks=all\nfsync\n" +
            $"pin rdma-mr access=local-write,remote-write,remote-read blocks=all\ndma gen=2 blocks=all\n{verb} blocks={range.First}-{range.Last}\n" +
            "dma gen=4 blocks=all\nfsync\ndma-read blocks=all to=pinned\ncheck\n");

        var observation = Simulator.Run(scenario, policy, 1, SimOptions.Default);
        var verdict = Oracle.Judge(scenario, observation);

        Assert.False(verdict.HasFindings, string.Join("\n", verdict.Findings));
        if (!observation.ResultOf(2)!.Ok || !observation.ResultOf(4)!.Ok)
        {
            Assert.Empty(verdict.OrphanedWrites);
            return;
        }
        Assert.Equal(VerdictClass.OrphanedWrite, verdict.Class);
        Assert.Equal(Enumerable.Range(range.First, Blocks - range.First), verdict.OrphanedWrites.Select(o => o.Block));
        var views = observation.Checks.Single().Views.ToDictionary(v => (v.File, v.Path), v => v.Blocks.Take(Blocks).Select(Seen).ToArray());
        Assert.All(views[("pinned", ReadPath.Buffered)], c => Assert.Equal(Content.Data(4), c)); // the device's pages: its last write
        var file = views[("data", ReadPath.Buffered)];
        Assert.Equal(Content.Data(4), file[0]); // before the range the pin still holds the file's page
        Assert.Equal(Shifted(row.Shift!, range).Select(c => c.Kind == ContentKind.Data ? c with { Gen = 2 } : c).Skip(range.First), file.Skip(range.First));
    }

    [Theory]
    [MemberData(nameof(EraData.Eras), MemberType = typeof(EraData))]
    public void Data_an_insert_pushed_past_the_mapping_comes_back_with_a_collapse_and_a_truncate_takes_it(string policyName)
    {
        var policy = PolicyCatalog.Find(policyName)!;
        // Steps: store #0, fsync #1, insert #2 (blocks 1-3 move to 4-6, past the mapping), collapse #3 (back), check #4,
        // insert #5, truncate #6 (past the mapping's end is nothing to unmap), check #7.
        var scenario = Repo.Parse($"backing ext4\nmap shared\nfile size={Blocks / 2 * 4}K block=4K\nstore gen=1 blocks=all\nfsync\n" +
            "insert-range blocks=1-3\ncollapse-range blocks=1-3\ncheck\ninsert-range blocks=0-3\ntruncate size=8K\ncheck\n");

        var observation = Simulator.Run(scenario, policy, 1, SimOptions.Default);

        Assert.All(scenario.AllSteps().Where(s => s.Effect != Effect.Check), s => Assert.True(observation.ResultOf(s.Index)!.Ok, s.Text));
        var back = observation.Checks[0].Views.Single(v => v.Path == ReadPath.Buffered).Blocks.Select(Seen);
        Assert.All(back, c => Assert.Equal(Content.Data(1), c)); // moved out and back: where it was written
        var truncated = observation.Checks[1].Views.Single(v => v.Path == ReadPath.Buffered).Blocks.Select(Seen).ToArray();
        Assert.Equal([Content.Hole, Content.Hole, Content.BeyondEof, Content.BeyondEof], truncated);
        Assert.Equal(VerdictClass.Intact, Oracle.Judge(scenario, observation).Class);
    }
}
