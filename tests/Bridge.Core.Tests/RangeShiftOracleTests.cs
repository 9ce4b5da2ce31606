using Bridge.Core.Blocks;
using Bridge.Core.Observations;
using Bridge.Core.Oracle;
using Bridge.Core.Scenarios;
using static Bridge.Core.Tests.OracleFixtures;

namespace Bridge.Core.Tests;

/// <summary>
/// The oracle's rule for collapse-range and insert-range (docs/ARCHITECTURE.md §7, rule 10): the blocks from the range
/// on move by the row's <see cref="RangeShift.Distance"/>, keeping the headers of the offsets they were written at
/// (<see cref="Content.Moved"/>); an inserted range reads as a hole; the file's end moves; a pinned page from the range
/// on leaves the file, so the device's later writes there are orphaned; a refused shift changes nothing.
/// </summary>
public class RangeShiftOracleTests
{
    private const int Blocks = 8;

    public static TheoryData<string, string> ShiftOnBacking =>
    [
        .. from v in Verbs.All.Where(v => v.Shift is not null)
           from b in BackingTable.All.Where(b => b.ShiftsRanges)
           from map in new[] { "shared", "private" }
           select (v.Keyword, $"{b.Name} {map}"),
    ];

    public static TheoryData<string> ShiftVerbs => [.. Verbs.All.Where(v => v.Shift is not null).Select(v => v.Keyword)];

    /// <summary>What the file holds after the shift of <paramref name="range"/>, from what it held before (every block
    /// where it was written): moved blocks carry the distance back to where they were written, the range an insert
    /// opens is a hole, and past the new end the file has nothing.</summary>
    private static Content[] Shifted(VerbInfo verb, BlockSet range, Content[] before)
    {
        var distance = verb.Shift!.Distance(range);
        var after = new Content[Blocks];
        for (var b = 0; b < Blocks; b++)
        {
            var source = b < range.First ? b : b - distance;
            after[b] = b >= Blocks + Math.Min(0, distance) ? Content.BeyondEof
                : verb.Shift.Inserts && b < range.First + distance && b >= range.First ? Content.Hole
                : before[source].MovedBy(source - b);
        }
        return after;
    }

    /// <summary>The scenario, its range, what the file holds before the shift and what the stores wrote: generation 1
    /// everywhere, 2 on blocks 3-4 (inside the part that moves, so a move shows), persisted. A private mapping's
    /// stores stay in its copies: its file holds the initial fill.</summary>
    private static (string Text, BlockSet Range, Content[] File, Content[] Stores) Layout(string verb, string backingAndMap)
    {
        // Steps: store #0, store #1, fsync #2, the shift #3, check #4.
        var text = $"backing {backingAndMap.Replace(" ", "\nmap ")}\nfile size={Blocks * 4}K\nstore gen=1 blocks=all\nstore gen=2 blocks=3-4\nfsync\n" +
                   $"{verb} blocks=2-3\ncheck\n";
        var stores = Enumerable.Range(0, Blocks).Select(b => b is 3 or 4 ? G(2) : G(1)).ToArray();
        return (text, BlockSet.Range(2, 3), backingAndMap.EndsWith("shared") ? stores : [.. stores.Select(_ => G(0))], stores);
    }

    /// <summary>Every path: the disk and the page cache hold the file; the mapping shows it too, except a private
    /// mapping's copies where the shift leaves them mapped — before the range always, from it on where the backing
    /// keeps them (xfs), up to the file's end.</summary>
    private static (string, ReadPath, Content[])[] Views(string backingAndMap, BlockSet range, Content[] file, Content[] stores)
    {
        var backing = BackingTable.Find(backingAndMap.Split(' ')[0])!;
        var copies = backingAndMap.EndsWith("private");
        var mapping = file.Select((c, b) =>
            copies && c.Kind != ContentKind.BeyondEof && (b < range.First || !backing.ShiftZapsPrivateCopies) ? stores[b] : c).ToArray();
        return [("data", ReadPath.Disk, file), ("data", ReadPath.Buffered, file), ("data", ReadPath.Mapping, mapping)];
    }

    [Theory]
    [MemberData(nameof(ShiftOnBacking))]
    public void Moved_blocks_with_the_headers_of_their_old_offsets_are_intact(string verb, string backingAndMap)
    {
        var (text, range, before, stores) = Layout(verb, backingAndMap);
        var after = Shifted(Verbs.Find(verb)!, range, before);

        var verdict = Judge(text, [], Check(4, Views(backingAndMap, range, after, stores)));

        Assert.False(verdict.HasFindings, string.Join("\n", verdict.Findings));
        Assert.Equal(VerdictClass.Intact, verdict.Class);
    }

