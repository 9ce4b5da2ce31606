using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Bridge.Core.Scenarios;
using Bridge.Linux.Backings;
using Bridge.Targets.Vm.Kernels;

namespace Bridge.Targets.Vm;

/// <summary>A scratch filesystem for <c>pinbridge exec --disk FS=SIZE[:MOUNTPOINT]</c>: a backing row with a mkfs, on
/// a virtio disk of that size made for the run, mounted in the guest at the mount point (default /tmp/FS).</summary>
public sealed record ExecDisk(BackingProvider Filesystem, long Bytes, string MountPoint);

/// <summary>
/// <c>pinbridge exec</c>: any command of the host, run inside a booted kernel through the same 9p root and boot image the
/// agent uses (<see cref="VmRunner"/>). A short shell prologue in the guest makes and mounts the scratch filesystems
/// (each backing row's mkfs, from the host's root) and brings soft-RoCE up (<c>rxe0</c> on <c>dummy0</c>: the
/// names rdma-core's and perftest's examples use), then execs the command with its arguments untouched. The
/// command's stdout and stderr come back line by line as it writes them, and its exit status is the run's.
/// </summary>
public static partial class VmExec
{
    public const string RxeDevice = "rxe0";
    public const string RxeNetdev = "dummy0";
    private const string RxeAddress = "10.77.0.1/24";

    /// <summary>Exit status of the prologue when a scratch filesystem or soft-RoCE could not be set up; the
    /// prologue says which on stderr.</summary>
    public const int SetupFailedExitCode = 125;

    /// <summary>Soft-RoCE in a fresh guest, one command per step (as <c>Bridge.Linux.Rdma.SoftRoce.Up</c> on a host,
    /// with the conventional names), each skipped when what it makes exists (loading <c>dummy</c> makes dummy0):
    /// lo up for perftest's TCP handshake, a dummy netdev with an address, rxe on it.</summary>
    public static readonly IReadOnlyList<(string? Unless, string[] Command)> RxeSteps =
    [
        (null, ["ip", "link", "set", "lo", "up"]),
        ($"/sys/class/net/{RxeNetdev}", ["ip", "link", "add", RxeNetdev, "type", "dummy"]),
        (null, ["ip", "addr", "add", RxeAddress, "dev", RxeNetdev]),
        (null, ["ip", "link", "set", RxeNetdev, "up"]),
        ($"/sys/class/infiniband/{RxeDevice}", ["rdma", "link", "add", RxeDevice, "type", "rxe", "netdev", RxeNetdev]),
    ];

    /// <summary>Filesystems <c>--disk</c> can make: the backing rows with a mkfs.</summary>
    public static IEnumerable<BackingProvider> Filesystems => BackingProviders.All.Where(p => p.Mkfs is not null);

    /// <summary>Parses <c>FS=SIZE[:MOUNTPOINT]</c> (SIZE with K, M, G; at least 1M); the n-th disk of the same
    /// filesystem without a mount point goes to /tmp/FS-n.</summary>
    /// <exception cref="VmSetupException">Not that form; the message says what was expected.</exception>
    public static ExecDisk ParseDisk(string text, IReadOnlyList<ExecDisk> before)
    {
        var expected = $"expected --disk FS=SIZE[:MOUNTPOINT] with FS one of {string.Join(", ", Filesystems.Select(f => f.Backing.Name))}, e.g. --disk ext4=1G or --disk xfs=512M:/mnt/xfs";
        var match = DiskSpec().Match(text);
        if (!match.Success)
            throw new VmSetupException($"--disk '{text}': {expected}");
        var provider = Filesystems.FirstOrDefault(f => f.Backing.Name == match.Groups["fs"].Value)
            ?? throw new VmSetupException($"--disk '{text}': unknown filesystem '{match.Groups["fs"].Value}'; {expected}");
        long bytes;
        try
        {
            bytes = CacheBudget.ParseLimit(match.Groups["size"].Value);
        }
        catch (VmSetupException)
        {
            throw new VmSetupException($"--disk '{text}': '{match.Groups["size"].Value}' is not a size; {expected}");
        }
        if (bytes < 1 << 20 || bytes % 512 != 0)
            throw new VmSetupException($"--disk '{text}': a disk is a multiple of 512 bytes and at least 1M; {expected}");
        var mountPoint = match.Groups["mount"].Success ? match.Groups["mount"].Value : null;
        if (mountPoint is null)
        {
            var same = before.Count(d => d.Filesystem == provider);
            mountPoint = same == 0 ? $"/tmp/{provider.Backing.Name}" : $"/tmp/{provider.Backing.Name}-{same + 1}";
        }
        if (!mountPoint.StartsWith('/') || mountPoint.Contains('\0'))
            throw new VmSetupException($"--disk '{text}': mount point '{mountPoint}' is not an absolute path; {expected}");
        if (before.Any(d => d.MountPoint == mountPoint))
            throw new VmSetupException($"--disk '{text}': mount point {mountPoint} is already another disk's; {expected}");
        return new ExecDisk(provider, bytes, mountPoint);
    }

