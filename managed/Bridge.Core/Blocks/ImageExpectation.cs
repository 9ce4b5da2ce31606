using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Bridge.Core.Blocks;

/// <summary>Contents a range of blocks may hold. <see cref="Mix"/>: its sectors may also be any mix of them (a
/// block written while a copy or writeback raced the writer).</summary>
public sealed record ExpectedRange(long First, long Last, IReadOnlyList<Content> Contents, bool Mix)
{
    public string Describe() => string.Join(", ", Contents) + (Mix ? " (mixed sectors allowed)" : "");
}

/// <summary>Raised for an expectation that cannot be read; the message says where and what was expected.</summary>
public sealed class ExpectationException(string message) : Exception(message);

/// <summary>
/// What a file image should hold, for <c>pinbridge check --expect</c>: its size, block size, run and file id, and the
/// generations each block range may hold. Two equal forms — text on the command line, JSON in a file (the schema is
/// <c>check-expectation.schema.json</c>, printed by <c>pinbridge check --expect-schema</c>):
/// <code>
/// size=256K block=4K run=0123abcd file=1 gen=0:0-31 gen=2:32-63 gen=2|3|hole:40 mix=2|3:41-47
/// {"size": 262144, "blockSize": 4096, "runId": "0123abcd", "fileId": 1,
///  "blocks": [{"blocks": "0-31", "contents": ["g0"]}, {"blocks": "41-47", "contents": ["g2", "g3"], "mix": true}]}
/// </code>
/// A content is <c>gN</c> or <c>N</c> (generation N), <c>gN.I</c> (iteration I of a race), or <c>hole</c>. Ranges
/// may not overlap; blocks no range names are judged by the format alone.
/// </summary>
public sealed partial record ImageExpectation(long? Size, int? BlockSize, ulong? RunId, uint? FileId, IReadOnlyList<ExpectedRange> Ranges)
{
    /// <summary>The largest block size <c>check</c> takes (a block is read into memory whole).</summary>
    public const int MaxBlockSize = 16 << 20;

