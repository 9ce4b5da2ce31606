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
/// </list>
/// </summary>
internal sealed class RaceRule(Expectations expectations, Step race)
{
    private sealed record Run(Step Step, RaceStats Stats);

    public void Apply()
    {
        var runs = race.Body
            .Select(s => (Step: s, Result: expectations.ResultOf(s)))
            .Where(r => r.Result.Race is { Iterations: > 0 })
            .Select(r => new Run(r.Step, r.Result.Race!))
            .ToList();
        // A file writer past EOF grows the file with its first call: whatever raced it and wrote there found the file
        // grown (the executor does not store past EOF), so its writes land in blocks the file has.
        foreach (var w in runs.Where(r => r.Step.Effect == Effect.WriteFile && r.Stats.LastOkIteration >= 0))
            expectations.GrowTo(w.Step.Blocks.Last + 1);
        var writers = runs.Where(r => r.Step.Effect is Effect.WriteMapping or Effect.WriteThroughPin or Effect.WriteFile).ToList();
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
                var completed = page.Where(w => w.Stats.LastOkIteration >= 0).ToList();
                if (completed.Count == 0)
                    continue; // every iteration failed: like a failed step outside a race, it contributes nothing
                var written = Written(b, page);
                var candidates = completed.Where(w => !completed.Any(y => y != w && y.Stats.LastOkStart > w.Stats.LastOkEnd)).ToList();
                var final = candidates
                    .Select(w => Allowed.Exactly(Content.Data(w.Step.Gen, (uint)w.Stats.LastOkIteration), w.Step.Index))
                    .Aggregate((x, y) => x.Union(y))
                    .WithMix(candidates.Count > 1);
                lastWriteEnd[b] = Math.Max(lastWriteEnd.GetValueOrDefault(b), candidates.Max(w => w.Stats.LastOkEnd));
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

    private void Write(Step step, int block, Allowed final, Allowed written)
    {
        if (step.Effect == Effect.WriteThroughPin)
            expectations.WriteThroughPin(block, final, written, step.Index);
        else if (step.Effect == Effect.WriteFile)
            expectations.WriteCachedPage(block, final, written); // only in-place writers race (their rows allow it)
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

    private static Allowed Written(int block, List<Run> writers) => writers
        .Where(w => w.Step.Blocks.Contains(block))
        .Select(w => Allowed.AnyIteration(w.Step.Gen, (uint)(w.Stats.Iterations - 1), w.Step.Index))
        .Aggregate((x, y) => x.Union(y));
}
