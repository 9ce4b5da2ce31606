namespace Bridge.Core.Blocks;

/// <summary>What <see cref="ImageVerifier"/> checks an image against.</summary>
/// <param name="RunId">The file's run (given, expected or the survey's majority); null: none is known.</param>
/// <param name="FileId">The file's id within its run.</param>
/// <param name="AllowHoles">Zero blocks among data blocks pass (a sparse file written in parts).</param>
public sealed record ImageCheck(ulong? RunId, uint FileId, int BlockSize, ImageExpectation? Expect, bool AllowHoles);

/// <summary>What a whole image came to.</summary>
/// <param name="Problems">Findings about the file as a whole (it is empty, say).</param>
public sealed record ImageSummary(long Bytes, long Blocks, IReadOnlyDictionary<BlockVerdictKind, long> Counts, IReadOnlyList<string> Problems, IReadOnlyList<string> Notes)
{
    public long BadBlocks => Counts.Where(kv => kv.Key.IsFinding()).Sum(kv => kv.Value);
    public bool Passed => BadBlocks == 0 && Problems.Count == 0;
}

/// <summary>
/// Verifies a file image block by block as it streams past (fio's verify_only, held to fio's standard): every
/// sector's crc32c and every header field — run, file, sectors per block, offset — against what belongs there, the
/// block's content against the expectation when there is one, zero blocks among data, a partial last block, and the
/// size. Each bad block gets the reason in fio's words ("bad header offset, wanted 167936 got 163840"); consecutive
/// blocks with one verdict are handed to <c>emit</c> as one range. Memory does not grow with the image.
/// </summary>
public sealed class ImageVerifier(ImageCheck check, Action<VerdictRange> emit)
{
    private readonly int _sectors = check.BlockSize / BlockGeometry.SectorSize;
    private readonly Dictionary<BlockVerdictKind, long> _counts = [];
    private readonly List<string> _problems = [];
    private readonly List<string> _notes = [];
    private long _next, _bytes;
    private bool _sawData, _ended;
    private Open? _open;

    private const string ZeroShape = "zeros among data?"; // decided when the range closes: is there any data?

    private sealed class Open(BlockVerdict first, long end)
    {
        public BlockVerdict First { get; } = first;
        public long Last { get; set; } = first.Block;
        public long End { get; set; } = end;
        public bool Alike { get; set; } = true;
    }

    /// <summary>The next whole block of the image.</summary>
    public void Block(ReadOnlySpan<byte> block)
    {
        if (block.Length != check.BlockSize || _ended)
            throw new ArgumentException($"expected whole {check.BlockSize}-byte blocks before the tail", nameof(block));
        var verdict = Judge(block, _next);
        _sawData |= block.ContainsAnyExcept((byte)0);
        Add(verdict, (_next + 1) * check.BlockSize - 1);
        _next++;
        _bytes += block.Length;
    }

    /// <summary>The image's last bytes, fewer than a block: the file ends mid-block.</summary>
    public void Tail(ReadOnlySpan<byte> tail)
    {
        if (tail.Length == 0 || tail.Length >= check.BlockSize || _ended)
            throw new ArgumentException($"a tail is 1 to {check.BlockSize - 1} bytes, once", nameof(tail));
        _ended = true;
        var why = $"partial block: {tail.Length} of {check.BlockSize} bytes (the file ends mid-block)";
        var headers = DeclaredBlockSize(tail);
        if (headers is { } size && size != check.BlockSize)
            why += $"; its headers are for blocks of {size} bytes";
        _sawData |= tail.ContainsAnyExcept((byte)0);
        Add(new BlockVerdict(_next, BlockVerdictKind.Partial, why, why), _next * check.BlockSize + tail.Length - 1);
        _next++;
        _bytes += tail.Length;
    }

    public ImageSummary Finish()
    {
        Close();
        if (check.Expect?.Size is { } size && _bytes < size)
        {
            var first = _next;
            var last = (size - 1) / check.BlockSize;
            if (first <= last)
                Emit(new VerdictRange(first, last, first * check.BlockSize, size - 1, BlockVerdictKind.Missing,
                    $"missing: the file ends at byte {_bytes}; {size} bytes are expected", true));
        }
        if (_bytes == 0 && check.Expect?.Size != 0)
            _problems.Add("the file is empty: there is no block to verify");
        if (!_sawData && _next > 0)
            _notes.Add($"all {_next} blocks are zero: a fresh sparse file, nothing written yet");
        else if (check.RunId is null && _sawData)
            _notes.Add("no valid header names a run: run ids were not checked");
        return new ImageSummary(_bytes, _next, _counts, _problems, _notes);
    }

    private void Add(BlockVerdict verdict, long end)
    {
        if (_open is { } open && open.First.Kind == verdict.Kind && open.First.Shape == verdict.Shape && open.Last + 1 == verdict.Block)
        {
            open.Last = verdict.Block;
            open.End = end;
            open.Alike &= open.First.Text == verdict.Text;
            return;
        }
        Close();
        _open = new Open(verdict, end);
    }

