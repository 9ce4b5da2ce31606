using Bridge.Core.Blocks;
using Bridge.Core.Observations;
using Bridge.Core.Oracle;
using static Bridge.Core.Tests.OracleFixtures;

namespace Bridge.Core.Tests;

/// <summary>ARCHITECTURE.md §7.6: a copy that raced the last writes of its block may hold anything *its source page*
/// held during the race. A device read (dma-read) copies the page the pin holds; a copy out of the mapping
/// (odirect-write) copies the page the mapping shows. After a punch the two are different pages — the pin keeps the
/// old one (g1), the mapping shows the hole — so what each copy may hold differs.</summary>
public class RacingCopyTests
{
    // Steps: 0 store, 1 pin, 2 punch, 3 race, 4 writer, 5 copy, 6 check. The copy's last call began (20) before the
    // writer's last call ended (50): the copy raced it.
    private static readonly Dictionary<int, StepResult> CopyRacedTheWriter = new()
    {
        [4] = RaceStep(4, 5, 4, 10, 50),
        [5] = RaceStep(5, 5, 4, 20, 30),
    };

    private static ScenarioVerdict Judge(string text, Content data0, Content output) =>
        OracleFixtures.Judge(text, CopyRacedTheWriter,
            Check(6, [.. Data(data0, G(1)), ("out", ReadPath.Disk, [output]), ("out", ReadPath.Buffered, [output])]));

    [Fact]
    public void A_racing_device_read_holds_what_the_pinned_page_held_not_what_the_mapping_held()
    {
        // The CPU stores into the file's new page; the device reads the orphan, which held g1 all along.
        const string Text = "backing ext4\nfile size=8K\nstore gen=1\npin rdma-mr\npunch blocks=0\nrace count=5\n  store gen=3 blocks=0\n  dma-read blocks=0 to=out\nend\ncheck\n";
        Assert.Equal(VerdictClass.Intact, Judge(Text, G(3, 4), G(1)).Class);
        // The hole is what the mapping showed before the race, never what the pinned page held.
        Assert.True(Judge(Text, G(3, 4), Content.Hole).HasFindings);
    }

    [Fact]
    public void A_racing_copy_out_of_the_mapping_holds_what_the_mapping_showed_not_what_the_pinned_page_held()
    {
        // The device writes the orphan; the mapping shows the hole all along.
        const string Text = "backing ext4\nfile size=8K\nstore gen=1\npin rdma-mr\npunch blocks=0\nrace count=5\n  dma gen=2 blocks=0\n  odirect-write blocks=0 to=out\nend\ncheck\n";
        Assert.Equal(VerdictClass.OrphanedWrite, Judge(Text, Content.Hole, Content.Hole).Class); // the dma went into the orphan
        // g1 is what the pinned page held before the race; the mapping never showed it.
        Assert.Equal(VerdictClass.Phantom, Judge(Text, Content.Hole, G(1)).Class);
    }
}
