using Bridge.Core.Blocks;
using Bridge.Core.Observations;
using Bridge.Core.Oracle;
using Bridge.Core.Scenarios;
using static Bridge.Core.Tests.OracleFixtures;

namespace Bridge.Core.Tests;

/// <summary>
/// The race rule with the data file's other writers in the race (docs/ARCHITECTURE.md §7, rules 6 and 9). A writer
/// whose row replaces the page on the backing (<see cref="FileWriter.ReplacesPagesOn"/>) is one more writer of the
/// file's page, and the page a pin held at the race's start leaves the file at its first completed call: a device
/// write that began after a replacement certainly completed went into the orphan. A writer that writes in place leaves
/// the device writing the file's page. Which case applies comes from the rows, never from the test.
/// </summary>
public class WriterRaceOracleTests
{
    private static IEnumerable<(VerbInfo Verb, BackingInfo Backing)> Pairs(bool replacing) =>
        from v in Verbs.All.Where(v => v.File is not null)
        from b in FileWriterOracleTests.FileBackings
        where v.File!.ReplacesPagesOn(b) == replacing
        select (v, b);

    public static TheoryData<string, string> Replacing => [.. Pairs(true).Select(p => (p.Verb.Keyword, p.Backing.Name))];

    /// <summary>Replacing pairs on a backing with a disk of its own (elsewhere the O_DIRECT view reads the page cache).</summary>
    public static TheoryData<string, string> ReplacingWithStorage => [.. Pairs(true).Where(p => p.Backing.HasStorage).Select(p => (p.Verb.Keyword, p.Backing.Name))];

    public static TheoryData<string, string> InPlace => [.. Pairs(false).Select(p => (p.Verb.Keyword, p.Backing.Name))];

    public static TheoryData<string> Writers => [.. Verbs.All.Where(v => v.File is not null).Select(v => v.Keyword)];

    /// <summary>What iteration <paramref name="iteration"/> of the writer leaves in a block: its generation, or zeros.</summary>
    private static Content Written(VerbInfo verb, uint gen, uint iteration) => verb.File!.Source == FileSource.Zeros ? Content.Hole : G(gen, iteration);

    // Steps: 0 store, 1 fsync, 2 pin, 3 race, 4 the writer (gen 3), 5 dma (gen 2), 6 dma-read of the pinned pages, 7 check.
    private static string PinnedRace(VerbInfo verb, string backing) =>
        $"backing {backing}\nmap shared\nfile size=8K block=4K\nstore gen=1 blocks=0-1\nfsync\npin rdma-mr blocks=0-1\n" +
        $"race count=5\n  {FileWriterOracleTests.Args(verb, 3, "0")}\n  dma gen=2 blocks=0\nend\ndma-read blocks=0-1 to=pinned\ncheck\n";

    /// <summary>The writer's last call ran 10–50; the device's last began at <paramref name="deviceStart"/>.</summary>
    private static ScenarioVerdict JudgePinned(VerbInfo verb, string backing, long deviceStart, Content file, Content pinned) =>
        Judge(PinnedRace(verb, backing),
            new() { [4] = RaceStep(4, 5, 4, 10, 50), [5] = RaceStep(5, 5, 4, deviceStart, deviceStart + 10) },
            Check(7, [.. Data(file, G(1)), ("pinned", ReadPath.Disk, [pinned, G(1)]), ("pinned", ReadPath.Buffered, [pinned, G(1)])]));

    [Theory]
    [MemberData(nameof(Writers))]
    public void Every_file_writer_may_race(string verb)
    {
        var row = Verbs.Find(verb)!;
        var scenario = Parse($"backing xfs\nmap shared\nfile size=8K\nrace count=3\n  {FileWriterOracleTests.Args(row, 2, "0")}\n  store gen=3 blocks=0-1\nend\ncheck\n");

        Assert.True(row.AllowedInRace);
        Assert.Equal(row, scenario.StepAt(1).Verb); // race #0, its body: the writer #1 and the store #2
    }

    [Theory]
    [MemberData(nameof(Replacing))]
    public void A_device_write_that_began_after_the_replacement_went_into_the_orphan(string verb, string backing)
    {
        var row = Verbs.Find(verb)!;
        var mine = Written(row, 3, 4);

        var verdict = JudgePinned(row, backing, deviceStart: 60, file: mine, pinned: G(2, 4));

        Assert.False(verdict.HasFindings);
        Assert.Equal(VerdictClass.OrphanedWrite, verdict.Class);
        Assert.Equal([new OrphanedWrite(5, 0, 4)], verdict.OrphanedWrites); // dma #5, block 0, taken out by the writer #4
        // The device's write back in the file is a finding; so is the pinned page without the device's last write.
        Assert.True(JudgePinned(row, backing, 60, file: G(2, 4), pinned: G(2, 4)).HasFindings);
        Assert.True(JudgePinned(row, backing, 60, file: mine, pinned: G(1)).HasFindings);
    }