    private void Close()
    {
        if (_open is not { } open)
            return;
        _open = null;
        var (kind, text) = (open.First.Kind, open.First.Text);
        if (open.First.Shape == ZeroShape && !_sawData)
            (kind, text) = (BlockVerdictKind.Hole, "zeros (the file holds no data)");
        Emit(new VerdictRange(open.First.Block, open.Last, open.First.Block * check.BlockSize, open.End, kind, text, open.Alike));
    }

    private void Emit(VerdictRange range)
    {
        _counts[range.Kind] = _counts.GetValueOrDefault(range.Kind) + range.Count;
        emit(range);
    }

    private BlockVerdict Judge(ReadOnlySpan<byte> block, long index)
    {
        var expected = check.Expect?.For(index);
        if (check.Expect is { Size: { } size } && index >= size / check.BlockSize)
            return Verdict(index, BlockVerdictKind.Extra, $"past the expected size of {size} bytes (a tail appended?)");
        if (!block.ContainsAnyExcept((byte)0))
        {
            if (expected is not null)
                return expected.Contents.Contains(Content.Hole)
                    ? Verdict(index, BlockVerdictKind.Hole, "zeros (expected)")
                    : Verdict(index, BlockVerdictKind.Zeroed, $"zeros where {Expected(expected)} is expected");
            return check.AllowHoles
                ? Verdict(index, BlockVerdictKind.Hole, "zeros")
                : new BlockVerdict(index, BlockVerdictKind.Zeroed, "zeros among data blocks (--allow-holes lets them pass)", ZeroShape);
        }

        var sectors = new SectorRead[_sectors];
        for (var s = 0; s < _sectors; s++)
            sectors[s] = BlockCodec.DecodeSector(Sector(block, s));
        if (FirstOf(sectors, SectorKind.Foreign) is { } foreign)
            return Verdict(index, BlockVerdictKind.Foreign, $"sector {foreign}: bytes no Bridge writer produced (starting {Hex(Sector(block, foreign)[..8])}){More(sectors, SectorKind.Foreign)}");
        if (FirstOf(sectors, SectorKind.BadCrc) is { } bad)
        {
            var sector = Sector(block, bad);
            return new BlockVerdict(index, BlockVerdictKind.BadCrc,
                $"crc32c mismatch in sector {bad}: stored 0x{SectorHeader.StoredCrc(sector):x8} computed 0x{SectorHeader.ComputeCrc(sector):x8}{More(sectors, SectorKind.BadCrc)}",
                $"crc sector {bad}");
        }
        if (HeaderProblem(sectors, index, expected) is { } problem)
            return problem;

        var runs = ContentRuns(sectors, index, check.BlockSize);
        if (runs.Count > 1)
            return Mixed(index, runs, expected);
        var content = runs[0].Content;
        var header = sectors[0].Header;
        var holds = $"{content} {header.Writer.ToString().ToLowerInvariant()} {(header.Step == uint.MaxValue ? "setup" : $"step {header.Step}")}";
        if (expected is null || expected.Contents.Contains(content))
            return Verdict(index, BlockVerdictKind.Intact, holds);
        return NotExpected(index, content, expected);
    }

    /// <summary>Data the expectation does not allow: older than all it allows (a lost or stale write), or else a
    /// generation never written here.</summary>
    private static BlockVerdict NotExpected(long index, Content content, ExpectedRange expected)
    {
        var data = expected.Contents.Where(c => c.Kind == ContentKind.Data).ToList();
        if (data.Count == 0)
            return Verdict(index, BlockVerdictKind.Unexpected, $"generation {Gen(content)} where a hole is expected");
        return data.All(c => Order(content) < Order(c))
            ? Verdict(index, BlockVerdictKind.Stale, $"generation {Gen(content)} is older than the expected {Gens(data)}")
            : Verdict(index, BlockVerdictKind.Unexpected, $"generation {Gen(content)} was never written here: expected {Gens(data)}");
    }

    /// <summary>A block of several contents: torn, unless the expectation allows this mix. (A method of its own: the
    /// lambdas here would cost every block an allocation in the caller.)</summary>
    private static BlockVerdict Mixed(long index, List<(int First, int Last, Content Content)> runs, ExpectedRange? expected) =>
        expected is { Mix: true } && runs.All(r => expected.Contents.Contains(r.Content))
            ? Verdict(index, BlockVerdictKind.Intact, $"mixed {string.Join(", ", runs.Select(r => r.Content).Distinct())} (allowed)")
            : Verdict(index, BlockVerdictKind.Torn, "torn: " + string.Join(", ", runs.Select(r =>
                $"{(r.First == r.Last ? $"sector {r.First}" : $"sectors {r.First}-{r.Last}")} {(r.Content.Kind == ContentKind.Hole ? "zero" : $"gen {Gen(r.Content)}")}")));

