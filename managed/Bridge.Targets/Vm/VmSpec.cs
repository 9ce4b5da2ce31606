using Bridge.Targets.Vm.Kernels;

namespace Bridge.Targets.Vm;

/// <summary>How qemu executes the guest. <see cref="Auto"/> uses KVM when /dev/kvm runs a guest of this kernel
/// (probed once per host boot and kernel, see <see cref="AcceleratorProbe"/>), else TCG.</summary>
public enum Accelerator
{
    Auto,
    Kvm,
    Tcg,
}

/// <summary>One command to run in a freshly booted kernel.</summary>
public sealed record VmSpec
{
    /// <summary>The kernel: <c>KernelSource.Line("debian-6.12")</c> or <c>KernelSource.Image(bzImage, modulesDir)</c>.</summary>
    public required KernelSource Kernel { get; init; }

    /// <summary>argv of the command, run in the host's root (read-only over 9p, tmpfs on /tmp and /run).</summary>
    public required IReadOnlyList<string> Command { get; init; }

    /// <summary>The command's environment, on top of PATH, HOME=/root and LANG=C.UTF-8. BRIDGE_DISKS is added
    /// by the guest: the scratch disks' device names, space-separated (/dev/vda …).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>The command's standard input, e.g. an agent request or the user's redirected stdin; empty input when
    /// null. Streamed to the guest through a virtio-serial port as the command reads it, and read once: a spec with
    /// a stream runs once.</summary>
    public Stream? StandardInput { get; init; }

    /// <summary>Absolute path in the host root where the command starts.</summary>
    public string WorkingDirectory { get; init; } = "/";

    /// <summary>A host directory the guest may write (the host root is read-only): exported over 9p and mounted over
    /// the same path, so the command sees it at <see cref="GuestPaths.Of"/> of it. Absolute and existing.</summary>
    public string? SharedDirectory { get; init; }

    /// <summary>Module groups from the recipe beyond those always loaded, e.g. "filesystems", "rdma".</summary>
    public IReadOnlyList<string> ModuleGroups { get; init; } = [];

    /// <summary>More top-level modules by name (dependencies are added from modules.dep).</summary>
    public IReadOnlyList<string> ExtraModules { get; init; } = [];

    /// <summary>Raw scratch disks created empty for this run and removed after it.</summary>
    public int ScratchDisks { get; init; }

    /// <summary>Scratch disk images the caller made and keeps, used instead of new ones (as many as
    /// <see cref="ScratchDisks"/>): a run that cuts the power boots again on the disks it cut. Never deleted here.</summary>
    public IReadOnlyList<string> DiskImages { get; init; } = [];

    /// <summary>The disks honour the guest's flushes (qemu <c>cache=writeback</c>: a flush is an fdatasync of the
    /// image) instead of dropping them (<c>cache=unsafe</c>): what a run that cuts the power needs, so that what the
    /// guest flushed is on the host's media as the guest believes (docs/ARCHITECTURE.md §12).</summary>
    public bool HonourFlushes { get; init; }

    public long ScratchDiskBytes { get; init; } = 1L << 30;

    /// <summary>Each scratch disk's own size, when they differ (as many as <see cref="ScratchDisks"/>); empty: every
    /// disk is <see cref="ScratchDiskBytes"/>.</summary>
    public IReadOnlyList<long> ScratchDiskSizes { get; init; } = [];

    public int MemoryMiB { get; init; } = 2048;

    public int Cpus { get; init; } = 2;

    /// <summary>From qemu's start until the guest's init reports ready; beyond it the run is a boot failure.</summary>
    public TimeSpan BootTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>From ready until the command's exit status is back; beyond it the run is a timeout.</summary>
    public TimeSpan RunTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>When set, the longest the command may go without writing a line (stdout or stderr) before the run
    /// is a timeout: a per-step limit for commands that report each step as it finishes, like the agent.</summary>
    public TimeSpan? SilenceTimeout { get; init; }

    /// <summary>Kernel command-line words appended to the recipe's (e.g. "oops=panic").</summary>
    public IReadOnlyList<string> KernelArguments { get; init; } = [];

    public Accelerator Accelerator { get; init; } = Accelerator.Auto;
}