    [Theory]
    [MemberData(nameof(Replacing))]
    public void A_device_write_during_the_replacement_may_be_in_the_orphan_or_not_but_never_in_the_file(string verb, string backing)
    {
        var row = Verbs.Find(verb)!;
        var mine = Written(row, 3, 4);

        // The device's last call (20–30) overlapped the writer's (10–50): the pinned page holds what it held before the
        // race or any of the device's writes, and no orphaned write is certain.
        foreach (var pinned in new[] { G(1), G(2, 0), G(2, 4) })
        {
            var verdict = JudgePinned(row, backing, deviceStart: 20, file: mine, pinned: pinned);
            Assert.Equal(VerdictClass.Intact, verdict.Class);
        }
        Assert.True(JudgePinned(row, backing, 20, file: G(2, 4), pinned: G(2, 4)).HasFindings);
        // The writer's data never enters the page the pin holds (unless it is zeros, which the initial fill is not) —
        // but where it invalidates the page around an O_DIRECT write, whose failure on a page a racer dirtied makes the
        // call a buffered write into the cached pages, the pinned page among them while it is still the file's.
        if (row.File!.Source != FileSource.Zeros)
            Assert.Equal(!row.File.Invalidates(BackingTable.Find(backing)!), JudgePinned(row, backing, 20, file: mine, pinned: mine).HasFindings);
    }

    [Theory]
    [MemberData(nameof(InPlace))]
    public void Where_the_row_writes_in_place_the_device_still_writes_the_files_page(string verb, string backing)
    {
        var row = Verbs.Find(verb)!;

        // The device's last write came after the writer's: the file holds it, and nothing was orphaned.
        var verdict = JudgePinned(row, backing, deviceStart: 60, file: G(2, 4), pinned: G(2, 4));

        Assert.Equal(VerdictClass.Intact, verdict.Class);
        Assert.Empty(verdict.OrphanedWrites);
        Assert.True(JudgePinned(row, backing, 60, file: Written(row, 3, 4), pinned: G(2, 4)).HasFindings);
    }

    // Steps: 0 store, 1 fsync, 2 race, 3 the writer (gen 3), 4 store (gen 4), 5 check.
    // A backing without storage has no disk of its own: its O_DIRECT view reads the page cache.
    private static ScenarioVerdict JudgeStoreRace(VerbInfo verb, string backing, (long Start, long End) writer, (long Start, long End) store, Content memory, Content disk) =>
        JudgeStoreRace(verb, BackingTable.Find(backing)!, writer, store, memory, disk);

    private static ScenarioVerdict JudgeStoreRace(VerbInfo verb, BackingInfo backing, (long Start, long End) writer, (long Start, long End) store, Content memory, Content disk) =>
        Judge($"backing {backing.Name}\nmap shared\nfile size=8K block=4K\nstore gen=1 blocks=0-1\nfsync\nrace count=5\n  {FileWriterOracleTests.Args(verb, 3, "0")}\n  store gen=4 blocks=0\nend\ncheck\n",
            new() { [3] = RaceStep(3, 5, 4, writer.Start, writer.End), [4] = RaceStep(4, 5, 4, store.Start, store.End) },
            Check(5, ("data", ReadPath.Disk, [backing.HasStorage ? disk : memory, G(1)]), ("data", ReadPath.Buffered, [memory, G(1)]), ("data", ReadPath.Mapping, [memory, G(1)])));

    [Theory]
    [MemberData(nameof(Replacing))]
    public void The_file_ends_with_the_last_of_a_store_and_a_replacing_writer(string verb, string backing)
    {
        var row = Verbs.Find(verb)!;
        var mine = Written(row, 3, 4);

        // The store came last: it wrote the page the fault brought in after the replacement.
        Assert.Equal(VerdictClass.Intact, JudgeStoreRace(row, backing, (10, 50), (60, 70), memory: G(4, 4), disk: mine).Class);
        Assert.Contains(JudgeStoreRace(row, backing, (10, 50), (60, 70), memory: mine, disk: mine).Findings,
            f => f.Path == ReadPath.Buffered && f.Class == (row.File!.Source == FileSource.Zeros ? VerdictClass.Zeroed : VerdictClass.Stale));
        // The writer came last: its data is the page's.
        Assert.Equal(VerdictClass.Intact, JudgeStoreRace(row, backing, (60, 70), (10, 50), memory: mine, disk: mine).Class);
        Assert.True(JudgeStoreRace(row, backing, (60, 70), (10, 50), memory: G(4, 4), disk: mine).HasFindings);
        // Overlapping last calls: either, and the disk may hold any write of the race.
        Assert.Equal(VerdictClass.Intact, JudgeStoreRace(row, backing, (10, 50), (20, 30), memory: G(4, 4), disk: G(4, 1)).Class);
        Assert.Equal(VerdictClass.Intact, JudgeStoreRace(row, backing, (10, 50), (20, 30), memory: G(4, 4), disk: Written(row, 3, 1)).Class);
        Assert.Equal(VerdictClass.Intact, JudgeStoreRace(row, backing, (10, 50), (20, 30), memory: mine, disk: mine).Class);
    }

