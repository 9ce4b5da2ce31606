using Bridge.Core.Blocks;
using Bridge.Core.Observations;
using Bridge.Core.Oracle;

namespace Bridge.Core.Reports;

/// <summary>
/// A scenario's findings as a bug report: per group of consecutive blocks, the verdict, the block range and its byte
/// offsets, the read path and the check's line, expected and observed contents (sector by sector where a block holds
/// several), what the oracle concluded, and the culprit step's text and file:line; then the kernel log of the
/// scenario. The one text every report uses: the terminal, KTAP diagnostics, JUnit failures, the HTML matrix and the
/// evidence folder.
/// </summary>
public static class FindingText
{
    /// <summary>Lines of the kernel log printed under a finding; the evidence folder keeps all of them.</summary>
    public const int KernelLogExcerpt = 20;

    /// <summary>Every finding group of the run, each as a headline and indented detail lines, then the kernel log.</summary>
    public static IReadOnlyList<string> Lines(ScenarioRun run, int? maxGroups = null)
    {
        var groups = FindingGroup.Of(run.Verdict.Findings);
        var lines = new List<string>();
        foreach (var group in groups.Take(maxGroups ?? int.MaxValue))
            lines.AddRange(Group(run, group));
        if (groups.Count > (maxGroups ?? int.MaxValue))
            lines.Add($"… {groups.Count - maxGroups!.Value} more findings (--json and --output DIR show all of them)");
        lines.AddRange(Orphaned(run));
        if (run.Verdict.HasFindings)
            lines.AddRange(KernelLog(run.Observation));
        // What the oracle says of its own evidence (a kernel log its rate limits cut short), whatever the verdict.
        lines.AddRange(run.Verdict.Notes.Select(n => "note: " + n));
        return lines;
    }

    /// <summary>One finding group: a headline, then indented detail.</summary>
    public static IReadOnlyList<string> Group(ScenarioRun run, FindingGroup group)
    {
        var f = group.First;
        var scenario = run.Scenario;
        if (f.Class == VerdictClass.KernelWarn)
            return [$"kernel-warn: {group.Members.Count} warning line{(group.Members.Count == 1 ? "" : "s")} in the kernel log during the scenario",
                    .. group.Members.Take(KernelLogExcerpt).Select(m => "    " + m.Observed)];
        if (f.Block is null)
            return [$"{f.Class.Name()}: {f.Note}", .. Culprit(run, f)];

        var bs = scenario.Geometry.BlockSize;
        var (first, last) = (group.FirstBlock!.Value, group.LastBlock!.Value);
        var blocks = first == last ? $"block {first}" : $"blocks {first}-{last}";
        var bytes = $"bytes {(long)first * bs}-{((long)last + 1) * bs - 1}";
        var check = f.Check >= 0 && f.Check < scenario.StepCount ? $" at the check on line {scenario.StepAt(f.Check).At.Line}" : "";
        var lines = new List<string>
        {
            $"{f.Class.Name()}: {f.File} {blocks} ({bytes}) {PathName(f.Path)}{check}",
            $"    expected {f.Expected}",
        };
        var read = ReadOf(run.Observation, f);
        if (read is { State: ReadState.Mixed, Sectors: { } sectors })
        {
            lines.Add($"    observed, sector by sector{(first == last ? "" : $" (block {first}; the others read alike)")}:");
            foreach (var (s0, s1, sector) in BlockRead.SectorRuns(sectors))
                lines.Add($"      sectors {s0}-{s1} (bytes {(long)first * bs + s0 * BlockGeometry.SectorSize}-{(long)first * bs + (s1 + 1) * BlockGeometry.SectorSize - 1}): {Sector(run, sector)}");
        }
        else
        {
            lines.Add($"    observed {f.Observed}{(read is { State: ReadState.Uniform, Content.Kind: ContentKind.Data } r ? $" (written by {r.Writer.Name()})" : "")}");
        }
        if (Copies(run.Observation, f) is { } copies)
            lines.Add($"    copies at this check: {copies}");
        lines.Add($"    {f.Note}");
        lines.AddRange(Culprit(run, f));
        return lines;
    }

    /// <summary>The orphaned writes (<see cref="VerdictClass.OrphanedWrite"/>): how many device writes completed into
    /// pages the file no longer owns, and per device write, its blocks and the step that took the pages out.</summary>
    public static IReadOnlyList<string> Orphaned(ScenarioRun run)
    {
        var orphaned = run.Verdict.OrphanedWrites;
        if (orphaned.Count == 0)
            return [];
        var scenario = run.Scenario;
        var lines = new List<string>
        {
            $"{VerdictClass.OrphanedWrite.Name()}: {orphaned.Count} device write{(orphaned.Count == 1 ? "" : "s")} completed into pages the file no longer owns " +
            $"(blocks {BlockList(orphaned.Select(o => o.Block))}): the file is as the contract allows, the data can never reach it",
        };
        foreach (var group in orphaned.GroupBy(o => (o.Step, o.LeftFileAt)))
            lines.Add($"    {scenario.Describe(group.Key.Step)} wrote blocks {BlockList(group.Select(o => o.Block))} into the pages " +
                      $"{(group.Key.LeftFileAt >= 0 ? scenario.Describe(group.Key.LeftFileAt) : "an earlier step")} took out of the file");
        return lines;
    }

