using System.Diagnostics;
using Bridge.Linux.Interop;
using Bridge.Targets.Vm;
using Bridge.Targets.Vm.Kernels;

/// <summary>
/// bench vm-rdma LINE SIZE SECONDS: boots the kernel line with rdma_rxe, sets up soft-RoCE, and measures RDMA WRITE
/// throughput through Bridge's path (native/verbs.c, one work request in flight, as the harness issues them) next
/// to perftest's ib_write_bw over the same device in the same guest. bench rdma-write is the guest side.
/// </summary>
internal static class RdmaWrite
{
    public static async Task<int> VmAsync(string line, int size, int seconds)
    {
        var self = typeof(RdmaWrite).Assembly.Location;
        var bridge = Path.Combine(Path.GetDirectoryName(self)!, "..", "..", "Bridge.Cli", Path.GetFileName(Path.GetDirectoryName(self)!), "pinbridge.dll");
        var script = $$"""
            set -e
            dotnet {{Path.GetFullPath(bridge)}} rxe up >/dev/null
            timeout 120 ib_write_bw -d rxe-bridge -x 1 -s {{size}} -D {{seconds}} -F --report_gbits >/tmp/server.txt 2>&1 &
            sleep 3
            timeout 120 ib_write_bw -d rxe-bridge -x 1 -s {{size}} -D {{seconds}} -F --report_gbits 10.77.0.1 >/tmp/client.txt 2>&1 || { cat /tmp/client.txt /tmp/server.txt; exit 1; }
            wait
            awk '$1 == "{{size}}" { print "perftest_gbps", $4 }' /tmp/client.txt
            dotnet {{self}} rdma-write {{size}} {{seconds}}
            """;
        var output = new List<string>();
        var result = await new VmRunner().RunAsync(new VmSpec
        {
            Kernel = KernelSource.Line(line),
            Command = ["/bin/sh", "-c", script],
            ModuleGroups = ["rdma"],
            WorkingDirectory = "/tmp",
            RunTimeout = TimeSpan.FromMinutes(6),
        }, l => { output.Add(l.Text); return Task.CompletedTask; }, CancellationToken.None);
        if (result is not { Outcome: VmOutcome.Exited, ExitCode: 0 })
        {
            Console.Error.WriteLine($"{line}: {result.Outcome} {result.ExitCode}: {result.Message}\n{string.Join('\n', output.Concat(result.ConsoleTail))}");
            return 1;
        }
        Console.WriteLine(string.Join(' ', output.Where(l => l.StartsWith("perftest_gbps", StringComparison.Ordinal) || l.StartsWith("bridge_gbps", StringComparison.Ordinal))));
        return 0;
    }

    /// <summary>Guest side: RDMA WRITEs of SIZE bytes from the device's bounce buffer into a registered anonymous
    /// region, one at a time, for SECONDS.</summary>
    public static int Guest(int size, int seconds)
    {
        var (device, r) = RdmaDevice.Open(size);
        using var _ = device ?? throw new InvalidOperationException($"no RDMA device: {r.ErrnoName}");
        using var target = new AlignedBuffer(size);
        var (region, reg) = RdmaMemoryRegion.Register(device, target.Address, size, 1 | 2 | 4);
        using var __ = region ?? throw new InvalidOperationException($"ibv_reg_mr: {reg.ErrnoName}");
        long bytes = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            device.Write(0, region, target.Address, size, out var wcStatus).ThrowIfFailed("RDMA WRITE");
            bytes += size;
        }
        Console.WriteLine(FormattableString.Invariant($"bridge_gbps {bytes * 8 / clock.Elapsed.TotalSeconds / 1e9:0.0000}"));
        return 0;
    }
}
