using Bridge.Core.Blocks;
using Bridge.Core.Observations;
using Bridge.Core.Scenarios;

namespace Bridge.Core.Oracle;

/// <summary>
/// The oracle rule for a race: steps repeated concurrently, iteration i of a writing step writing generation
/// (gen, i). From each step's count and the timing of its last successful call:
/// <list type="bullet">
/// <item>a block ends holding the last successful iteration of one of its writers — any writer whose last write did
/// not end before another writer's last write began — and sectors may mix when two writers remain;</item>
/// <item>a persistence call whose last successful iteration began after those last writes ended makes the disk
/// hold that (the contract: "every block whose last completed write finished before that call");</item>
/// <item>a copy out of the mapping whose last iteration began after the last writes ended copies the final
/// content; otherwise anything the page held during the race, mixed.</item>
/// <item>a file writer that replaces the page (rule 9: O_DIRECT, a reflink, clone, zero-range) is one more writer of
/// the file's page; once one of its iterations completed, a pin that held the page at the race's start holds an
/// orphan: device writes go there and never reach the file (<see cref="Replace"/>).</item>
/// <item>a writer whose iterations after its last successful one failed in the middle of their transfer
/// (<see cref="MidTransferFailure"/>) may have written part of its blocks there: its last write may be any of them,
/// sector-mixed with what the page held before, ending when the step's last call returned.</item>
/// </list>
/// </summary>
internal sealed class RaceRule(Expectations expectations, Step race)
{
    /// <summary>A racing step's calls, from its result: <see cref="LastStart"/> and <see cref="LastEnd"/> bound its
    /// last call that may have written.</summary>
    private sealed record Run(Step Step, RaceStats Stats, StepResult Result)
    {
        /// <summary>Iterations after the last successful one failed in the middle of a transfer: each may have
        /// written part of the step's blocks.</summary>
        public bool FailedMidTransfer => Stats.Iterations - 1 > Stats.LastOkIteration && MidTransferFailure.After(Result);

        /// <summary>A successful iteration, or a failed one that may have written.</summary>
        public bool MayHaveWritten => Stats.LastOkIteration >= 0 || FailedMidTransfer;

        /// <summary>The earliest its last write may have begun: a failed iteration after the last successful one
        /// began later (if it wrote anything), so the last successful one's start is the earliest.</summary>
        public long LastStart => Stats.LastOkIteration >= 0 ? Stats.LastOkStart : Result.Start;

        /// <summary>The latest its last write may have ended: when the step's last call returned, when that call
        /// failed mid-transfer.</summary>
        public long LastEnd => FailedMidTransfer ? Result.End : Stats.LastOkEnd;

        /// <summary>What its last write may have left: the last successful iteration and, after a mid-transfer
        /// failure, what any failed iteration after it left (<see cref="MidTransferFailure.Left"/>), sector-mixed.</summary>
        public Allowed LastContent(BackingInfo backing)
        {
            var ok = Stats.LastOkIteration >= 0 ? Allowed.Exactly(Of(Stats.LastOkIteration), Step.Index) : null;
            if (!FailedMidTransfer)
                return ok!;
            var first = Stats.LastOkIteration + 1;
            var failed = Step.Verb.File?.Source == FileSource.Zeros ? Allowed.Exactly(Content.Hole, Step.Index)
                : Stats.Iterations - first <= ExactFailedIterations
                    ? Enumerable.Range(0, (int)(Stats.Iterations - first)).Select(i => Allowed.Exactly(Of(first + i), Step.Index)).Aggregate((x, y) => x.Union(y))
                    : Allowed.AnyIteration(Step.Gen, (uint)(Stats.Iterations - 1), Step.Index);
            failed = MidTransferFailure.Left(failed, Step, Result, backing);
            return (ok is null ? failed : ok.Union(failed)).WithMix(true);
        }

        /// <summary>Up to this many failed iterations are allowed one by one; more as any iteration of the step (an
        /// entry per iteration of an I/O error storm would make the judgement as long as the race).</summary>
        private const int ExactFailedIterations = 64;

        private Content Of(long iteration) => Step.Verb.File?.Source == FileSource.Zeros ? Content.Hole : Content.Data(Step.Gen, (uint)iteration);
    }

