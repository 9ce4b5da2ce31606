using Bridge.Core.Blocks;
using Bridge.Core.Observations;
using Bridge.Core.Oracle;
using Bridge.Core.Scenarios;
using static Bridge.Core.Tests.OracleFixtures;

namespace Bridge.Core.Tests;

/// <summary>
/// A read into the mapping that fails in the middle of its transfer (<see cref="Errnos.MidTransfer"/>: an I/O error on
/// one of its blocks, a short read) may have written its other blocks. Seen on Debian 6.12.118 btrfs
/// (scenarios/writers/reflink-odirect-race.scn): an O_DIRECT read of blocks 2-3 failed with EIO for a checksum mismatch
/// in block 2, and block 3 held that failed iteration's data — which the oracle called stale. A refusal (EFAULT, EINVAL,
/// …) moves no data, and the same observation stays a finding.
/// </summary>
public class MidTransferFailureOracleTests
{
    private static string Race(string backing = "ext4") =>
        $"backing {backing}\nmap shared\nfile size=16K block=4K\nrace count=300\n  store gen=3 blocks=2\n  odirect-read gen=5 blocks=2-3\nend\ncheck\n";

    /// <summary>The store's 300 iterations all returned; the read's last (iteration 207) failed with
    /// <paramref name="errno"/> after 207 that returned, and block 3 holds <paramref name="block3"/>.</summary>
    private static ScenarioVerdict JudgeRace(string errno, uint block3) => JudgeRace(errno, G(5, block3), "ext4");

    private static ScenarioVerdict JudgeRace(string errno, Content block3, string backing)
    {
        var results = new Dictionary<int, StepResult>
        {
            [0] = StepResult.Success(0, 0, 300),
            [1] = RaceStep(1, 300, 299, 100, 120),
            [2] = StepResult.Failure(2, errno, Errnos.Number(errno), 0, 290) with { Race = new RaceStats(208, 1, 206, 50, 60) },
        };
        return Judge(Race(backing), results, Check(3, Data(G(0), G(0), G(3, 299), block3)));
    }

    public static TheoryData<string> MidTransfer => [.. Errnos.MidTransfer];

    [Theory]
    [MemberData(nameof(MidTransfer))]
    public void A_racing_read_whose_last_iteration_failed_mid_transfer_may_have_left_that_iterations_data(string errno)
    {
        Assert.DoesNotContain(JudgeRace(errno, block3: 207).Findings, f => f.Block == 3);
        Assert.DoesNotContain(JudgeRace(errno, block3: 206).Findings, f => f.Block == 3);
        // An iteration before the last successful one is still stale: the failure widens the end, not the past.
        Assert.Contains(JudgeRace(errno, block3: 205).Findings, f => (f.Class, f.Block) == (VerdictClass.Stale, 3));
    }

    [Theory]
    [InlineData("EFAULT")]
    [InlineData("EINVAL")]
    public void A_racing_read_refused_moves_no_data_so_the_refused_iterations_data_is_stale(string errno) =>
        Assert.Contains(JudgeRace(errno, block3: 207).Findings, f => (f.Class, f.Block) == (VerdictClass.Stale, 3));

    private static ScenarioVerdict JudgeSingle(string errno, Content block1, string backing = "ext4") => Judge(
        $"backing {backing}\nmap shared\nfile size=8K block=4K\nstore gen=1\nodirect-read gen=2 blocks=0-1\ncheck\n",
        new Dictionary<int, StepResult> { [1] = StepResult.Failure(1, errno, Errnos.Number(errno), 10, 20) },
        Check(2, Data(G(1), block1)));

    [Theory]
    [MemberData(nameof(MidTransfer))]
    public void A_read_that_failed_mid_transfer_may_have_written_each_of_its_blocks_or_none(string errno)
    {
        // The failure itself is reported (an EIO is an io-error finding); no block is judged wrong.
        Assert.DoesNotContain(JudgeSingle(errno, G(2)).Findings, f => f.Block is not null);
        Assert.DoesNotContain(JudgeSingle(errno, G(1)).Findings, f => f.Block is not null);
    }

    [Fact]
    public void A_refused_read_wrote_nothing() =>
        Assert.Contains(JudgeSingle("EFAULT", G(2)).Findings, f => f.Block == 1);

    [Fact]
    public void A_racing_read_that_failed_mid_transfer_is_still_reported_as_the_io_error_it_returned() =>
        Assert.Contains(JudgeRace("EIO", block3: 207).Findings, f => (f.Class, f.Check, f.Culprit) == (VerdictClass.IoError, 2, 2));

    public static TheoryData<string> DiskBackings => [.. BackingTable.All.Where(b => b.HasStorage).Select(b => b.Name)];

    /// <summary>btrfs zeroes the block whose checksum failed in the read's destination (btrfs_data_csum_ok): zeros
    /// there are what the failed read left where the backing checks O_DIRECT reads (its row), and a finding elsewhere.</summary>
    [Theory]
    [MemberData(nameof(DiskBackings))]
    public void A_read_failed_with_EIO_may_leave_zeros_only_where_the_backing_checks_its_checksums(string backing)
    {
        var zerosAllowed = BackingTable.Find(backing)!.ChecksumsDirectReads;
        Assert.Equal(!zerosAllowed, JudgeRace("EIO", Content.Hole, backing).Findings.Any(f => (f.Class, f.Block) == (VerdictClass.Zeroed, 3)));
        Assert.Equal(!zerosAllowed, JudgeSingle("EIO", Content.Hole, backing).Findings.Any(f => (f.Class, f.Block) == (VerdictClass.Zeroed, 1)));
        // A short read stops before a block; it zeroes none.
        Assert.Contains(JudgeSingle("short-transfer", Content.Hole, backing).Findings, f => (f.Class, f.Block) == (VerdictClass.Zeroed, 1));
    }
}
