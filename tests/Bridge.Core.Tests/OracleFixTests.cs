using Bridge.Core.Blocks;
using Bridge.Core.Observations;
using Bridge.Core.Oracle;
using static Bridge.Core.Tests.OracleFixtures;

namespace Bridge.Core.Tests;

/// <summary>Oracle rules the simulator's random walk showed to be mis-derived; each case is what a kernel that keeps
/// the contract reports, so the verdict must be intact.</summary>
public class OracleFixTests
{
    private static readonly Content Eof = Content.BeyondEof, Hole = Content.Hole;

    [Fact]
    public void Punch_past_the_end_of_the_file_leaves_those_blocks_past_the_end()
    {
        var s = Parse("backing ext4\nfile size=16K\ntruncate size=8K\npunch blocks=1-3\ncheck\n");
        var o = Observe(s, [], Check(2, Data(G(0), Hole, Eof, Eof)));
        Assert.Equal(VerdictClass.Intact, Oracle.Oracle.Judge(s, o).Class);
    }

    [Fact]
    public void A_copy_out_of_the_mapping_copies_nothing_past_the_end_of_the_file()
    {
        var s = Parse("backing ext4\nfile size=16K\ntruncate size=8K\nodirect-write to=out\ncheck\n");
        var o = Observe(s, [], Check(2, [.. Data(G(0), G(0), Eof, Eof),
            ("out", ReadPath.Disk, [G(0), G(0), Hole, Hole]), ("out", ReadPath.Buffered, [G(0), G(0), Hole, Hole])]));
        Assert.Equal(VerdictClass.Intact, Oracle.Oracle.Judge(s, o).Class);
    }

    [Fact]
    public void A_read_only_pin_of_a_private_mapping_sees_the_processs_later_stores()
    {
        var s = Parse("backing ext4\nmap private\nfile size=8K\npin rdma-mr access=remote-read\nstore gen=2\ndma-read to=out\ncheck\n");
        var mapping = new[] { G(2), G(2) };
        var o = Observe(s, [], Check(3, ("data", ReadPath.Disk, [G(0), G(0)]), ("data", ReadPath.Buffered, [G(0), G(0)]),
            ("data", ReadPath.Mapping, mapping), ("out", ReadPath.Disk, mapping), ("out", ReadPath.Buffered, mapping)));
        Assert.Equal(VerdictClass.Intact, Oracle.Oracle.Judge(s, o).Class);
    }

    [Fact]
    public void Punch_leaves_a_pinned_private_copy_in_place_and_the_device_keeps_writing_it()
    {
        var s = Parse("backing ext4\nmap private\nfile size=8K\npin rdma-mr blocks=0\npunch blocks=0\ndma gen=1 blocks=0\ncheck\n");
        var o = Observe(s, [], Check(3, ("data", ReadPath.Disk, [Hole, G(0)]), ("data", ReadPath.Buffered, [Hole, G(0)]),
            ("data", ReadPath.Mapping, [G(1), G(0)])));
        Assert.Equal(VerdictClass.Intact, Oracle.Oracle.Judge(s, o).Class);
    }

    [Fact]
    public void A_racing_writer_that_always_failed_wrote_nothing()
    {
        // Every store failed (the mapping was read-only): no private copy exists, so the punched block is a hole.
        var s = Parse("backing ext4\nmap private\nfile size=8K\nmprotect ro\nrace count=3\n  store gen=1 blocks=0\n  msync\nend\npunch blocks=0\ncheck\n");
        var o = Observe(s, new() { [2] = RaceStep(2, 3, -1, 0, 0), [3] = RaceStep(3, 3, 2, 60, 70) },
            Check(5, Data(Hole, G(0))));
        Assert.Equal(VerdictClass.Intact, Oracle.Oracle.Judge(s, o).Class);
    }

    [Fact]
    public void Two_racing_copies_into_one_output_block_may_finish_in_either_order()
    {
        // After the punch the mapping shows a hole while the pin still holds the old page (g0): the output block
        // holds whichever copy finished last.
        var s = Parse("backing ext4\nfile size=8K\npin rdma-mr blocks=0\npunch blocks=0\nrace count=2\n  dma-read blocks=0 to=out\n  odirect-write blocks=0 to=out\nend\ncheck\n");
        var o = Observe(s, new() { [3] = RaceStep(3, 2, 1, 10, 20), [4] = RaceStep(4, 2, 1, 15, 30) },
            Check(5, [.. Data(Hole, G(0)), ("out", ReadPath.Disk, [G(0), Hole]), ("out", ReadPath.Buffered, [G(0), Hole])]));
        Assert.Equal(VerdictClass.Intact, Oracle.Oracle.Judge(s, o).Class);
    }

    [Fact]
    public void Racing_store_and_dma_write_different_pages_once_the_pinned_page_is_orphaned()
    {
        var s = Parse("backing tmpfs\nfile size=8K\npin rdma-mr blocks=0\npunch blocks=0\nrace count=2\n  store gen=1 blocks=0\n  dma gen=2 blocks=0\nend\ndma-read blocks=0 to=out\ncheck\n");
        var o = Observe(s, new() { [3] = RaceStep(3, 2, 1, 10, 20), [4] = RaceStep(4, 2, 1, 30, 40) },
            Check(6, [.. Data(G(1, 1), G(0)), ("out", ReadPath.Disk, [G(2, 1), Hole]), ("out", ReadPath.Buffered, [G(2, 1), Hole])]));
        // The file holds the store's last iteration; the device's racing writes went into the orphan.
        Assert.Equal(VerdictClass.OrphanedWrite, Oracle.Oracle.Judge(s, o).Class);
    }

    [Fact]
    public void A_pin_refused_after_gup_may_have_copied_private_pages()
    {
        // io_uring before 6.5 refuses a file mapping after GUP write-faulted it: the private copies survive a punch.
        var s = Parse("backing ext4\nmap private\nfile size=8K\npin uring-register\npunch blocks=0\ncheck\n");
        var o = Observe(s, new() { [0] = StepResult.Failure(0, "EOPNOTSUPP", 95, 0, 5) },
            Check(2, ("data", ReadPath.Disk, [Hole, G(0)]), ("data", ReadPath.Buffered, [Hole, G(0)]), ("data", ReadPath.Mapping, [G(0), G(0)])));
        Assert.Equal(VerdictClass.Refused, Oracle.Oracle.Judge(s, o).Class);
    }

    [Fact]
    public void The_fixes_keep_the_lost_write_a_lost_write()
    {
        var s = Parse("backing ext4\nfile size=4K\nstore gen=1\npin rdma-mr\ndma gen=2\nfsync\ndma gen=3\nfsync\ncheck\n");
        var o = Observe(s, [], Check(6, ("data", ReadPath.Disk, [G(2)]), ("data", ReadPath.Buffered, [G(3)]), ("data", ReadPath.Mapping, [G(3)])));
        var verdict = Oracle.Oracle.Judge(s, o);
        Assert.Equal(VerdictClass.LostWrite, verdict.Class);
        Assert.Equal(ReadPath.Disk, Assert.Single(verdict.Findings).Path);
    }
}
