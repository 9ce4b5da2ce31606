using Bridge.Core.Blocks;
using Bridge.Core.Observations;
using Bridge.Core.Oracle;
using Bridge.Core.Scenarios;
using Bridge.Simulator.Execution;
using Bridge.Simulator.Policies;

namespace Bridge.Simulator.Tests;

/// <summary>The file writers inside races on the model, every era: each writer races a device writing through a pin
/// and CPU stores, under seeded interleavings with and without the flusher (no persistence point follows a device
/// write: that a clean page's device writes are not written back is the 6.1 and 2019 eras' known lost write, judged
/// elsewhere). The oracle (race rule with rule 9)
/// finds nothing in any of them; and after the race, the pin still holds the file's page where the writer's row writes
/// in place, an orphan where it replaces the page and one of its calls completed (the device's next write is then an
/// orphaned write) — from the rows, not from the test.</summary>
public class WriterRaceModelTests
{
    private static readonly ulong[] Seeds = [1, 2, 3, 4, 5, 6];

    [Theory]
    [MemberData(nameof(FileWriterModelTests.Cases), MemberType = typeof(FileWriterModelTests))]
    public void A_writer_racing_a_pinned_device_and_stores_leaves_what_the_race_rule_allows(string policyName, string verb, string backing)
    {
        var policy = PolicyCatalog.Find(policyName)!;
        var row = Verbs.Find(verb)!;
        var info = BackingTable.Find(backing)!;
        var size = Math.Max(info.PageSize, 16 << 10); // 16 KiB, or one huge page
        // Steps: store #0, fsync #1, pin #2, race #3 (writer #4, dma #5, store #6), dma #7, dma-read #8, check #9.
        var scenario = Repo.Parse($"backing {backing}\nmap shared\nfile size={size} block=4K\nstore gen=1 blocks=0-3\nfsync\n" +
            "pin rdma-mr access=local-write,remote-write,remote-read blocks=0-3\n" +
            $"race count=12\n  {FileWriterModelTests.Step(row, 3, "0-1")}\n  dma gen=2 blocks=0-1\n  store gen=4 blocks=1-2\nend\n" +
            "dma gen=9 blocks=0\ndma-read blocks=0-3 to=pinned\ncheck\n");

        foreach (var seed in Seeds)
            foreach (var options in new[] { SimOptions.Default, new SimOptions(FlusherChance: 0.3) })
            {
                var observation = Simulator.Run(scenario, policy, seed, options);
                var verdict = Oracle.Judge(scenario, observation);

                Assert.False(verdict.HasFindings, $"seed {seed}:\n" + string.Join("\n", verdict.Findings));
                var writer = observation.ResultOf(4)!.Race!;
                Assert.Equal(policy.FileWriterRefusal(row, info) is null ? 0 : writer.Iterations, writer.Failures);
                if (!observation.ResultOf(2)!.Ok)
                    continue; // the pin was refused: no device wrote
                var replaced = row.File!.ReplacesPagesOn(info) && writer.LastOkIteration >= 0;
                var block0 = observation.Checks.Single().Views.Where(v => v.Unavailable is null)
                    .ToDictionary(v => (v.File, v.Path), v => v.Blocks.Single(b => b.Block == 0).Content);
                Assert.Equal(Content.Data(9), block0[("pinned", ReadPath.Buffered)]); // the pinned page has the device's last write
                Assert.Equal(replaced, verdict.OrphanedWrites.Any(o => o.Step == 7 && o.Block == 0 && o.LeftFileAt == 4));
                Assert.Equal(replaced ? VerdictClass.OrphanedWrite : VerdictClass.Intact, verdict.Class);
                if (!replaced)
                    Assert.Equal(Content.Data(9), block0[("data", ReadPath.Buffered)]);
            }
    }

    /// <summary>Every era × every backing where the O_DIRECT writer invalidates the range around its write.</summary>
    public static TheoryData<string, string> ErasAndInvalidatingBackings()
    {
        var data = new TheoryData<string, string>();
        foreach (var policy in PolicyCatalog.All)
            foreach (var backing in FileWriterRules.Backings.Where(Writer.File!.Invalidates))
                data.Add(policy.Name, backing.Name);
        return data;
    }

    private static VerbInfo Writer => FileWriterRules.Verbs.Single(v => v.File is { } file && FileWriterRules.Backings.Any(file.Invalidates));

    /// <summary>Where the era lets a store dirty a page of the range between the write and the invalidation after it
    /// (<see cref="Policy.StaleCacheOnCollision"/>: every such backing but btrfs in 6.5+,
    /// <see cref="Switch.LockedDirectWriteKeepsStoresOut"/>), some interleavings leave the stale page and the fsync
    /// after the race returns EIO, others not; where it does not, none does. Either way nothing else is found.</summary>
    [Theory]
    [MemberData(nameof(ErasAndInvalidatingBackings))]
    public void An_O_DIRECT_write_racing_stores_may_leave_the_stale_page_and_say_so_through_the_next_fsync(string policyName, string backingName)
    {
        var policy = PolicyCatalog.Find(policyName)!;
        var backing = BackingTable.Find(backingName)!;
        // Steps: store #0, fsync #1, race #2 (the writer #3, store #4), fsync #5, check #6.
        var scenario = Repo.Parse($"backing {backing.Name}\nmap shared\nfile size=16K block=4K\nstore gen=1 blocks=0-3\nfsync\n" +
            $"race count=30\n  {Writer.Keyword} gen=2 blocks=0-3\n  store gen=3 blocks=0-3\nend\nfsync\ncheck\n");

        var fsyncs = new List<string>();
        foreach (var seed in Enumerable.Range(1, 40).Select(s => (ulong)s))
        {
            var observation = Simulator.Run(scenario, policy, seed, SimOptions.Default);
            var verdict = Oracle.Judge(scenario, observation);
            var fsync = observation.ResultOf(5)!;
            fsyncs.Add(fsync.Ok ? "ok" : fsync.Errno!);
            // The collision costs the fsync and nothing else: the page kept holds a store whose last write overlapped.
            Assert.All(verdict.Findings, f => Assert.True(f.Class == VerdictClass.IoError && f.Culprit == 5, $"seed {seed}: {f}"));
        }
        Assert.Equal(policy.StaleCacheOnCollision(Writer.File!, backing), fsyncs.Contains("EIO"));
        Assert.Contains("ok", fsyncs);
    }
}