    [Theory]
    [MemberData(nameof(ShiftOnBacking))]
    public void A_block_holding_data_of_the_wrong_old_offset_is_a_finding(string verb, string backingAndMap)
    {
        var (text, range, before, stores) = Layout(verb, backingAndMap);
        var after = Shifted(Verbs.Find(verb)!, range, before);
        var block = Array.FindLastIndex(after, c => c.Kind == ContentKind.Data && c.Moved != 0);

        // The data a block holds, moved one block too far: it names an offset no shift moved here.
        var tooFar = (Content[])after.Clone();
        tooFar[block] = after[block].MovedBy(1);
        var misplaced = Judge(text, [], Check(4, Views(backingAndMap, range, tooFar, stores)));
        Assert.Contains(misplaced.Findings, f => f.Block == block && f.Path == ReadPath.Disk && f.Class == VerdictClass.Misplaced);

        // What the block held before the shift, never moved: an older write left on disk.
        var unmoved = (Content[])after.Clone();
        unmoved[block] = before[block];
        var lost = Judge(text, [], Check(4, Views(backingAndMap, range, unmoved, stores)));
        Assert.Contains(lost.Findings, f => f.Block == block && f.Path == ReadPath.Disk && f.Class == VerdictClass.LostWrite);
    }

    [Theory]
    [MemberData(nameof(ShiftVerbs))]
    public void A_refused_shift_changes_nothing(string verb)
    {
        var (text, range, before, _) = Layout(verb, "ext4 shared");
        foreach (var errno in new[] { RangeShift.UnsupportedErrno, RangeShift.PastEofErrno })
        {
            var refused = new Dictionary<int, StepResult> { [3] = StepResult.Failure(3, errno, 22, 30, 35) };

            Assert.Equal(VerdictClass.Intact, Judge(text, refused, Check(4, Data(before))).Class);
            var moved = Judge(text, refused, Check(4, Data(Shifted(Verbs.Find(verb)!, range, before))));
            Assert.True(moved.HasFindings, $"{verb} refused with {errno}: the file moved anyway and the oracle saw nothing");
        }
    }

    [Theory]
    [MemberData(nameof(ShiftVerbs))]
    public void Pinned_pages_from_the_range_on_leave_the_file_and_later_device_writes_there_are_orphaned(string verb)
    {
        var row = Verbs.Find(verb)!;
        var range = BlockSet.Range(2, 3);
        // Steps: store #0, fsync #1, pin #2, dma #3, shift #4, dma #5, fsync #6, check #7.
        var text = $"backing ext4\nmap shared\nfile size={Blocks * 4}K\nstore gen=1 blocks=all\nfsync\npin rdma-mr blocks=all\n" +
                   $"dma gen=2 blocks=all\n{verb} blocks={range.First}-{range.Last}\ndma gen=4 blocks=all\nfsync\ncheck\n";
        var before = Enumerable.Repeat(G(2), Blocks).ToArray();
        // Blocks before the range keep the file's pages: the device's second write reaches them; the rest hold what
        // the shift moved there.
        var file = Shifted(row, range, before).Select((c, b) => b < range.First ? G(4) : c).ToArray();

        var verdict = Judge(text, [], Check(7, Data(file)));

        Assert.False(verdict.HasFindings, string.Join("\n", verdict.Findings));
        Assert.Equal(VerdictClass.OrphanedWrite, verdict.Class);
        Assert.Equal(Enumerable.Range(range.First, Blocks - range.First), verdict.OrphanedWrites.Select(o => o.Block));
        Assert.All(verdict.OrphanedWrites, o => Assert.Equal((5, 4), (o.Step, o.LeftFileAt)));
    }

    [Theory]
    [MemberData(nameof(ShiftVerbs))]
    public void The_parser_keeps_a_shift_out_of_races_saying_why_and_wants_one_range(string verb)
    {
        var row = Verbs.Find(verb)!;
        var inRace = Assert.Throws<ScenarioException>(() => Parse($"backing ext4\nfile size=32K\nrace count=2\n{verb} blocks=1\nend\n"));
        Assert.Contains(inRace.Errors, e => e.Message.Contains($"'{verb}' cannot run inside a race ({row.NotInRaceBecause})"));
        var list = Assert.Throws<ScenarioException>(() => Parse($"backing ext4\nfile size=32K\n{verb} blocks=1,3\n"));
        Assert.Contains(list.Errors, e => e.Message.Contains("expected one range of blocks"));
    }
}