    /// <summary>The header fields of valid sectors against this block: run, file, sectors per block, offset.</summary>
    /// <summary>How many blocks further on a sector at place <paramref name="s"/> of block <paramref name="index"/> says
    /// it was written, or null when its offset is not that place in any block.</summary>
    private static long? Moved(in SectorHeader header, int s, long index, int blockSize) =>
        BlockCodec.WrittenAt(header, s, blockSize) is { } at ? at - index : null;

    /// <summary>The header fields of valid sectors against this block: run, file, sectors per block, offset — which may
    /// name another block's place where the expectation has that data moved here (a collapse or insert).</summary>
    private BlockVerdict? HeaderProblem(SectorRead[] sectors, long index, ExpectedRange? expected)
    {
        for (var s = 0; s < sectors.Length; s++)
        {
            if (sectors[s].Kind != SectorKind.Valid)
                continue;
            var h = sectors[s].Header;
            var where = s == 0 ? "" : $"sector {s}: "; // a problem in sector 0 is the block's
            if (check.RunId is { } run && h.RunId != run)
                return Verdict(index, BlockVerdictKind.WrongRun, $"{where}run 0x{h.RunId:x16} is not this file's run 0x{run:x16}");
            if (h.FileId != check.FileId)
                return Verdict(index, BlockVerdictKind.WrongFile, $"{where}file {h.FileId} is not this file's {check.FileId} (a block of another file of the run)");
            if (h.SectorsPerBlock != _sectors)
                return Verdict(index, BlockVerdictKind.WrongGeometry, $"{where}bad header sectors per block, wanted {_sectors} got {h.SectorsPerBlock} (blocks of {h.SectorsPerBlock * BlockGeometry.SectorSize} bytes: --block-size?)");
            var wanted = index * check.BlockSize + (long)s * BlockGeometry.SectorSize;
            var moved = Moved(h, s, index, check.BlockSize);
            var movedHere = moved is { } m && m != 0 && m is >= int.MinValue and <= int.MaxValue &&
                expected is not null && expected.Contents.Contains(sectors[s].Content.MovedBy((int)m));
            if (h.Offset != (ulong)wanted && !movedHere)
            {
                var from = h.Offset / (ulong)check.BlockSize;
                return new BlockVerdict(index, BlockVerdictKind.Misplaced, $"{where}bad header offset, wanted {wanted} got {h.Offset} (block {from}'s data)",
                    $"misplaced by {(long)h.Offset - wanted}");
            }
        }
        return null;
    }

    /// <summary>Consecutive sectors of one content, each as it sits here (moved data with its distance: the headers
    /// passed <see cref="HeaderProblem"/>).</summary>
    private static List<(int First, int Last, Content Content)> ContentRuns(SectorRead[] sectors, long index, int blockSize)
    {
        var runs = new List<(int First, int Last, Content Content)>();
        for (var s = 0; s < sectors.Length; s++)
        {
            var c = sectors[s].Kind == SectorKind.Valid && Moved(sectors[s].Header, s, index, blockSize) is { } m and not 0
                ? sectors[s].Content.MovedBy((int)m)
                : sectors[s].Content;
            if (runs.Count > 0 && runs[^1].Content == c)
                runs[^1] = (runs[^1].First, s, c);
            else
                runs.Add((s, s, c));
        }
        return runs;
    }

    /// <summary>The block size the first valid header in <paramref name="data"/> gives.</summary>
    private static int? DeclaredBlockSize(ReadOnlySpan<byte> data)
    {
        for (var at = 0; at + BlockGeometry.SectorSize <= data.Length; at += BlockGeometry.SectorSize)
            if (BlockCodec.DecodeSector(data.Slice(at, BlockGeometry.SectorSize)) is { Kind: SectorKind.Valid } read)
                return read.Header.SectorsPerBlock * BlockGeometry.SectorSize;
        return null;
    }

    private static BlockVerdict Verdict(long index, BlockVerdictKind kind, string text) => new(index, kind, text, text);

    private static ReadOnlySpan<byte> Sector(ReadOnlySpan<byte> block, int s) => block.Slice(s * BlockGeometry.SectorSize, BlockGeometry.SectorSize);

    private static int? FirstOf(SectorRead[] sectors, SectorKind kind) => Array.FindIndex(sectors, s => s.Kind == kind) is var i and >= 0 ? i : null;

    private static string More(SectorRead[] sectors, SectorKind kind) =>
        sectors.Count(s => s.Kind == kind) is var n and > 1 ? $" and {n - 1} more sectors" : "";

    private static string Hex(ReadOnlySpan<byte> bytes) => string.Join(' ', bytes.ToArray().Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));

    private static string Gen(Content c) => (c.Iteration == 0 ? $"{c.Gen}" : $"{c.Gen}.{c.Iteration}") + (c.Moved == 0 ? "" : $"@{c.Moved:+0;-0}");

    private static string Gens(List<Content> data) => string.Join(" or ", data.Select(Gen));

    private static string Expected(ExpectedRange range) =>
        string.Join(" or ", range.Contents.Select(c => c.Kind == ContentKind.Hole ? "a hole" : $"generation {Gen(c)}"));

    private static ulong Order(Content c) => ((ulong)c.Gen << 32) | c.Iteration;
}