    /// <summary>The VM run of <paramref name="command"/>: the prologue, the module groups the disks and rxe need,
    /// one scratch disk per <paramref name="disks"/> entry.</summary>
    public static VmSpec Spec(KernelSource kernel, IReadOnlyList<string> command, IReadOnlyList<ExecDisk> disks, bool rxe,
        string workingDirectory, Stream? standardInput, TimeSpan timeout)
    {
        if (command.Count == 0)
            throw new VmSetupException("no command to run (expected pinbridge exec --target vm:LINE [options] -- CMD [ARGS…])");
        var groups = disks.Select(d => d.Filesystem.Backing.VmModuleGroup)
            .Concat(rxe ? [PinPathTable.RdmaMr.VmModuleGroup] : [])
            .OfType<string>().Distinct().ToList();
        return new VmSpec
        {
            Kernel = kernel,
            Command = ["/bin/sh", "-c", Prologue(disks, rxe), "bridge-exec", .. command],
            StandardInput = standardInput,
            WorkingDirectory = workingDirectory,
            ModuleGroups = groups,
            ScratchDisks = disks.Count,
            ScratchDiskSizes = [.. disks.Select(d => d.Bytes)],
            RunTimeout = timeout,
        };
    }

    /// <summary>The guest-side shell that sets up what was asked and then execs <c>"$@"</c>.</summary>
    public static string Prologue(IReadOnlyList<ExecDisk> disks, bool rxe)
    {
        var script = new StringBuilder();
        script.Append("fail() { echo \"pinbridge exec: $*\" >&2; exit ").Append(SetupFailedExitCode).Append("; }\n");
        for (var i = 0; i < disks.Count; i++)
        {
            var disk = disks[i];
            var mkfs = disk.Filesystem.Mkfs!;
            var device = $"$(echo $BRIDGE_DISKS | cut -d' ' -f{(i + 1).ToString(CultureInfo.InvariantCulture)})";
            var mount = RunScript.Quote(disk.MountPoint);
            script.Append("d=").Append(device).Append('\n')
                .Append(string.Join(' ', mkfs.Args.Prepend(mkfs.Tool).Select(RunScript.Quote))).Append(" \"$d\" >/dev/null || fail ")
                .Append(RunScript.Quote($"{mkfs.Tool} on the scratch disk for {disk.MountPoint} failed")).Append('\n')
                .Append("mkdir -p ").Append(mount).Append(" 2>/dev/null; mount -t ").Append(disk.Filesystem.Backing.FsType).Append(" \"$d\" ").Append(mount)
                .Append(" || fail ").Append(RunScript.Quote($"cannot mount {disk.Filesystem.Backing.FsType} on {disk.MountPoint} (an existing directory, or one under /tmp, /run or /dev/shm)")).Append('\n');
        }
        if (rxe)
            foreach (var (unless, step) in RxeSteps)
                script.Append(unless is null ? "" : $"[ -e {RunScript.Quote(unless)} ] || ")
                    .Append(string.Join(' ', step.Select(RunScript.Quote))).Append(" || fail ")
                    .Append(RunScript.Quote($"soft-RoCE: '{string.Join(' ', step)}' failed (is rdma_rxe in this kernel?)")).Append('\n');
        script.Append("exec \"$@\"\n");
        return script.ToString();
    }

    [GeneratedRegex("^(?<fs>[a-z0-9]+)=(?<size>[0-9]+[KkMmGgTt]?)(:(?<mount>.+))?$")]
    private static partial Regex DiskSpec();
}