    [Theory]
    [MemberData(nameof(ReplacingWithStorage))]
    public void A_replacement_wrote_the_disk_so_the_content_from_before_the_race_is_a_lost_write(string verb, string backing)
    {
        var row = Verbs.Find(verb)!;

        var verdict = JudgeStoreRace(row, backing, (60, 70), (10, 50), memory: Written(row, 3, 4), disk: G(1));

        var finding = Assert.Single(verdict.Findings);
        Assert.Equal((VerdictClass.LostWrite, ReadPath.Disk, 0), (finding.Class, finding.Path, finding.Block!.Value));
    }

    [Theory]
    [MemberData(nameof(Replacing))]
    public void A_persistence_call_after_the_last_replacement_requires_it_on_disk(string verb, string backing)
    {
        var row = Verbs.Find(verb)!;
        var mine = Written(row, 3, 4);
        // Steps: 0 store, 1 fsync, 2 race, 3 the writer, 4 store (gen 4, block 1), 5 fsync, 6 check.
        var text = $"backing {backing}\nmap shared\nfile size=8K block=4K\nstore gen=1 blocks=0-1\nfsync\nrace count=5\n  {FileWriterOracleTests.Args(row, 3, "0")}\n" +
                   "  store gen=4 blocks=1\n  fsync\nend\ncheck\n";
        var storage = BackingTable.Find(backing)!.HasStorage;
        ScenarioVerdict With(long fsyncStart, Content disk0) => Judge(text,
            new() { [3] = RaceStep(3, 5, 4, 10, 50), [4] = RaceStep(4, 5, 4, 10, 20), [5] = RaceStep(5, 5, 4, fsyncStart, fsyncStart + 5) },
            Check(6, ("data", ReadPath.Disk, [storage ? disk0 : mine, G(4, 4)]), ("data", ReadPath.Buffered, [mine, G(4, 4)]), ("data", ReadPath.Mapping, [mine, G(4, 4)])));

        Assert.Equal(VerdictClass.Intact, With(60, mine).Class);
        if (storage && row.File!.Source != FileSource.Zeros)
            Assert.Equal(VerdictClass.LostWrite, With(60, G(3, 2)).Class); // an earlier iteration, after a flush that began later
        Assert.Equal(VerdictClass.Intact, With(30, Written(row, 3, 2)).Class); // the flush raced the last replacement
    }

    [Fact]
    public void Two_replacing_writers_end_with_the_last_one_and_the_pin_is_orphaned_by_either()
    {
        // Steps: 0 store, 1 fsync, 2 pin, 3 race, 4 odirect-write-file (gen 3), 5 zero-range, 6 dma (gen 2), 7 check.
        const string text = "backing ext4\nmap shared\nfile size=8K block=4K\nstore gen=1 blocks=0-1\nfsync\npin rdma-mr blocks=0-1\n" +
                            "race count=5\n  odirect-write-file gen=3 blocks=0\n  zero-range blocks=0\n  dma gen=2 blocks=0\nend\ncheck\n";
        ScenarioVerdict With((long, long) direct, (long, long) zero, long deviceStart, Content file) => Judge(text,
            new()
            {
                [4] = RaceStep(4, 5, 4, direct.Item1, direct.Item2),
                [5] = RaceStep(5, 5, 4, zero.Item1, zero.Item2),
                [6] = RaceStep(6, 5, 4, deviceStart, deviceStart + 5),
            },
            Check(7, Data(file, G(1))));

        Assert.Equal(VerdictClass.OrphanedWrite, With((10, 20), (30, 40), 25, Content.Hole).Class); // after the O_DIRECT write's
        Assert.Equal(VerdictClass.Stale, With((10, 20), (30, 40), 25, G(3, 4)).Class);
        var verdict = With((30, 40), (10, 20), 25, G(3, 4));
        Assert.Equal([new OrphanedWrite(6, 0, 5)], verdict.OrphanedWrites); // zero-range's last completion came first
        Assert.Equal(VerdictClass.Intact, With((10, 40), (20, 30), 5, G(3, 4)).Class); // overlapping: either
        Assert.Equal(VerdictClass.Intact, With((10, 40), (20, 30), 5, Content.Hole).Class);
    }
}