    /// <summary>Blocks as ranges: 0-3,7.</summary>
    public static string BlockList(IEnumerable<int> blocks)
    {
        var sorted = blocks.Distinct().Order().ToList();
        var parts = new List<string>();
        for (var i = 0; i < sorted.Count;)
        {
            var j = i;
            while (j + 1 < sorted.Count && sorted[j + 1] == sorted[j] + 1)
                j++;
            parts.Add(i == j ? $"{sorted[i]}" : $"{sorted[i]}-{sorted[j]}");
            i = j + 1;
        }
        return string.Join(",", parts);
    }

    /// <summary>What every path read of the finding's block of the data file at its check — the disk (O_DIRECT), the
    /// page cache (buffered), the mapping — so a reader sees which copy holds what where the kernel and the oracle
    /// differ.</summary>
    private static string? Copies(Observation observation, Finding f)
    {
        if (f.File != Execution.CheckPlan.DataFile || f.Block is not { } block)
            return null;
        var views = observation.Checks.FirstOrDefault(c => c.Step == f.Check)?.Views.Where(v => v.File == f.File && v.Unavailable is null).ToList();
        if (views is null || views.Count < 2)
            return null;
        return string.Join(", ", views.Select(v => $"{CopyName(v.Path)} {v.Blocks.FirstOrDefault(b => b.Block == block)?.ToString() ?? "not read"}"));
    }

    private static string CopyName(ReadPath path) => path switch
    {
        ReadPath.Disk => "disk",
        ReadPath.Buffered => "page cache",
        _ => "mapping",
    };

    /// <summary>The kernel log of a scenario with findings: its first lines, or that it said nothing.</summary>
    public static IReadOnlyList<string> KernelLog(Observation observation) => observation.KernelLog.Count == 0
        ? ["kernel log: nothing during the scenario"]
        : [$"kernel log ({observation.KernelLog.Count} line{(observation.KernelLog.Count == 1 ? "" : "s")} during the scenario{(observation.KernelLog.Count > KernelLogExcerpt ? $", the first {KernelLogExcerpt}" : "")}):",
           .. observation.KernelLog.Take(KernelLogExcerpt).Select(l => "    " + l)];

    /// <summary>How a read path reads, in the words of the syscalls.</summary>
    public static string PathName(ReadPath? path) => path switch
    {
        ReadPath.Disk => "read with O_DIRECT (the disk)",
        ReadPath.Buffered => "read through the page cache",
        ReadPath.Mapping => "loaded through the mapping",
        _ => "",
    };

    /// <summary>A one-line summary of the steps: how many returned 0, and each that did not, by its text and result
    /// (steps that did not run are counted, not listed).</summary>
    public static string Steps(ScenarioRun run)
    {
        var results = run.Observation.Steps;
        if (results.Count == 0)
            return run.Observation.Skip is not null ? "not run" : "no steps";
        var ok = results.Count(s => s.Outcome == Outcome.Ok);
        var notRun = results.Count(s => s.Outcome == Outcome.NotRun);
        var failed = results.Where(s => s.Outcome is Outcome.Errno or Outcome.Timeout)
            .Select(s => $"{run.Scenario.StepAt(s.Step).Keyword}={s}").Distinct();
        return string.Join(", ", failed.Prepend($"{ok}/{results.Count} ok").Concat(notRun > 0 ? [$"{notRun} not run"] : []));
    }

    private static IEnumerable<string> Culprit(ScenarioRun run, Finding f) =>
        f.Culprit is { } c && c >= 0 && c < run.Scenario.StepCount && run.Scenario.StepAt(c) is var step
            ? [$"    culprit: {step.Text}  ({step.At.File}:{step.At.Line})"]
            : [];

    private static string Sector(ScenarioRun run, SectorRead sector) => sector.Kind switch
    {
        SectorKind.Valid => $"{sector.Content} ({sector.Header.Writer.Name()}, {run.Scenario.Describe((int)sector.Header.Step)})" +
                            (sector.Header.RunId != run.Observation.RunId ? $" of run {HexIdConverter.Format(sector.Header.RunId)}" : ""),
        SectorKind.Zero => "zeros",
        SectorKind.BadCrc => $"{sector.Content} with a bad crc32c (its header names {run.Scenario.Describe((int)sector.Header.Step)})",
        _ => "bytes no Bridge writer produced",
    };

    private static BlockRead? ReadOf(Observation observation, Finding f) =>
        observation.Checks.FirstOrDefault(c => c.Step == f.Check)?.Views.FirstOrDefault(v => v.File == f.File && v.Path == f.Path)?
            .Blocks.FirstOrDefault(b => b.Block == f.Block);
}
