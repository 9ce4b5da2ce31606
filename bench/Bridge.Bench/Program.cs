using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using Bridge.Core.Blocks;
using Bridge.Linux.Interop;
using static Tmds.Linux.LibC;

// bench uring-read FILE BLOCK_SIZE SECONDS  -> "bytes_per_second N"   (READ_FIXED into a registered buffer, QD 1)
// bench checker MEGABYTES                   -> "codec_bps N raw_crc_bps M memo_hit_bps H crc_method X"  (block decode vs a bare crc32c loop)
// bench vm-boot KERNEL-LINE REPEAT          -> "accelerator A bare_min S bare_mean S hello_min S hello_mean S"
// bench vm-stages TARGET SCENARIO-FILE REPEAT -> "STAGE SECONDS …": where a VM run's time goes (VmStages.cs), mean of REPEAT
// bench hello                               -> one line (what vm-boot runs inside the guest)
// bench versions KERNEL-LINE                -> the line's versions the archive offers, newest first, one per line
// bench vm-rdma KERNEL-LINE SIZE SECONDS    -> "perftest_gbps G bridge_gbps G"  (RDMA WRITE in a VM with rdma_rxe)
// bench rdma-write SIZE SECONDS             -> "bridge_gbps G"  (what vm-rdma runs inside the guest)
// bench explore-scenarios SEED COUNT DIR    -> DIR/NNNN.scn: the scenarios `pinbridge explore --target host --seed SEED` runs first
return args switch
{
    ["vm-boot", var line, var repeat] => await VmBoot.RunAsync(line, int.Parse(repeat, CultureInfo.InvariantCulture)),
    ["vm-stages", var target, var file, var repeat] => await VmStages.RunAsync(target, file, int.Parse(repeat, CultureInfo.InvariantCulture)),
    ["hello"] => VmBoot.Hello(),
    ["versions", var line] => await VmBoot.VersionsAsync(line),
    ["vm-rdma", var line, var size, var seconds] => await RdmaWrite.VmAsync(line, int.Parse(size, CultureInfo.InvariantCulture), int.Parse(seconds, CultureInfo.InvariantCulture)),
    ["rdma-write", var size, var seconds] => RdmaWrite.Guest(int.Parse(size, CultureInfo.InvariantCulture), int.Parse(seconds, CultureInfo.InvariantCulture)),
    ["uring-read", var file, var bs, var seconds] => UringRead(file, int.Parse(bs, CultureInfo.InvariantCulture), double.Parse(seconds, CultureInfo.InvariantCulture)),
    ["checker", var mb] => Checker(int.Parse(mb, CultureInfo.InvariantCulture)),
    ["explore-scenarios", var seed, var count, var dir] => ExploreScenarios(ulong.Parse(seed, CultureInfo.InvariantCulture), int.Parse(count, CultureInfo.InvariantCulture), dir),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Bridge.Bench uring-read FILE BLOCK_SIZE SECONDS | checker MEGABYTES | explore-scenarios SEED COUNT DIR | vm-boot KERNEL-LINE REPEAT | vm-stages TARGET SCENARIO-FILE REPEAT | hello | versions KERNEL-LINE | vm-rdma KERNEL-LINE SIZE SECONDS | rdma-write SIZE SECONDS");
    return 2;
}

// The scenarios exploration generates from SEED on this host (without the rows it cannot run: HostTarget's limits),
// one file each, for `pinbridge run` to run the same ones.
static int ExploreScenarios(ulong seed, int count, string dir)
{
    Directory.CreateDirectory(dir);
    var limits = Bridge.Linux.Execution.ScenarioRunner.Limits(canCutPower: false);
    foreach (var (scenario, i) in Bridge.Targets.Exploration.Explorer.Generate(seed, count, limits).Select((s, i) => (s, i)))
        File.WriteAllText(Path.Combine(dir, $"{i:D4}.scn"), Bridge.Core.Exploration.ScenarioForm.Of(scenario).Render());
    return 0;
}

// Sequential O_DIRECT reads of FILE through Bridge's io_uring shim into one registered buffer, as fio's
// --ioengine=io_uring --fixedbufs --iodepth=1 does.
static int UringRead(string path, int blockSize, double seconds)
{
    using var fd = FileDescriptor.OpenOrThrow(path, O_RDONLY | O_DIRECT);
    var size = fd.Size() / blockSize * blockSize;
    using var buffer = new AlignedBuffer(blockSize);
    var (ring, r) = UringRing.Create();
    using var _ = ring ?? throw new InvalidOperationException($"io_uring: {r.ErrnoName}");
    var (registration, reg) = UringRegistration.Register(ring, buffer.Address, blockSize);
    using var __ = registration ?? throw new InvalidOperationException($"register: {reg.ErrnoName}");
    long bytes = 0, offset = 0;
    var clock = Stopwatch.StartNew();
    while (clock.Elapsed.TotalSeconds < seconds)
    {
        var n = ring.ReadFixed(fd, buffer.Address, blockSize, offset).ThrowIfFailed("READ_FIXED");
        bytes += n.Value;
        offset = (offset + blockSize) % size;
    }
    Console.WriteLine($"bytes_per_second {bytes / clock.Elapsed.TotalSeconds:0}");
    return 0;
}

// What a check costs per byte: decoding stamped blocks (crc32c of every sector, header parse, uniformity), next to
// the bare hardware crc32c over the same bytes — the floor the codec cannot beat.
static int Checker(int megabytes)
{
    const int block = 4096;
    var image = new byte[megabytes << 20];
    for (var b = 0; b < image.Length / block; b++)
        BlockCodec.Stamp(image.AsSpan(b * block, block), new BlockStamp(1, 1, b, 1, 0, Writer.Cpu, 0));
    var codec = Measure(() =>
    {
        for (var b = 0; b < image.Length / block; b++)
            if (BlockCodec.Decode(image.AsSpan(b * block, block), b, 1, 1).State != ReadState.Uniform)
                throw new InvalidOperationException("bad block");
    }, image.Length);
    uint sink = 0;
    var raw = Measure(() =>
    {
        var crc = 0u;
        foreach (var w in MemoryMarshal.Cast<byte, ulong>(image))
            crc = BitOperations.Crc32C(crc, w);
        sink ^= crc;
    }, image.Length);
    // A check's repeat reads (the same bytes through another path, or unchanged since the last check) cost a compare.
    var memo = new DecodeMemo(image.Length / block, block, 1, 1);
    var hits = Measure(() =>
    {
        for (var b = 0; b < image.Length / block; b++)
            memo.Decode(image.AsSpan(b * block, block), b);
    }, image.Length);
    Console.WriteLine($"codec_bps {codec:0} raw_crc_bps {raw:0} memo_hit_bps {hits:0} crc_method {Crc32c.Method} sink {sink}");
    return 0;
}

static double Measure(Action work, long bytes)
{
    work(); // warm up: JIT, page faults
    var best = double.MaxValue;
    for (var i = 0; i < 5; i++)
    {
        var sw = Stopwatch.StartNew();
        work();
        best = Math.Min(best, sw.Elapsed.TotalSeconds);
    }
    return bytes / best;
}
