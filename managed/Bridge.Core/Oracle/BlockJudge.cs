using Bridge.Core.Blocks;
using Bridge.Core.Observations;
using Bridge.Core.Scenarios;

namespace Bridge.Core.Oracle;

/// <summary>Compares one block as a path read it with what the oracle allows there, and names the fault.</summary>
internal static class BlockJudge
{
    /// <param name="history">Every content completed steps wrote into this block: an old one is a lost write (disk)
    /// or stale (memory paths); one outside it is a phantom.</param>
    public static Finding? Judge(Scenario scenario, int check, string file, ReadPath path, BlockRead read, Allowed expected, Allowed history, ulong runId)
    {
        Finding Make(VerdictClass c, string note, int? culprit = null) =>
            new(c, check, file, path, read.Block, expected.ToString(), read.ToString(), culprit ?? expected.SoleOrigin, note);

        switch (read.State)
        {
            case ReadState.IoError:
                return Make(VerdictClass.IoError, $"reading the block failed with {read.Error}");
            case ReadState.BeyondEof:
                return expected.Contains(Content.BeyondEof) ? null : Make(VerdictClass.Zeroed, "the file ends before this block");
            case ReadState.Uniform:
                return expected.Contains(read.Content) ? null : Classify(scenario, read.Block, read.Content, read.Step, path, expected, history, Make);
        }

        // Mixed: judge sector by sector; the first thing that cannot be explained names the class.
        var sectors = read.Sectors!;
        var blockSize = sectors.Count * BlockGeometry.SectorSize;
        // What each sector holds where it sits: data moved by a collapse or insert names the offset it was written at.
        var held = new Content[sectors.Count];
        for (var s = 0; s < sectors.Count; s++)
        {
            var sector = sectors[s];
            var expectedOffset = (ulong)read.Block * (ulong)blockSize + (ulong)(s * BlockGeometry.SectorSize);
            var at = sector.ContentAt(read.Block, blockSize, s);
            held[s] = at ?? sector.Content;
            switch (sector.Kind)
            {
                case SectorKind.BadCrc when expected.MixOk && expected.Contains(held[s]):
                    continue; // a copy or writeback raced a writer of this page: a tear inside a sector is allowed
                case SectorKind.BadCrc:
                    return Make(VerdictClass.Torn, $"sector {s}: crc32c mismatch (the bytes changed after {scenario.Describe((int)sector.Header.Step)} stamped it g{sector.Header.Gen})", (int)sector.Header.Step);
                case SectorKind.Foreign:
                    return Make(VerdictClass.Phantom, $"sector {s}: bytes no Bridge writer produced");
                case SectorKind.Valid when sector.Header.RunId != runId:
                    return Make(VerdictClass.Phantom, $"sector {s}: data from another run ({sector.Header.RunId:x16})");
                case SectorKind.Valid when at is null || sector.Header.FileId != 1:
                    return Make(VerdictClass.Misplaced, $"sector {s}: header says file {sector.Header.FileId} offset {sector.Header.Offset}, read at offset {expectedOffset}", (int)sector.Header.Step);
            }
        }
        var contents = held.Distinct().ToList();
        var outsiders = contents.Where(c => !expected.Contains(c)).ToList();
        if (outsiders.Count == 0 && (expected.MixOk || contents.Count == 1))
            return null;
        if (contents.Count == 1)
            return Classify(scenario, read.Block, contents[0], StepOf(sectors[0]), path, expected, history, Make);
        // Several contents in one block: torn, whatever else is wrong with the parts.
        // To blame: the writer of content that never belonged here, else the write whose data is missing.
        var phantom = outsiders.FirstOrDefault(o => history.OriginOf(o) is null, Content.BeyondEof);
        var culprit = phantom.Kind != ContentKind.BeyondEof ? StepOf(sectors[Array.IndexOf(held, phantom)]) : expected.SoleOrigin ?? -1;
        var why = outsiders.Count == 0 ? "no mix is allowed here"
            : string.Join("; ", outsiders.Select(o => $"{o} {(history.OriginOf(o) is { } step ? $"is an older write, by {scenario.Describe(step)}" : "was never written here")}"));
        return Make(VerdictClass.Torn, $"sectors of {string.Join(", ", contents)}: {why}", culprit >= 0 ? culprit : null);
    }

    private static int StepOf(SectorRead sector) => sector.Kind == SectorKind.Valid ? (int)sector.Header.Step : -1;

    private static Finding Classify(Scenario scenario, int block, Content seen, int writerStep, ReadPath path, Allowed expected, Allowed history,
        Func<VerdictClass, string, int?, Finding> make)
    {
        if (seen.Kind == ContentKind.Hole)
            return make(VerdictClass.Zeroed, $"zeros where data is required", null);
        if (history.OriginOf(seen) is { } olderStep)
            return path == ReadPath.Disk
                ? make(VerdictClass.LostWrite, $"{seen}, written by {scenario.Describe(olderStep)}, is on disk; the required write never reached it", null)
                : make(VerdictClass.Stale, $"{seen}, written by {scenario.Describe(olderStep)}, is still visible through the {path.ToString().ToLowerInvariant()} path", null);
        if (seen.Moved != 0)
            return make(VerdictClass.Misplaced, $"{seen}: header says offset {scenario.Geometry.OffsetOf(block + seen.Moved)}, read at offset " +
                $"{scenario.Geometry.OffsetOf(block)}, and no collapse or insert moved that data here (its header names {scenario.Describe(writerStep)})", writerStep >= 0 ? writerStep : null);
        return make(VerdictClass.Phantom, $"{seen} was never written to this block by a completed step (its header names {scenario.Describe(writerStep)})", writerStep >= 0 ? writerStep : null);
    }
}
