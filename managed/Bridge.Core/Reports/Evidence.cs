using System.Text;
using System.Text.Json;
using Bridge.Core.Blocks;
using Bridge.Core.Observations;
using Bridge.Core.Oracle;

namespace Bridge.Core.Reports;

/// <summary>
/// The evidence folder of a scenario (<c>OUTPUT/evidence/TARGET/SCENARIO/</c>): everything needed to look again
/// without rerunning — the scenario's text, the observation, the kernel log, the report, and per file image the
/// target kept (<c>data.img</c>: the data file as the kernel left it, read with O_DIRECT; <c>out.img</c> …) an
/// expectation that <c>pinbridge check IMAGE --expect FILE.expect.json</c> judges it by. Pure: names and contents; the
/// command writes them, the target writes the images.
/// </summary>
public static class Evidence
{
    public const string Directory = "evidence";

    /// <summary>Iterations of a racing step an expectation lists one by one; past that its blocks are left to the
    /// block format alone (a million iterations would be a million contents).</summary>
    public const int MaxContentsPerRange = 4096;

    public static string ImageName(string file) => $"{file}.img";

    public static string ExpectationName(string file) => $"{file}.expect.json";

    /// <summary>A name as a single path component: what is not a letter, digit or one of <c>._,+=@-[]</c> becomes '_'
    /// (so <c>sim:linux-6.1</c> is <c>sim_linux-6.1</c>, and <c>uring[ext4,shared]</c> stays itself).</summary>
    public static string FolderName(string name)
    {
        var chars = name.Select(c => char.IsAsciiLetterOrDigit(c) || "._,+=@-[]".Contains(c) ? c : '_').ToArray();
        var folder = new string(chars);
        return folder is "." or ".." || folder.Length == 0 ? "_" + folder : folder;
    }

    /// <summary>The folder's files other than images: name → content.</summary>
    public static IReadOnlyList<(string Name, string Content)> Files(ScenarioRun run, IReadOnlyCollection<string> images)
    {
        var files = new List<(string, string)>
        {
            ("scenario.scn", run.Scenario.Text.EndsWith('\n') ? run.Scenario.Text : run.Scenario.Text + "\n"),
            ("observation.json", JsonSerializer.Serialize(run.Observation, new BridgeJsonContext(new JsonSerializerOptions(BridgeJsonContext.Default.Options) { WriteIndented = true }).Observation) + "\n"),
            ("kernel.log", string.Concat(run.Observation.KernelLog.Select(l => l + "\n"))),
        };
        var expectations = Oracle.Oracle.AfterAllSteps(run.Scenario, run.Observation).Where(e => images.Contains(ImageName(e.File))).ToList();
        foreach (var e in expectations)
            files.Add((ExpectationName(e.File), ExpectationJson(e, run.Scenario.Geometry.BlockSize, run.Observation.RunId)));
        files.Add(("report.txt", Report(run, images, expectations)));
        return files;
    }

    /// <summary>An expectation in the JSON form <c>check --expect</c> reads (check-expectation.schema.json):
    /// consecutive blocks that may hold the same contents as one range.</summary>
    public static string ExpectationJson(FileExpectation expectation, int blockSize, ulong runId)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("size", (long)expectation.Blocks.Count * blockSize);
            w.WriteNumber("blockSize", blockSize);
            w.WriteString("runId", HexIdConverter.Format(runId));
            w.WriteNumber("fileId", 1); // output files hold copies of the data file's blocks, stamped as its own
            w.WriteStartArray("blocks");
            foreach (var (first, last, contents, mix) in Ranges(expectation))
            {
                w.WriteStartObject();
                w.WriteString("blocks", first == last ? $"{first}" : $"{first}-{last}");
                w.WriteStartArray("contents");
                foreach (var c in contents)
                    w.WriteStringValue(c);
                w.WriteEndArray();
                if (mix)
                    w.WriteBoolean("mix", true);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static IEnumerable<(int First, int Last, IReadOnlyList<string> Contents, bool Mix)> Ranges(FileExpectation expectation)
    {
        (int First, int Last, IReadOnlyList<string> Contents, bool Mix)? open = null;
        for (var b = 0; b < expectation.Blocks.Count; b++)
        {
            var contents = Contents(expectation.Blocks[b]);
            var mix = contents is not null && expectation.Blocks[b].MixOk && contents.Count > 1;
            if (open is { } o && contents is not null && o.Last == b - 1 && o.Mix == mix && o.Contents.SequenceEqual(contents))
            {
                open = o with { Last = b };
                continue;
            }
            if (open is { } done)
                yield return done;
            open = contents is null ? null : (b, b, contents, mix);
        }
        if (open is { } last)
            yield return last;
    }

    /// <summary>The contents a block may hold, or null when there are too many to list.</summary>
    private static List<string>? Contents(Allowed allowed)
    {
        var iterations = allowed.Iterations.Sum(kv => (long)kv.Value.MaxIteration + 1);
        if (iterations > MaxContentsPerRange)
            return null;
        return [.. allowed.Origins.Keys.Where(c => c.Kind != ContentKind.BeyondEof)
            .Concat(allowed.Iterations.SelectMany(kv => Enumerable.Range(0, (int)kv.Value.MaxIteration + 1).Select(i => Content.Data(kv.Key, (uint)i))))
            .Distinct().OrderBy(c => c.Kind).ThenBy(c => c.Gen).ThenBy(c => c.Iteration).Select(c => c.ToString())];
    }

    private static string Report(ScenarioRun run, IReadOnlyCollection<string> images, IReadOnlyList<FileExpectation> expectations)
    {
        var sb = new StringBuilder();
        var env = run.Observation.Environment;
        sb.Append($"{run.Scenario.Name} ({run.Scenario.Label}, {run.Scenario.SourceFile}) on {env.Target}, kernel {env.KernelRelease}{(env.FsType is { } fs ? $", {fs}" : "")}\n");
        sb.Append($"verdict: {run.VerdictName}; run id {HexIdConverter.Format(run.Observation.RunId)}\nsteps: {FindingText.Steps(run)}\n\n");
        foreach (var line in FindingText.Lines(run))
            sb.Append(line).Append('\n');
        sb.Append("\nfiles here:\n  scenario.scn       the scenario as it ran (a matrix instance with its values filled in)\n")
            .Append("  observation.json   every step's result and what every read path saw at every check\n")
            .Append("  kernel.log         the kernel log during the scenario\n");
        foreach (var e in expectations)
            sb.Append($"  {ImageName(e.File),-18} the {e.File} file as the kernel left it after the last step (read with O_DIRECT)\n")
                .Append($"  {ExpectationName(e.File),-18} what the oracle allows on disk there; check it with:\n")
                .Append($"                       pinbridge check {ImageName(e.File)} --expect {ExpectationName(e.File)}\n");
        foreach (var image in images.Where(i => expectations.All(e => ImageName(e.File) != i)))
            sb.Append($"  {image,-18} kept by the target\n");
        if (images.Count == 0)
            sb.Append(run.Observation.Environment.Target.StartsWith("sim:", StringComparison.Ordinal)
                ? "  (no image: the simulator models pages, it writes no file)\n"
                : run.Scenario.Backing.HasFile ? "  (no image: the target did not keep one — the scenario did not finish its steps, or it ran without --output)\n"
                : "  (no image: anonymous memory has no file)\n");
        return sb.ToString();
    }
}