    /// <summary>The expected contents of a block, or null when no range names it. Ranges are sorted and disjoint.</summary>
    public ExpectedRange? For(long block)
    {
        int lo = 0, hi = Ranges.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (block < Ranges[mid].First)
                hi = mid - 1;
            else if (block > Ranges[mid].Last)
                lo = mid + 1;
            else
                return Ranges[mid];
        }
        return null;
    }

    /// <summary>The text form: space-separated KEY=VALUE words.</summary>
    public static ImageExpectation Parse(string text)
    {
        long? size = null;
        int? blockSize = null;
        ulong? runId = null;
        uint? fileId = null;
        var ranges = new List<(string Blocks, string Contents, bool Mix, string Word)>();
        foreach (var word in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = word.IndexOf('=');
            var (key, value) = eq < 0 ? (word, "") : (word[..eq], word[(eq + 1)..]);
            switch (key)
            {
                case "size" when size is null:
                    size = ParseSize(value, "size");
                    break;
                case "block" when blockSize is null:
                    blockSize = ParseBlockSize(value);
                    break;
                case "run" when runId is null:
                    runId = ParseRunId(value);
                    break;
                case "file" when fileId is null:
                    fileId = uint.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var f) ? f : throw Bad(word, "file=N, a file id 0-4294967295");
                    break;
                case "gen" or "mix":
                    var colon = value.LastIndexOf(':');
                    if (colon <= 0)
                        throw Bad(word, $"{key}=CONTENT[|CONTENT…]:BLOCKS, CONTENT as gN, gN.I or hole, BLOCKS as A-B,C");
                    ranges.Add((value[(colon + 1)..], value[..colon], key == "mix", word));
                    break;
                case "size" or "block" or "run" or "file":
                    throw Bad(word, $"{key}= once");
                default:
                    throw Bad(word, "size=S, block=B, run=HEX, file=N, gen=CONTENTS:BLOCKS or mix=CONTENTS:BLOCKS");
            }
        }
        return Build(size, blockSize, runId, fileId, ranges.Select(r => (r.Blocks, (IReadOnlyList<string>)r.Contents.Split('|'), r.Mix, r.Word)));
    }

    /// <summary>The JSON form (check-expectation.schema.json).</summary>
    public static ImageExpectation FromJson(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw new ExpectationException($"not JSON: {e.Message}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new ExpectationException("expected a JSON object {\"size\": …, \"blocks\": […]}");
            long? size = null;
            int? blockSize = null;
            ulong? runId = null;
            uint? fileId = null;
            var ranges = new List<(string, IReadOnlyList<string>, bool, string)>();
            foreach (var property in root.EnumerateObject())
            {
                var v = property.Value;
                switch (property.Name)
                {
                    case "size":
                        size = v.TryGetInt64(out var s) && s >= 0 ? s : throw Bad("size", "a non-negative integer");
                        break;
                    case "blockSize":
                        blockSize = v.TryGetInt32(out var b) ? ParseBlockSize(b.ToString(CultureInfo.InvariantCulture)) : throw Bad("blockSize", "an integer");
                        break;
                    case "runId":
                        runId = v.ValueKind == JsonValueKind.String ? ParseRunId(v.GetString()!) : throw Bad("runId", "a string of hex digits (JSON numbers lose digits past 2^53)");
                        break;
                    case "fileId":
                        fileId = v.TryGetUInt32(out var f) ? f : throw Bad("fileId", "an integer 0-4294967295");
                        break;
                    case "blocks":
                        if (v.ValueKind != JsonValueKind.Array)
                            throw Bad("blocks", "an array of {\"blocks\": \"A-B\", \"contents\": [\"gN\", …], \"mix\": false}");
                        foreach (var (range, i) in v.EnumerateArray().Select((r, i) => (r, i)))
                            ranges.Add(JsonRange(range, $"blocks[{i}]"));
                        break;
                    default:
                        throw Bad(property.Name, "one of size, blockSize, runId, fileId, blocks");
                }
            }
            return Build(size, blockSize, runId, fileId, ranges);
        }
    }

    private static (string, IReadOnlyList<string>, bool, string) JsonRange(JsonElement range, string where)
    {
        if (range.ValueKind != JsonValueKind.Object)
            throw Bad(where, "an object {\"blocks\": \"A-B\", \"contents\": [\"gN\", …]}");
        string? blocks = null;
        List<string>? contents = null;
        var mix = false;
        foreach (var p in range.EnumerateObject())
        {
            switch (p.Name)
            {
                case "blocks" when p.Value.ValueKind == JsonValueKind.String:
                    blocks = p.Value.GetString();
                    break;
                case "contents" when p.Value.ValueKind == JsonValueKind.Array && p.Value.EnumerateArray().All(c => c.ValueKind == JsonValueKind.String):
                    contents = p.Value.EnumerateArray().Select(c => c.GetString()!).ToList();
                    break;
                case "mix" when p.Value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                    mix = p.Value.GetBoolean();
                    break;
                default:
                    throw Bad($"{where}.{p.Name}", "blocks (a string such as \"0-31,40\"), contents (an array of strings such as \"g2\") or mix (a boolean)");
            }
        }
        return (blocks ?? throw Bad(where, "a \"blocks\" string"), contents ?? throw Bad(where, "a \"contents\" array"), mix, where);
    }

    private static ImageExpectation Build(long? size, int? blockSize, ulong? runId, uint? fileId, IEnumerable<(string Blocks, IReadOnlyList<string> Contents, bool Mix, string Where)> specs)
    {
        var ranges = new List<ExpectedRange>();
        foreach (var (blocks, contents, mix, where) in specs)
        {
            var parsed = contents.Select(c => ParseContent(c) ?? throw Bad(where, $"contents as gN, gN.I or hole, not '{c}'")).Distinct().ToList();
            if (parsed.Count == 0)
                throw Bad(where, "at least one content");
            foreach (var part in blocks.Split(','))
            {
                var m = RangeRegex().Match(part);
                if (!m.Success || !long.TryParse(m.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var first))
                    throw Bad(where, $"blocks as A-B (A <= B) or N, comma-separated, not '{part}'");
                var last = first;
                if (m.Groups[2].Success && (!long.TryParse(m.Groups[2].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out last) || last < first))
                    throw Bad(where, $"blocks as A-B (A <= B) or N, comma-separated, not '{part}'");
                ranges.Add(new ExpectedRange(first, last, parsed, mix));
            }
        }
        ranges.Sort((a, b) => a.First.CompareTo(b.First));
        for (var i = 1; i < ranges.Count; i++)
            if (ranges[i].First <= ranges[i - 1].Last)
                throw new ExpectationException($"block {ranges[i].First} is named by two ranges ({ranges[i - 1].First}-{ranges[i - 1].Last} and {ranges[i].First}-{ranges[i].Last}); expected each block at most once");
        if (size is { } total && blockSize is { } bs)
        {
            if (total % bs != 0)
                throw new ExpectationException($"size {total} is not a whole number of {bs}-byte blocks");
            if (ranges.Count > 0 && ranges[^1].Last >= total / bs)
                throw new ExpectationException($"block {ranges[^1].Last} is past the expected size ({total / bs} blocks of {bs} bytes)");
        }
        return new ImageExpectation(size, blockSize, runId, fileId, ranges);
    }

    /// <summary><c>gN</c>, <c>N</c>, <c>gN.I</c>, <c>N.I</c> or <c>hole</c>; data a collapse or insert moved ends with
    /// <c>@+M</c> or <c>@-M</c>, how many blocks further on it was written (<see cref="Content.Moved"/>).</summary>
    public static Content? ParseContent(string text)
    {
        if (text == "hole")
            return Content.Hole;
        var m = ContentRegex().Match(text);
        if (!m.Success || !uint.TryParse(m.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var gen))
            return null;
        var iteration = 0u;
        if (m.Groups[2].Success && !uint.TryParse(m.Groups[2].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out iteration))
            return null;
        var moved = 0;
        if (m.Groups[3].Success && !int.TryParse(m.Groups[3].ValueSpan, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out moved))
            return null;
        return Content.Data(gen, iteration, moved);
    }

    /// <summary>A byte count as scenarios write sizes: digits with an optional K, M or G (powers of 1024).</summary>
    public static long ParseSize(string text, string what) =>
        Scenarios.ArgValues.Size(text, out var expected) ?? throw Bad($"{what}={text}", expected);

    public static int ParseBlockSize(string text)
    {
        var size = ParseSize(text, "block");
        return size >= BlockGeometry.SectorSize && size <= MaxBlockSize && size % BlockGeometry.SectorSize == 0
            ? (int)size
            : throw Bad($"block={text}", $"a multiple of {BlockGeometry.SectorSize} bytes up to {MaxBlockSize >> 20}M");
    }

    public static ulong ParseRunId(string text)
    {
        var hex = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text;
        return hex.Length is > 0 and <= 16 && hex.All(char.IsAsciiHexDigit) && ulong.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var id)
            ? id
            : throw Bad($"run={text}", "a run id of 1-16 hex digits");
    }

    private static ExpectationException Bad(string where, string expected) =>
        new($"'{Scenarios.Printable.Word(where)}': expected {expected}");

    [GeneratedRegex(@"^([0-9]+)(?:-([0-9]+))?$")]
    private static partial Regex RangeRegex();

    [GeneratedRegex(@"^g?([0-9]{1,10})(?:\.([0-9]{1,10}))?(?:@([+-][0-9]{1,9}))?$")]
    private static partial Regex ContentRegex();
}
