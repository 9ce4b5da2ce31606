using System.CommandLine;
using Bridge.Core.Blocks;
using Bridge.Core.Reports;
using Bridge.Core.Scenarios;
using Mono.Unix;

namespace Bridge.Cli.Commands;

/// <summary>
/// <c>pinbridge check FILE</c>: verify a file image's self-checking blocks (fio's verify_only) — a regular file or a
/// block device of any size, streamed through a bounded buffer. What should be there comes from <c>--expect</c>
/// when given, else from the image itself: its run and block size are what most valid headers say.
/// </summary>
public static class CheckCommand
{
    private const int ChunkBytes = 1 << 20;
    private const long MaxExpectationBytes = 16 << 20;

    private const string Help =
        "Verify every block of FILE (a file or a block device, streamed): the crc32c of every sector, every header " +
        "field (run, file, sectors per block, offset), torn blocks, a partial last block, zero blocks among data " +
        "blocks, and with --expect the size and each block's generation. Run id and block size default to what most " +
        "valid headers say. An all-zero file passes (a fresh sparse file, with a note); a zero block among data " +
        "blocks is a finding unless --allow-holes. Exit 0: every block as it should be; 1: bad blocks (each with its " +
        "reason, consecutive ones as a range); 2: usage errors.";

    public static Command Create()
    {
        var file = new Argument<string?>("file") { Description = "a file, image or block device written by Bridge", Arity = ArgumentArity.ZeroOrOne, CustomParser = r => PositionalWords.Take(r).FirstOrDefault() };
        var blockSize = new Option<string?>("--block-size") { Description = "block size in bytes (4096, 4K); default: what most headers say, else 4096" };
        var runId = new Option<string?>("--run-id") { Description = "the file's run id (hex); default: the one most valid headers name" };
        var expect = new Option<string?>("--expect")
        {
            Description = "what the file should hold: 'size=256K block=4K run=HEX file=1 gen=0:0-31 gen=2|3:32-63 mix=2|3:40-47 gen=hole:50' " +
                          "(gN or N, gN.I for a race iteration, hole) or FILE.json (schema: --expect-schema)",
        };
        var allowHoles = new Option<bool>("--allow-holes") { Description = "zero blocks among data blocks pass (a sparse file written in parts)" };
        var size = new Option<string?>("--size") { Description = "check at most this many bytes (needed for a device without an end, such as /dev/zero)" };
        var json = new Option<bool>("--json") { Description = "one JSON document instead of the text report" };
        var schema = new Option<bool>("--expect-schema") { Description = "print the JSON schema of an --expect file and exit" };
        var command = new Command("check", Help) { file, blockSize, runId, expect, allowHoles, size, json, schema };
        command.SetAction(parse =>
        {
            if (parse.GetValue(schema))
            {
                Console.Out.Write(ExpectationSchema());
                return 0;
            }
            var path = parse.GetValue(file) ?? throw new UsageException("check: expected FILE (or --expect-schema)");
            var expectation = Expectation(parse.GetValue(expect));
            var limit = parse.GetValue(size) is { } s ? Parse(() => ImageExpectation.ParseSize(s, "--size")) : (long?)null;
            var source = ImageSource.Open(path, limit);
            var givenBlock = parse.GetValue(blockSize) is { } b ? Parse(() => ImageExpectation.ParseBlockSize(b)) : (int?)null;
            var givenRun = parse.GetValue(runId) is { } r ? Parse(() => ImageExpectation.ParseRunId(r)) : (ulong?)null;
            if (givenBlock is { } gb && expectation?.BlockSize is { } eb && gb != eb)
                throw new UsageException($"--block-size {gb} contradicts the expectation's block={eb}");
            if (givenRun is { } gr && expectation?.RunId is { } er && gr != er)
                throw new UsageException($"--run-id {gr:x} contradicts the expectation's run={er:x}");

            var header = Header(path, source, givenBlock, givenRun, expectation, parse.GetValue(allowHoles));
            using var stdout = Console.OpenStandardOutput();
            using var text = new StreamWriter(stdout, bufferSize: 1 << 16) { AutoFlush = false };
            var report = parse.GetValue(json) ? CheckReport.Json(stdout) : CheckReport.Text(text);
            report.Begin(header);
            text.Flush();
            var check = new ImageCheck(header.RunId, header.FileId, header.BlockSize, expectation, header.AllowHoles);
            var verifier = new ImageVerifier(check, report.Range);
            source.Read(header.BlockSize, verifier.Block, verifier.Tail);
            var summary = verifier.Finish();
            report.End(summary);
            text.Flush();
            return summary.Passed ? 0 : 1;
        });
        return command;
    }

