using Bridge.Core.Observations;
using Bridge.Core.Oracle;
using Bridge.Core.Scenarios;
using Bridge.Linux.Interop;
using Bridge.Tests.Shared;

namespace Bridge.Linux.Tests;

/// <summary>Every file writer (the rows with <see cref="VerbInfo.File"/>) inside a race on the host kernel, on every
/// backing with a file, shared and private, with the io_uring registered-buffer pin held over its blocks: the writer
/// races the device writing through the pin, CPU stores and O_DIRECT reads into the mapping. The pin returns what the
/// era's pin row says, every iteration of the writer what its file-writer row says, the oracle finds nothing, and
/// whether the device's next write after the race went into an orphan is what the era's model says (the verb row
/// replaces the page, the pin held the file's page). Where O_DIRECT's invalidation collides with the stores
/// (the era's Policy.StaleCacheOnCollision) the kernel may report it instead: its log line and EIO from the
/// next fsync, and nothing else; where the backing checksums O_DIRECT reads in their destination
/// (<see cref="BackingInfo.ChecksumsDirectReads"/>), a writer changing the read's pages fails that read with EIO.</summary>
public class WriterRaceTests
{
    [Theory]
    [MemberData(nameof(FileWriterStepTests.Cases), MemberType = typeof(FileWriterStepTests))]
    public void A_racing_writer_leaves_what_the_race_rule_allows_and_orphans_the_pin_as_the_rows_say(string verb, string backing, string map)
    {
        var era = PinRules.EraOf(SystemInfo.KernelRelease);
        var row = Verbs.Find(verb)!;
        var info = BackingTable.Find(backing)!;
        var writer = row.File!.Source == FileSource.Zeros ? $"{verb} blocks=0-2" : $"{verb} gen=3 blocks=0-2";
        // Steps: store #0, fsync #1, pin #2, race #3 (writer #4, dma #5, store #6, odirect-read #7), dma #8,
        // dma-read #9, fsync #10, check #11. The writer races the device and the store on blocks 0-1, the O_DIRECT
        // read on block 2; the store and the read do not share a block.
        var text = $"backing {backing}\nmap {map}\nfile size=4M block=4K\nstore gen=1 blocks=0-15\nfsync\npin uring-register blocks=0-3\n" +
                   $"race count=40\n  {writer}\n  dma gen=2 blocks=0-1\n  store gen=4 blocks=1\n  odirect-read gen=5 blocks=2-3\nend\n" +
                   "dma gen=9 blocks=0\ndma-read blocks=0-3 to=pinned\nfsync\ncheck\n";

        var (scenario, observation, verdict) = KernelRun.Run(text);

        Assert.Null(observation.Skip);
        // 6.18.44's btrfs aborted its transaction here under copy-range and clone (README, "What it has found").
        KernelRun.SkipWhenTheKernelWarned(observation, verdict);
        Assert.Equal(PinRules.ExpectedPinResult(era, scenario), observation.ResultOf(2)!.Ok ? "ok" : observation.ResultOf(2)!.Errno);
        var race = observation.ResultOf(4)!;
        var refusal = era.FileWriterRefusal(row, info);
        Assert.True(refusal is null ? race.Race!.Failures == 0 : race.Race!.Failures == race.Race.Iterations && race.Errno == refusal,
            $"{era.Name}'s row says {refusal ?? "ok"}; this kernel: {race.Race} {race.Errno} {race.Detail}");
        // Kernel behaviours of the rows the race may run into, each reported, never hidden: (1) where the backing
        // checksums O_DIRECT reads in their destination, a read from a source file into pages another writer is
        // changing (the O_DIRECT read into the mapping, the uring device's read into the pinned pages) fails with EIO and
        // the kernel logs it (or says its rate limit dropped it); (2) where O_DIRECT's invalidation can collide with the
        // stores, the next fsync returns EIO (its log line is rate-limited to 10 a day: not required).
        bool Collision(Finding f) => map == "shared" && era.StaleCacheOnCollision(row.File, info) && f.Class == VerdictClass.IoError
            && f.Culprit is { } culprit && scenario.StepAt(culprit).Effect == Effect.Persist;
        bool KernelSaid(Finding f) => Collision(f) ||
            (f.Class == VerdictClass.IoError && f.Culprit is { } culprit && scenario.StepAt(culprit) is var step
             && info.ChecksumsDirectReads && step.Verb.ReadsSourceFile && step.Effect is Effect.WriteMapping or Effect.WriteThroughPin
             && (observation.KernelLog.Any(l => l.Contains(DirectReadChecksum.Log, StringComparison.Ordinal)) || KernelLogRules.SuppressedNote(observation.KernelLog) is not null));
        Assert.True(verdict.Findings.All(KernelSaid), KernelRun.Explain(scenario, observation, verdict));

        // The model of the era: the same rows, its own interleaving (a collision is a matter of timing on both sides).
        var model = Oracle.Judge(scenario, Simulator.Simulator.Run(scenario, era, observation.RunId));
        Assert.True(model.Findings.All(Collision), $"{era.Name}: " + string.Join("\n", model.Findings));
        Assert.Equal(model.OrphanedWrites.Any(o => o.Step == 8), verdict.OrphanedWrites.Any(o => o.Step == 8));
    }
}
