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

    private static readonly BridgeJsonContext Indented = new(new JsonSerializerOptions(JsonReport.Context.Options) { WriteIndented = true });

    /// <summary>Iterations of a racing step an expectation lists one by one; past that its blocks are left to the
    /// block format alone (a million iterations would be a million contents).</summary>
    public const int MaxContentsPerRange = 4096;

    /// <summary>A file as the kernel left it after the last step: <c>data.img</c>, <c>out.img</c>.</summary>
    public static string ImageName(string file) => $"{file}.img";

    /// <summary>The data file's disk as a check read it (its O_DIRECT view), kept for a check with findings: the
    /// state the findings describe, which later steps (an unpin that dirties the pages, a sync) may have changed.</summary>
    public static string CheckImageName(string file, int line) => $"{file}.check-line{line}.img";

    public static string ExpectationName(string image) => Path.ChangeExtension(image, ".expect.json");

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
            ("observation.json", JsonSerializer.Serialize(run.Observation, Indented.Observation) + "\n"),
            ("kernel.log", string.Concat(run.Observation.KernelLog.Select(l => l + "\n"))),
        };
        var expectations = Expectations(run).Where(e => images.Contains(e.Image)).ToList();
        foreach (var (image, _, expectation) in expectations)
            files.Add((ExpectationName(image), ExpectationJson(expectation, run.Scenario.Geometry.BlockSize, run.Observation.RunId)));
        files.Add(("report.txt", Report(run, images, expectations)));
        return files;
    }

    /// <summary>An expectation in the JSON form <c>check --expect</c> reads (check-expectation.schema.json):
    /// consecutive blocks that may hold the same contents as one range.</summary>
    public static string ExpectationJson(FileExpectation expectation, int blockSize, ulong runId)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JsonReport.Encoder }))
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

    /// <summary>The same expectation in the text form of <c>check --expect</c>, without the run id (which only the
    /// run that wrote the file knows): <c>size=… block=… file=1 gen=g0|g2:0-3 mix=g1|g2:4-7</c>.</summary>
    public static string ExpectationText(FileExpectation expectation, int blockSize) =>
        string.Join(' ', new[] { $"size={(long)expectation.Blocks.Count * blockSize}", $"block={blockSize}", "file=1" }
            .Concat(Ranges(expectation).Select(r => $"{(r.Mix ? "mix" : "gen")}={string.Join('|', r.Contents)}:{(r.First == r.Last ? $"{r.First}" : $"{r.First}-{r.Last}")}")));

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
            .Concat(allowed.Iterations.SelectMany(kv => Enumerable.Range(0, (int)kv.Value.MaxIteration + 1).Select(i => kv.Key with { Iteration = (uint)i })))
            .Distinct().OrderBy(c => c.Kind).ThenBy(c => c.Gen).ThenBy(c => c.Iteration).Select(c => c.ToString())];
    }

    /// <summary>Every image a target may keep for the run, with what it shows and the oracle's expectation of it: the
    /// final files, and the data file's disk at each check.</summary>
    public static IEnumerable<(string Image, string What, FileExpectation Expectation)> Expectations(ScenarioRun run)
    {
        foreach (var e in Oracle.Oracle.OnDisk(run.Scenario, run.Observation))
            yield return (ImageName(e.File), $"the {e.File} file as the kernel left it after the last step (read with O_DIRECT)", e);
        foreach (var check in run.Scenario.Steps.Where(s => s.Effect == Scenarios.Effect.Check))
        {
            if (Oracle.Oracle.OnDisk(run.Scenario, run.Observation, check.Index).FirstOrDefault(e => e.File == Execution.CheckPlan.DataFile) is { } e)
                yield return (CheckImageName(e.File, check.At.Line), $"the {e.File} file's disk as the check on line {check.At.Line} read it (O_DIRECT)", e);
        }
    }

    private static string Report(ScenarioRun run, IReadOnlyCollection<string> images, IReadOnlyList<(string Image, string What, FileExpectation Expectation)> expectations)
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
        foreach (var (image, what, _) in expectations)
            sb.Append($"  {image}\n      {what};\n      what the oracle allows there is in {ExpectationName(image)}: pinbridge check {image} --expect {ExpectationName(image)}\n");
        foreach (var image in images.Where(i => expectations.All(e => e.Image != i)))
            sb.Append($"  {image}\n      kept by the target\n");
        if (images.Count == 0)
            sb.Append(run.Observation.Environment.Target.StartsWith("sim:", StringComparison.Ordinal)
                ? "  (no image: the simulator models pages, it writes no file)\n"
                : run.Scenario.Backing.HasFile ? "  (no image: the target did not keep one — the scenario did not finish its steps, or it ran without --output)\n"
                : "  (no image: anonymous memory has no file)\n");
        return sb.ToString();
    }
}
