using System.Text.Json;
using Bridge.Core.Blocks;
using Bridge.Core.Scenarios;

namespace Bridge.Core.Reports;

/// <summary>What a check is measured against and where each part of it came from (an option, the expectation,
/// the majority of the image's headers, or the default).</summary>
public sealed record CheckHeader(
    string File, int BlockSize, string BlockSizeFrom, ulong? RunId, string RunIdFrom, long RunVotes, long ValidSectors,
    uint FileId, ImageExpectation? Expect, bool AllowHoles);

/// <summary>A <c>pinbridge check</c> report, written as the verifier streams: the header, each range of blocks as it
/// closes, the summary. Text for people, JSON (one document) for programs.</summary>
public abstract class CheckReport(TextWriter output)
{
    protected TextWriter Output => output;

    public abstract void Begin(CheckHeader header);
    public abstract void Range(VerdictRange range);
    public abstract void End(ImageSummary summary);

    public static CheckReport Text(TextWriter output) => new TextCheckReport(output);
    public static CheckReport Json(Stream output) => new JsonCheckReport(output);

    protected static string Summary(ImageSummary s) =>
        s.Passed
            ? $"{s.Blocks} blocks ({s.Bytes} bytes): " + (s.Counts.GetValueOrDefault(BlockVerdictKind.Hole) == s.Blocks && s.Blocks > 0 ? "all zero" : "all intact")
            : $"{s.BadBlocks} bad block{(s.BadBlocks == 1 ? "" : "s")} of {s.Blocks} ({s.Bytes} bytes): " +
              string.Join(", ", s.Counts.Where(kv => kv.Key.IsFinding()).OrderBy(kv => kv.Key).Select(kv => $"{kv.Key.Name()} {kv.Value}").Concat(s.Problems));
}

internal sealed class TextCheckReport(TextWriter output) : CheckReport(output)
{
    private string _file = "";

    public override void Begin(CheckHeader h)
    {
        _file = Printable.Text(h.File);
        var run = h.RunId is { } id ? $"run {id:x16} ({h.RunIdFrom}{(h.RunIdFrom == "majority" ? $": {h.RunVotes} of {h.ValidSectors} valid sectors" : "")})" : "no run found";
        Output.WriteLine($"{_file}: blocks of {h.BlockSize} bytes ({h.BlockSizeFrom}), {run}, file {h.FileId}{(h.Expect is null ? "" : ", against the expectation")}{(h.AllowHoles ? ", holes allowed" : "")}");
    }

    public override void Range(VerdictRange r)
    {
        var blocks = r.Count == 1 ? $"block {r.First}" : $"blocks {r.First}-{r.Last}";
        var text = r.Alike || r.Count == 1 ? r.Text : $"{r.Text} (block {r.First}; the others alike)";
        var bytes = $"bytes {r.Offset}-{r.End}";
        Output.WriteLine($"  {blocks,-20} {bytes,-30} {(r.Kind.IsFinding() ? r.Kind.Name().ToUpperInvariant() : r.Kind.Name()),-15} {text}");
    }

    public override void End(ImageSummary s)
    {
        foreach (var problem in s.Problems)
            Output.WriteLine($"  {problem}");
        foreach (var note in s.Notes)
            Output.WriteLine($"  note: {note}");
        Output.WriteLine($"{_file}: {Summary(s)}");
    }
}

/// <summary>One JSON document: identifiers as strings (a run id does not fit a double), every count below 2^53.</summary>
internal sealed class JsonCheckReport : CheckReport
{
    private readonly Utf8JsonWriter _json;

    public JsonCheckReport(Stream output) : base(TextWriter.Null) =>
        _json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });

    public override void Begin(CheckHeader h)
    {
        _json.WriteStartObject();
        _json.WriteString("file", h.File);
        _json.WriteNumber("blockSize", h.BlockSize);
        _json.WriteString("blockSizeFrom", h.BlockSizeFrom);
        if (h.RunId is { } id)
            _json.WriteString("runId", $"{id:x16}");
        else
            _json.WriteNull("runId");
        _json.WriteString("runIdFrom", h.RunIdFrom);
        _json.WriteNumber("runVotes", h.RunVotes);
        _json.WriteNumber("validSectors", h.ValidSectors);
        _json.WriteNumber("fileId", h.FileId);
        _json.WriteBoolean("allowHoles", h.AllowHoles);
        _json.WriteBoolean("expectation", h.Expect is not null);
        _json.WriteStartArray("ranges");
    }

    public override void Range(VerdictRange r)
    {
        _json.WriteStartObject();
        _json.WriteNumber("first", r.First);
        _json.WriteNumber("last", r.Last);
        _json.WriteNumber("blocks", r.Count);
        _json.WriteNumber("offset", r.Offset);
        _json.WriteNumber("end", r.End);
        _json.WriteString("verdict", r.Kind.Name());
        _json.WriteBoolean("bad", r.Kind.IsFinding());
        _json.WriteString(r.Kind.IsFinding() ? "reason" : "holds", r.Text);
        _json.WriteBoolean("alike", r.Alike);
        _json.WriteEndObject();
        if (_json.BytesPending > 1 << 16)
            _json.Flush();
    }

    public override void End(ImageSummary s)
    {
        _json.WriteEndArray();
        _json.WriteNumber("bytes", s.Bytes);
        _json.WriteNumber("blocks", s.Blocks);
        _json.WriteNumber("badBlocks", s.BadBlocks);
        _json.WriteStartObject("counts");
        foreach (var (kind, count) in s.Counts.OrderBy(kv => kv.Key))
            _json.WriteNumber(kind.Name(), count);
        _json.WriteEndObject();
        _json.WriteStartArray("problems");
        foreach (var p in s.Problems)
            _json.WriteStringValue(p);
        _json.WriteEndArray();
        _json.WriteStartArray("notes");
        foreach (var n in s.Notes)
            _json.WriteStringValue(n);
        _json.WriteEndArray();
        _json.WriteBoolean("passed", s.Passed);
        _json.WriteString("summary", Summary(s));
        _json.WriteEndObject();
        _json.Flush();
    }
}