    public void Apply()
    {
        var runs = race.Body
            .Select(s => (Step: s, Result: expectations.ResultOf(s)))
            .Where(r => r.Result.Race is { Iterations: > 0 })
            .Select(r => new Run(r.Step, r.Result.Race!, r.Result))
            .ToList();
        var writers = runs.Where(r => r.Step.Effect is Effect.WriteMapping or Effect.WriteThroughPin or Effect.WriteFile).ToList();
        // A file writer past EOF grew the file at its first completed call (the blocks between read as holes).
        if (writers.Where(w => w.Step.Effect == Effect.WriteFile && w.MayHaveWritten).Select(w => w.Step.Blocks.Last + 1).DefaultIfEmpty(0).Max() is var reach
            && reach > expectations.FileBlocks)
            expectations.GrowTo(reach);
        var blocks = writers.SelectMany(w => w.Step.Blocks.Blocks).Distinct().ToList();
        var lastWriteEnd = new Dictionary<int, long>();
        var before = blocks.ToDictionary(b => b, expectations.MappingView);
        var beforePinned = blocks.ToDictionary(b => b, expectations.PinnedView);

        foreach (var b in blocks)
        {
            var mine = writers.Where(w => w.Step.Blocks.Contains(b)).ToList();
            // After truncate or punch the pin holds a page the file no longer has: the device and the CPU then
            // write different pages, and each page ends with its own writers' last write.
            var pages = mine.GroupBy(w => PageOf(w.Step, b)).Select(g => g.ToList()).ToList();
            foreach (var page in pages)
            {
                var completed = page.Where(w => w.MayHaveWritten).ToList();
                if (completed.Count == 0)
                    continue; // every iteration failed: like a failed step outside a race, it contributes nothing
                var written = Written(b, page);
                if (completed.Any(Replaces))
                {
                    lastWriteEnd[b] = Math.Max(lastWriteEnd.GetValueOrDefault(b), Replace(b, page, completed, written, beforePinned[b]));
                    continue;
                }
                var candidates = Candidates(completed);
                var final = Final(candidates, before[b]);
                lastWriteEnd[b] = Math.Max(lastWriteEnd.GetValueOrDefault(b), candidates.Max(w => w.LastEnd));
                Write(candidates[0].Step, b, final, written);
                foreach (var other in completed.Where(w => w.Step.Effect == Effect.WriteThroughPin && w != candidates[0] && !expectations.PinSharesPage(b)))
                    expectations.WriteThroughPin(b, final, written, other.Step.Index); // notes its orphaned write, if the page left the file
            }
        }

        foreach (var p in runs.Where(r => r.Step.Effect == Effect.Persist && r.Stats.LastOkIteration >= 0))
            foreach (var b in expectations.PersistedBlocks(p.Step))
                if (!lastWriteEnd.TryGetValue(b, out var end) || p.Stats.LastOkStart > end)
                    expectations.Persist(b, p.Step.Index);

        var copied = new HashSet<(string, int)>();
        foreach (var r in runs.Where(r => r.Step.Effect is Effect.CopyFromMapping or Effect.CopyThroughPin && r.Stats.LastOkIteration >= 0))
        {
            var output = expectations.Output(r.Step.Args.Target!);
            foreach (var b in r.Step.Blocks.Blocks.Where(b => r.Step.Effect == Effect.CopyThroughPin || expectations.InFile(b)))
            {
                var after = r.Step.Effect == Effect.CopyFromMapping ? expectations.MappingView(b) : expectations.PinnedView(b);
                var copy = !lastWriteEnd.TryGetValue(b, out var end) || r.Stats.LastOkStart > end
                    ? after
                    : (r.Step.Effect == Effect.CopyFromMapping ? before[b] : beforePinned[b]).Union(after).Union(Written(b, writers));
                // Two racing copies into one output block: either may finish last.
                output[b] = copied.Add((r.Step.Args.Target!, b)) ? copy : output[b].Union(copy);
            }
        }
    }

