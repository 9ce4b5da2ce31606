using Bridge.Core.Blocks;
using Bridge.Core.Observations;
using Bridge.Core.Oracle;

namespace Bridge.Linux.Tests;

/// <summary>
/// The oracle on an image the kernel really returned: a run on ext4 is intact; then its observed disk image is
/// corrupted the way each fault class looks (old bytes, another block's bytes, a torn write, a flipped bit, zeros,
/// bytes no step wrote) and the oracle must name exactly that class and block.
/// </summary>
public class RealImageFaultTests
{
    private const string Text = """
        backing ext4
        file size=256K block=4K
        store gen=1
        fsync
        odirect-read gen=2 blocks=0-7
        fsync
        store gen=3 blocks=8-9
        check
        """;

    [Theory]
    [InlineData(VerdictClass.LostWrite, 3)]
    [InlineData(VerdictClass.Torn, 5)]
    [InlineData(VerdictClass.Misplaced, 20)]
    [InlineData(VerdictClass.Phantom, 30)]
    [InlineData(VerdictClass.Zeroed, 40)]
    [InlineData(VerdictClass.Intact, -1)]
    public void EachCorruptionOfARealImageIsNamedExactly(VerdictClass fault, int block)
    {
        var (scenario, observation, verdict) = KernelRun.Run(Text);
        Assert.True(verdict.Class == VerdictClass.Intact, KernelRun.Explain(scenario, observation, verdict));
        var check = observation.Checks.Single();
        var disk = check.Views.Single(v => v.File == "data" && v.Path == ReadPath.Disk);
        var image = Image(disk.Blocks, observation.RunId);

        // The image rebuilt from what was read decodes to exactly what was read: the payload is a pure function.
        Assert.Equal(disk.Blocks.Select(b => b.ToString()), Decode(image, observation.RunId).Select(b => b.ToString()));

        Corrupt(image, fault, block, observation.RunId);
        var corrupted = check with { Views = [.. check.Views.Select(v => v == disk ? v with { Blocks = Decode(image, observation.RunId) } : v)] };
        var judged = Oracle.Judge(scenario, observation with { Checks = [corrupted] });

        Assert.Equal(fault, judged.Class);
        if (fault != VerdictClass.Intact)
            Assert.Equal((block, ReadPath.Disk), (Assert.Single(judged.Findings).Block!.Value, judged.Findings[0].Path!.Value));
    }

    private static void Corrupt(byte[][] image, VerdictClass fault, int block, ulong run)
    {
        switch (fault)
        {
            case VerdictClass.LostWrite: // the O_DIRECT read's generation never reached the disk: gen 1 is still there
                BlockCodec.Stamp(image[block], new BlockStamp(run, 1, block, 1, 0, Writer.Cpu, 0));
                break;
            case VerdictClass.Torn: // the second half of the block is from before the write
                var old = new byte[4096];
                BlockCodec.Stamp(old, new BlockStamp(run, 1, block, 1, 0, Writer.Cpu, 0));
                old.AsSpan(2048).CopyTo(image[block].AsSpan(2048));
                break;
            case VerdictClass.Misplaced:
                image[block + 1].CopyTo(image[block], 0);
                break;
            case VerdictClass.Phantom: // a generation no completed step wrote
                BlockCodec.Stamp(image[block], new BlockStamp(run, 1, block, 7, 0, Writer.Rdma, 4));
                break;
            case VerdictClass.Zeroed:
                Array.Clear(image[block]);
                break;
        }
    }

    private static byte[][] Image(IReadOnlyList<BlockRead> reads, ulong run) => reads.Select(r =>
    {
        var bytes = new byte[4096];
        if (r.Content.Kind == ContentKind.Data)
            BlockCodec.Stamp(bytes, new BlockStamp(run, 1, r.Block, r.Content.Gen, r.Content.Iteration, r.Writer, r.Step));
        return bytes;
    }).ToArray();

    private static List<BlockRead> Decode(byte[][] image, ulong run) =>
        image.Select((bytes, b) => BlockCodec.Decode(bytes, b, run, 1)).ToList();
}
