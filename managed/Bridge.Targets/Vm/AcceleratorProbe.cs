using System.Security.Cryptography;
using Bridge.Linux.Host;

using Bridge.Targets.Vm.Kernels;

namespace Bridge.Targets.Vm;

/// <summary>
/// Decides KVM or TCG for <see cref="Accelerator.Auto"/>. An openable /dev/kvm is not enough: on some hosts
/// (nested virtualisation without the CPU features a stock kernel uses) KVM stops the guest in its first
/// instructions or qemu aborts setting up the vCPU. So the probe boots the kernel under KVM and runs
/// <c>true</c>; only a clean exit means KVM. The answer holds for one host boot and one kernel image (by content), and is kept
/// in memory and in CACHE/accelerator/ (named after /proc/sys/kernel/random/boot_id) so it is paid once.
/// </summary>
internal sealed class AcceleratorProbe(string cacheDirectory)
{
    private const string KvmDevice = "/dev/kvm";
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(30);
    private readonly Dictionary<string, Accelerator> _known = [];
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<Accelerator> ChooseAsync(KernelImage kernel, Func<VmSpec, Task<VmResult>> boot, VmSpec spec, CancellationToken ct)
    {
        if (spec.Accelerator != Accelerator.Auto)
            return spec.Accelerator;
        if (!KvmDeviceOpens())
            return Accelerator.Tcg;
        var key = Key(kernel);
        await _gate.WaitAsync(ct);
        try
        {
            if (_known.TryGetValue(key, out var known))
                return known;
            var file = Path.Combine(cacheDirectory, "accelerator", key);
            if (File.Exists(file) && Enum.TryParse<Accelerator>(File.ReadAllText(file).Trim(), out var stored))
                return _known[key] = stored;
            var trial = await boot(spec with
            {
                Command = ["true"],
                StandardInput = null,
                Environment = new Dictionary<string, string>(),
                WorkingDirectory = "/",
                ScratchDisks = 0,
                ScratchDiskSizes = [],
                BootTimeout = ProbeTimeout,
                RunTimeout = ProbeTimeout,
                Accelerator = Accelerator.Kvm,
            });
            var chosen = trial is { Outcome: VmOutcome.Exited, ExitCode: 0 } ? Accelerator.Kvm : Accelerator.Tcg;
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            await File.WriteAllTextAsync(file, chosen + "\n", ct);
            return _known[key] = chosen;
        }
        finally
        {
            _gate.Release();
        }
    }

    private static bool KvmDeviceOpens()
    {
        try
        {
            using var device = new FileStream(KvmDevice, FileMode.Open, FileAccess.ReadWrite);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Host boot and kernel content: a copy of the same image at another path needs no second probe.</summary>
    private static string Key(KernelImage kernel)
    {
        using var image = File.OpenRead(kernel.BzImage);
        return $"{HostProcesses.BootId}-{Convert.ToHexStringLower(SHA256.HashData(image))[..16]}";
    }
}