    /// <summary>
    /// The file's page of <paramref name="block"/> when a replacing writer completed on it during the race. The file
    /// ends with the last write of one of the writers of the file's page (the replacing writer's data, or a store, an
    /// O_DIRECT read or a write(2) into the page the next fault or lookup brought in after the replacement); the disk
    /// may hold anything written during the race (the replacement wrote the disk, writeback may have written what
    /// followed it). A device writes the page the pin holds all along, which the first completed replacement took out
    /// of the file: it never writes the file's page after that, and before it only into a page about to be replaced —
    /// so a device is never the file's last writer. The orphan holds the devices' last writes when one began after a
    /// replacement had certainly completed (the earliest last completion of the replacing writers), else anything the
    /// pinned page held before or during the race, mixed — an O_DIRECT write's data included: where its invalidation
    /// before the write fails on a page a racer dirtied (the pinned page while it is still the file's), the call writes
    /// the cached pages instead (<see cref="FileWriter.Invalidates"/>; fs/iomap/direct-io.c __iomap_dio_rw returns
    /// -ENOTBLK, ext4_dio_write_iter / xfs_file_write_iter / btrfs_direct_write fall back to a buffered write; measured
    /// on Debian 6.1.0-57, scenarios/writers/pinned-race.scn on ext4 and btrfs: the pinned pages of blocks the O_DIRECT
    /// write and the O_DIRECT read into the mapping share held the write's generation). Returns when the file's last
    /// write ended.
    /// </summary>
    private long Replace(int block, List<Run> page, List<Run> completed, Allowed written, Allowed pinnedBefore)
    {
        var onFile = completed.Where(w => w.Step.Effect != Effect.WriteThroughPin).ToList();
        var devices = completed.Where(w => w.Step.Effect == Effect.WriteThroughPin).ToList();
        var replacers = completed.Where(Replaces).ToList();
        var candidates = Candidates(onFile);
        var surelyReplaced = replacers.Min(r => r.Stats.LastOkEnd);
        var late = devices.Where(d => d.Stats.LastOkStart > surelyReplaced).ToList();
        var orphan = late.Count > 0
            ? Final(Candidates(devices))
            : page.Where(w => !Replaces(w) || w.Step.Verb.File!.Invalidates(expectations.Scenario.Backing))
                .Select(w => ContentOf(w)).Aggregate(pinnedBefore, (x, y) => x.Union(y)).WithMix(true);
        var leftFileAt = replacers.MinBy(r => r.Stats.LastOkEnd)!.Step.Index;
        expectations.ReplaceInRace(block, Final(candidates), written, orphan, leftFileAt, late.Select(d => d.Step.Index));
        return candidates.Max(w => w.LastEnd);
    }

    /// <summary>A completed file writer that takes the page out of the page cache on this backing (rule 9).</summary>
    private bool Replaces(Run w) => w.Step.Verb.File?.ReplacesPagesOn(expectations.Scenario.Backing) == true && w.Stats.LastOkIteration >= 0;

    /// <summary>The writers whose last write may be the page's final content: any whose last write did not end before
    /// another's last write began.</summary>
    private static List<Run> Candidates(List<Run> completed) =>
        completed.Where(w => !completed.Any(y => y != w && y.LastStart > w.LastEnd)).ToList();

    /// <summary>The last iterations of the candidates; sectors may mix when two remain.</summary>
    /// <summary>The last iterations of the candidates; sectors may mix when two remain, and with what the page held
    /// before the race (<paramref name="held"/>) where a candidate's last call failed mid-transfer.</summary>
    private Allowed Final(List<Run> candidates, Allowed? held = null)
    {
        var final = candidates.Select(w => w.LastContent(expectations.Scenario.Backing)).Aggregate((x, y) => x.Union(y));
        var partly = candidates.Any(w => w.FailedMidTransfer);
        return (partly && held is not null ? final.Union(held) : final).WithMix(candidates.Count > 1 || partly);
    }

    private void Write(Step step, int block, Allowed final, Allowed written)
    {
        if (step.Effect == Effect.WriteThroughPin)
            expectations.WriteThroughPin(block, final, written, step.Index);
        else if (step.Effect == Effect.WriteFile)
            expectations.WriteCachedPage(block, final, written); // in place: a replacing writer's page goes through Replace
        else
            expectations.WriteThroughMapping(block, final, written);
    }

    /// <summary>Which page a writer writes: the device writes an orphan once truncate or punch took the pinned page
    /// out of the file; a store in a private file mapping writes its COW copy; a file writer and every other writer
    /// write the file's cached page (a pin still holding it included).</summary>
    private string PageOf(Step step, int block) => step.Effect switch
    {
        Effect.WriteThroughPin when !expectations.PinSharesPage(block) => "orphan",
        Effect.WriteFile => "file",
        _ when expectations.PrivateFileMapping => "private",
        _ => "file",
    };

    private Allowed Written(int block, List<Run> writers) => writers
        .Where(w => w.Step.Blocks.Contains(block))
        .Select(ContentOf)
        .Aggregate((x, y) => x.Union(y));

    /// <summary>Anything one writer's iterations wrote: zeros for zero-range, else any iteration of its generation —
    /// and what an iteration that failed mid-transfer left (<see cref="MidTransferFailure.Left"/>).</summary>
    private Allowed ContentOf(Run w)
    {
        if (w.Step.Verb.File?.Source == FileSource.Zeros)
            return Allowed.Exactly(Content.Hole, w.Step.Index).WithMix(true);
        var any = Allowed.AnyIteration(w.Step.Gen, (uint)(w.Stats.Iterations - 1), w.Step.Index);
        return w.Stats.Failures > 0 && MidTransferFailure.After(w.Result) ? MidTransferFailure.Left(any, w.Step, w.Result, expectations.Scenario.Backing) : any;
    }
}
