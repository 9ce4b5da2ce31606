using System.Text;
using Bridge.Core.Blocks;
using Bridge.Core.Scenarios;
using Bridge.Linux.Backings;
using Bridge.Linux.Execution;
using Bridge.Linux.Interop;
using static Tmds.Linux.LibC;

namespace Bridge.Linux.Tests;

/// <summary>
/// Reads the kernel cuts short, on a real device that fails reads in a range: a btrfs file whose data blocks are
/// overwritten behind the filesystem's back (in the loop device's image), so that their checksums no longer match
/// and btrfs refuses to return them. Every read path must record each of those blocks as its own I/O error and
/// judge the others normally: a buffered read stops at the first bad page and returns what came before, which must
/// not turn the rest of the chunk into "end of file"; a load through the mapping would raise SIGBUS.
/// </summary>
public class ReadFailureTests
{
    private const int Blocks = 64;
    private static readonly BlockGeometry Geometry = new(4096, Blocks * 4096L);
    private static readonly int[] Corrupted = [20, 21, 22, 23, 40];

    /// <summary>What btrfs answers a read whose data fails its checksum (EIO; EUCLEAN on some paths of some kernels).</summary>
    private static readonly string[] ChecksumErrors = ["EIO", "EUCLEAN"];

    [Fact]
    public void EveryReadPathRecordsEachFailingBlockAndJudgesTheRestNormally()
    {
        Assert.SkipUnless(SystemInfo.IsRoot, "loop-mounting btrfs and dropping its caches need root");
        using var scratch = new ScratchSpace();
        var scenario = ScenarioFile.Parse($"backing btrfs\nfile size={Geometry.FileSize / 1024}K block=4K\ncheck\n", "csum.scn")[0];
        using var backing = BackingProviders.For(BackingTable.Btrfs).Create(scratch, scenario);
        var runId = (ulong)Random.Shared.NextInt64();
        using var buffer = new AlignedBuffer(Geometry.FileSize);
        for (var b = 0; b < Blocks; b++)
            BlockCodec.Stamp(buffer.Span(Geometry.OffsetOf(b), Geometry.BlockSize), new BlockStamp(runId, 1, b, 1, 0, Writer.Cpu, 0));
        var data = backing.Data!;
        KernelCalls.Complete(data.PWrite(buffer.Address, Geometry.FileSize, 0), Geometry.FileSize).ThrowIfFailed("write the file");
        data.Fsync().ThrowIfFailed("fsync");

        CorruptBehindTheFilesystem(ImageOf(scratch), buffer, Corrupted);
        DropCaches();

        using var direct = FileDescriptor.OpenOrThrow(backing.ReopenPath!, O_RDONLY | O_DIRECT);
        // A check's chunk buffer, but of 16 blocks: several chunks, and the failing blocks land inside them.
        using var chunk = new AlignedBuffer(16L * Geometry.BlockSize);
        using var log = new KernelLog();
        var views = new Dictionary<string, IReadOnlyList<BlockRead>>
        {
            ["buffered"] = FileViewReader.ReadFile(data, Geometry, Memo(runId), chunk, TestContext.Current.CancellationToken),
            ["disk"] = FileViewReader.ReadFile(direct, Geometry, Memo(runId), chunk, TestContext.Current.CancellationToken),
        };
        DropCaches();
        var (mapping, m) = MappedRegion.Map(Geometry.FileSize, PROT_READ, MAP_SHARED, data.Fd);
        using (mapping ?? throw new SysException("mmap", m.Errno))
            views["mapping"] = FileViewReader.ReadMapping(mapping, Geometry, Blocks, Memo(runId), TestContext.Current.CancellationToken);
        var kernelSaid = log.Drain();

        foreach (var (path, blocks) in views)
        {
            Assert.Equal(Blocks, blocks.Count);
            for (var b = 0; b < Blocks; b++)
            {
                var read = blocks[b];
                if (Corrupted.Contains(b))
                {
                    Assert.True(read.State == ReadState.IoError, $"{path} block {b}: {read} (expected an I/O error)");
                    Assert.Contains(read.Error, path == "mapping" ? [FileViewReader.MappingFault] : ChecksumErrors);
                }
                else
                {
                    Assert.True(read.State == ReadState.Uniform && read.Content == Content.Data(1, 0), $"{path} block {b}: {read} (expected g1)");
                }
            }
        }
        // The kernel said why, in words a developer searches for (unless rate limits dropped every line).
        Assert.True(kernelSaid.Any(l => l.Contains("csum failed", StringComparison.Ordinal)) || Core.Oracle.KernelLogRules.SuppressedNote(kernelSaid) is not null,
            string.Join("\n", kernelSaid));
    }

    private static DecodeMemo Memo(ulong runId) => new(Blocks, Geometry.BlockSize, runId, 1);

    /// <summary>The image file behind the loop device the scratch btrfs is mounted from.</summary>
    private static string ImageOf(ScratchSpace scratch)
    {
        var device = Assert.Single(LoopDevice.BackedBy(scratch.Root), d => File.ReadAllText($"/sys/block/{Path.GetFileName(d)}/loop/backing_file").Trim().EndsWith(".img", StringComparison.Ordinal));
        return File.ReadAllText($"/sys/block/{Path.GetFileName(device)}/loop/backing_file").Trim();
    }

    /// <summary>Finds each block's bytes in the image (its stamp makes them unique) and overwrites them with other
    /// bytes of the same length: the filesystem's checksum of that block no longer matches.</summary>
    private static void CorruptBehindTheFilesystem(string image, AlignedBuffer written, int[] blocks)
    {
        using var file = new FileStream(image, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, 1 << 20);
        var chunk = new byte[8 << 20];
        var found = new Dictionary<int, long>();
        var overlap = Geometry.BlockSize;
        for (long at = 0; at < file.Length && found.Count < blocks.Length; at += chunk.Length - overlap)
        {
            file.Position = at;
            var n = file.ReadAtLeast(chunk, chunk.Length, throwOnEndOfStream: false);
            foreach (var b in blocks.Where(b => !found.ContainsKey(b)))
            {
                var i = chunk.AsSpan(0, n).IndexOf(written.Span(Geometry.OffsetOf(b), Geometry.BlockSize));
                if (i >= 0)
                    found[b] = at + i;
            }
            if (n < chunk.Length)
                break;
        }
        Assert.True(found.Count == blocks.Length, $"found blocks {string.Join(",", found.Keys)} of {string.Join(",", blocks)} in {image}");
        foreach (var (b, offset) in found)
        {
            file.Position = offset;
            file.Write(Encoding.ASCII.GetBytes(new string('X', Geometry.BlockSize)));
        }
        file.Flush(flushToDisk: true);
    }

    private static void DropCaches() => File.WriteAllText("/proc/sys/vm/drop_caches", "3\n");
}
