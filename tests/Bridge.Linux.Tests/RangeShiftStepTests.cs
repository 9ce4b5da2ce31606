using Bridge.Core.Blocks;
using Bridge.Core.Observations;
using Bridge.Core.Oracle;
using Bridge.Core.Scenarios;
using Bridge.Linux.Interop;
using Bridge.Tests.Shared;

namespace Bridge.Linux.Tests;

/// <summary>collapse-range and insert-range (the rows with <see cref="VerbInfo.Shift"/>) on every backing with a file,
/// shared and private, on the host kernel: the call returns what this era's row says (EOPNOTSUPP where the backing has
/// no such mode), EINVAL where the range reaches the end of the file (collapse) or starts at or past it (insert); the
/// file's end moves by the range and the blocks after it read, on disk and through the page cache, as the data written
/// where they were (its headers naming those offsets); with a pin held over them, the pages from the range on leave the
/// file where the backing's row unmaps them, and the device's next writes are orphaned. The oracle finds nothing and its
/// verdict is the model's.</summary>
public class RangeShiftStepTests
{
    public static TheoryData<string, string, string> Cases() => FileWriterStepTests.Cases(v => v.Shift is not null);

    private const int Blocks = 16;

    private static string FileLine(BackingInfo backing) =>
        $"file size={Math.Max(2 * backing.PageSize, Blocks * 4096L)} block=4K";

    /// <summary>The blocks a buffered read saw at a check, up to <see cref="Blocks"/>: EOF past the file's end.</summary>
    private static Content[] Buffered(Observation observation, int check) =>
        [.. observation.Checks[check].Views.Single(v => v.File == "data" && v.Path == ReadPath.Buffered).Blocks.Take(Blocks)
            .Select(b => b.State == ReadState.BeyondEof ? Content.BeyondEof : b.Content)];

    private static (Simulator.Policies.Policy Era, VerbInfo Verb, BackingInfo Backing) Rows(string verb, string backing) =>
        (PinRules.EraOf(SystemInfo.KernelRelease), Verbs.Find(verb)!, BackingTable.Find(backing)!);

    private static void AgreesWithTheModel(Scenario scenario, Observation observation, ScenarioVerdict verdict)
    {
        var era = PinRules.EraOf(SystemInfo.KernelRelease);
        var model = Oracle.Judge(scenario, Simulator.Simulator.Run(scenario, era, observation.RunId));
        Assert.True(verdict.Class == model.Class, $"{era.Name} says {model.Class}; this kernel: " + KernelRun.Explain(scenario, observation, verdict));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_shift_returns_what_the_eras_row_says_and_moves_the_blocks_after_its_range(string verb, string backing, string map)
    {
        var (era, row, info) = Rows(verb, backing);
        var range = BlockSet.Range(4, 5);
        // Steps: store #0, fsync #1, the shift #2, check #3, a truncate to the range's start #4, the shift again #5 (its
        // range now at or past the end), check #6.
        var text = $"backing {backing}\nmap {map}\n{FileLine(info)}\nstore gen=1 blocks=0-{Blocks - 1}\nfsync\n{verb} blocks=4-5\ncheck\n" +
                   $"truncate size={range.First * 4096L}\n{verb} blocks=4-5\ncheck\n";
        if (info.PageSize > 4096)
            text = text.Replace($"truncate size={range.First * 4096L}", $"truncate size={info.PageSize}"); // sizes are whole huge pages

        var (scenario, observation, verdict) = KernelRun.Run(text);

        Assert.Null(observation.Skip);
        var refusal = era.FileWriterRefusal(row, info);
        Assert.True(observation.ResultOf(2)!.Errno == refusal,
            $"{scenario.StepAt(2)}: {era.Name}'s row says {refusal ?? "ok"}, this kernel {observation.ResultOf(2)} {observation.ResultOf(2)!.Detail}");
        // The file holds generation 1 where the stores reached it (shared), the initial fill where they went to copies.
        var written = Content.Data(map == "shared" ? 1u : 0u);
        var seen = Buffered(observation, 0);
        if (refusal is null)
        {
            var distance = row.Shift!.Distance(range);
            for (var b = 0; b < Blocks; b++)
            {
                var expected = b < range.First ? written
                    : b >= Blocks + distance ? Content.BeyondEof
                    : b - distance < range.First ? Content.Hole
                    : written.MovedBy(-distance);
                Assert.True(expected == seen[b], $"block {b}: expected {expected}, read {seen[b]}; " + KernelRun.Explain(scenario, observation, verdict));
            }
            Assert.Equal(RangeShift.PastEofErrno, observation.ResultOf(5)!.Errno);
        }
        else
        {
            Assert.All(seen, c => Assert.Equal(written, c));
            Assert.Equal(refusal, observation.ResultOf(5)!.Errno);
        }

        Assert.False(verdict.HasFindings, KernelRun.Explain(scenario, observation, verdict));
        AgreesWithTheModel(scenario, observation, verdict);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_shift_under_a_pin_orphans_the_devices_next_writes_where_the_pages_leave_the_file(string verb, string backing, string map)
    {
        var (era, row, info) = Rows(verb, backing);
        // io_uring fixed buffers: the pin path this host has (rdma-mr needs rdma_rxe). Steps: store #0, fsync #1, pin #2,
        // dma #3, the shift #4, dma #5, fsync #6, dma-read #7, check #8.
        var text = $"backing {backing}\nmap {map}\n{FileLine(info)}\nstore gen=1 blocks=0-{Blocks - 1}\nfsync\npin uring-register blocks=0-{Blocks - 1}\n" +
                   $"dma gen=2 blocks=0-{Blocks - 1}\n{verb} blocks=4-5\ndma gen=4 blocks=0-{Blocks - 1}\nfsync\ndma-read blocks=0-{Blocks - 1} to=pinned\ncheck\n";

        var (scenario, observation, verdict) = KernelRun.Run(text);

        Assert.Null(observation.Skip);
        Assert.False(verdict.HasFindings, KernelRun.Explain(scenario, observation, verdict));
        var shifted = observation.ResultOf(2)!.Ok && observation.ResultOf(4)!.Ok;
        Assert.Equal(era.FileWriterRefusal(row, info), observation.ResultOf(4)!.Errno);
        // The pages from the range on leave the file when the shift ran and unmapped what the pin holds: the file's
        // pages of a shared mapping; a private mapping's copies where the backing's row says so, and past a collapse's
        // new end always (the size shrinks as a truncate shrinks it).
        var newEnd = Blocks + Math.Min(0, row.Shift!.Distance(BlockSet.Range(4, 5)));
        var orphaned = Enumerable.Range(4, Blocks - 4).Where(b => shifted && (map == "shared" || info.ShiftZapsPrivateCopies || b >= newEnd));
        Assert.Equal(orphaned, verdict.OrphanedWrites.Select(o => o.Block));
        AgreesWithTheModel(scenario, observation, verdict);
    }
}