    /// <summary>Run, file id and block size: given, expected, or what most valid headers say (a survey pass).</summary>
    private static CheckHeader Header(string path, ImageSource source, int? givenBlock, ulong? givenRun, ImageExpectation? expect, bool allowHoles)
    {
        var block = givenBlock ?? expect?.BlockSize;
        var run = givenRun ?? expect?.RunId;
        ImageSurvey? survey = null;
        if (block is null || run is null || expect?.FileId is null)
        {
            survey = new ImageSurvey();
            source.Survey(survey.Add);
        }
        var majority = survey?.Identity;
        var blockFrom = givenBlock is not null ? "--block-size" : expect?.BlockSize is not null ? "expected" : survey?.BlockSize is not null ? "headers" : "default";
        var runFrom = givenRun is not null ? "--run-id" : expect?.RunId is not null ? "expected" : majority is not null ? "majority" : "none";
        return new CheckHeader(path, block ?? survey?.BlockSize ?? 4096, blockFrom, run ?? majority?.RunId, runFrom, majority?.Votes ?? 0,
            survey?.ValidSectors ?? 0, expect?.FileId ?? majority?.FileId ?? 1, expect, allowHoles);
    }

    private static ImageExpectation? Expectation(string? value)
    {
        if (value is null)
            return null;
        try
        {
            if (!File.Exists(value))
                return ImageExpectation.Parse(value);
            if (new FileInfo(value).Length > MaxExpectationBytes)
                throw new UsageException($"--expect {Printable.Text(value)}: larger than {MaxExpectationBytes >> 20} MiB; expected an expectation file");
            return ImageExpectation.FromJson(File.ReadAllText(value));
        }
        catch (ExpectationException e)
        {
            throw new UsageException($"--expect {Printable.Word(value)}: {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--expect {Printable.Text(value)}: cannot read it ({e.Message})");
        }
    }

    private static T Parse<T>(Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (ExpectationException e)
        {
            throw new UsageException(e.Message);
        }
    }

    private static string ExpectationSchema()
    {
        using var stream = typeof(ImageExpectation).Assembly.GetManifestResourceStream("Bridge.Core.Blocks.check-expectation.schema.json")!;
        return new StreamReader(stream).ReadToEnd();
    }

    /// <summary>The image as a stream of bytes that can be read twice (a survey, then the check), at most
    /// <c>limit</c> bytes each time. A character device or a FIFO may never end: it needs --size.</summary>
    private sealed class ImageSource(string path, long? limit)
    {
        public static ImageSource Open(string path, long? limit)
        {
            var info = new UnixFileInfo(path);
            if (!info.Exists)
                throw new UsageException($"{Printable.Text(path)}: no such file; expected a file written by Bridge");
            var type = info.FileType;
            if (type is FileTypes.Directory)
                throw new UsageException($"{Printable.Text(path)}: a directory; expected a file written by Bridge");
            if (type is not (FileTypes.RegularFile or FileTypes.BlockDevice) && limit is null)
                throw new UsageException($"{Printable.Text(path)}: a {type switch { FileTypes.CharacterDevice => "character device", FileTypes.Fifo => "FIFO", _ => type.ToString().ToLowerInvariant() }} may have no end; give --size BYTES to check that many");
            return new ImageSource(path, limit);
        }

        public void Survey(Action<ReadOnlySpan<byte>> add) => Chunks(ChunkBytes, (data, _) => add(data));

        public void Read(int blockSize, ReadOnlySpanAction block, ReadOnlySpanAction tail) =>
            Chunks(Math.Max(blockSize, ChunkBytes / blockSize * blockSize), (data, last) =>
            {
                var whole = data.Length / blockSize * blockSize;
                for (var at = 0; at < whole; at += blockSize)
                    block(data.Slice(at, blockSize));
                if (whole < data.Length)
                    tail(data[whole..]);
            });

        public delegate void ReadOnlySpanAction(ReadOnlySpan<byte> data);

        /// <summary>Full chunks until the end (or the limit); only the last may be short.</summary>
        private void Chunks(int size, Action<ReadOnlySpan<byte>, bool> onChunk)
        {
            var buffer = new byte[size];
            long total = 0;
            try
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
                while (true)
                {
                    var want = (int)Math.Min(size, (limit ?? long.MaxValue) - total);
                    var n = want == 0 ? 0 : stream.ReadAtLeast(buffer.AsSpan(0, want), want, throwOnEndOfStream: false);
                    total += n;
                    var last = n < size;
                    if (n > 0)
                        onChunk(buffer.AsSpan(0, n), last);
                    if (last)
                        return;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"{Printable.Text(path)}: reading failed at byte {total} ({e.Message})");
            }
        }
    }
}
