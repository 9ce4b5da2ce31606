using System.CommandLine;
using System.Globalization;
using Bridge.Core.Blocks;

namespace Bridge.Cli.Commands;

/// <summary><c>bridge check FILE</c>: verify a file image's self-checking blocks (fio's verify_only).</summary>
public static class CheckCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "a file or image written by Bridge" };
        var blockSize = new Option<int>("--block-size") { Description = "block size in bytes (default 4096)", DefaultValueFactory = _ => 4096 };
        var runId = new Option<string?>("--run-id") { Description = "expected run id (hex); default: the first valid header's" };
        var command = new Command("check", "Verify every block of FILE: crc32c of every sector, its placement, its generation. Exit 0: every block intact or zero; 1: bad blocks; 2: usage errors.")
        {
            file, blockSize, runId,
        };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(file)!;
            var size = parse.GetValue(blockSize);
            if (size < BlockGeometry.SectorSize || size % BlockGeometry.SectorSize != 0)
                throw new UsageException($"--block-size {size}: expected a positive multiple of {BlockGeometry.SectorSize}");
            if (!File.Exists(path))
                throw new UsageException($"{path}: no such file; expected a file written by Bridge");
            var image = File.ReadAllBytes(path);
            var id = parse.GetValue(runId) is { } hex
                ? ulong.TryParse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var v) ? v : throw new UsageException($"--run-id {hex}: expected hex digits")
                : ImageVerifier.DetectRunId(image);
            if (id is null)
            {
                Console.WriteLine($"{path}: no Bridge header in {image.Length} bytes");
                return 1;
            }
            var reads = ImageVerifier.Verify(image, size, id.Value);
            Console.WriteLine($"{path}: {reads.Count} blocks of {size} bytes, run {id:x16}");
            Console.Write(ImageVerifier.Summarize(reads));
            var bad = reads.Count(ImageVerifier.IsBad);
            Console.WriteLine(bad == 0 ? "all blocks intact" : $"{bad} bad blocks");
            return bad == 0 ? 0 : 1;
        });
        return command;
    }
}
