using System.Collections.Concurrent;
using Bridge.Linux.Host;
using Bridge.Targets.Vm.Kernels;

namespace Bridge.Targets.Vm;

/// <summary>
/// Runs one command inside a freshly booted Linux kernel under qemu and brings its output back.
/// <code>
///   var runner = new VmRunner();                       // cache: $BRIDGE_CACHE or ~/.cache/bridge
///   var spec = new VmSpec
///   {
///       Kernel = KernelSource.Line("debian-6.12"),     // or KernelSource.Image("bzImage", "…/lib/modules/REL")
///       Command = ["dotnet", "pinbridge.dll", "agent"],   // runs in the host's root, shared read-only over 9p
///       WorkingDirectory = "/work", ScratchDisks = 2,  // BRIDGE_DISKS="/dev/vda /dev/vdb" in the guest
///       StandardInput = requestStream,                 // streamed through the bridge.in port
///       ModuleGroups = ["filesystems"],                // recipe groups beyond 9p + virtio-serial
///       SilenceTimeout = TimeSpan.FromMinutes(2),      // per-step hang limit; also BootTimeout, RunTimeout
///   };
///   VmResult result = await runner.RunAsync(spec, line => { … ; return Task.CompletedTask; }, ct);
///   // result.Outcome: Exited (ExitCode) | Panic | Timeout | BootFailure | Lost; Message; ConsoleTail; GuestRelease
/// </code>
/// Lines of the command's stdout and stderr reach the callback live, in order per stream, over virtio-serial (not
/// the console), so output written before a panic is not lost. The callback runs on one task at a time; a callback
/// that throws stops the VM and the exception leaves <see cref="RunAsync"/>. Bad input and broken host tools throw
/// <see cref="VmSetupException"/>; everything the guest does is a <see cref="VmResult"/>. qemu never outlives the
/// call (nor this process), and the run's scratch disks are deleted before it returns.
/// Setup is cached: the kernel package (<see cref="KernelCache"/>), the base initramfs per kernel and module set
/// (<see cref="InitramfsBuilder"/>), and whether KVM runs this kernel (<see cref="AcceleratorProbe"/>).
/// </summary>
public sealed class VmRunner
{
    private readonly ConcurrentDictionary<string, Lazy<ModuleIndex>> _indexes = new();
    private readonly AcceleratorProbe _probe;
    private readonly string _busybox;

    /// <param name="cache">Where kernels and boot images are kept; <see cref="KernelCache.DefaultDirectory"/> if null.</param>
    /// <param name="busybox">A statically linked busybox for the initramfs.</param>
    public VmRunner(KernelCache? cache = null, string busybox = InitramfsBuilder.DefaultBusybox)
    {
        Cache = cache ?? new KernelCache();
        _probe = new AcceleratorProbe(Cache.Directory);
        _busybox = busybox;
    }

    public KernelCache Cache { get; }

    public async Task<VmResult> RunAsync(VmSpec spec, Func<GuestLine, Task>? onLine, CancellationToken ct)
    {
        var prepared = await PrepareAsync(spec, ct);
        var accelerator = await _probe.ChooseAsync(prepared.Kernel, trial => BootAsync(prepared, trial, Accelerator.Kvm, null, ct), spec, ct);
        var inputStart = spec.StandardInput is { CanSeek: true } input ? input.Position : (long?)null;
        var result = await BootAsync(prepared, spec, accelerator, onLine, ct);
        if (result is { Outcome: VmOutcome.BootFailure } && result.Message.StartsWith(VmSession.PanicBeforeInit, StringComparison.Ordinal)
            && !ct.IsCancellationRequested && (spec.StandardInput is null || inputStart is not null))
        {
            // Nothing of the command ran. Debian 6.12 panics now and then this early under TCG ("Fatal exception in
            // interrupt" about 2-3 s in: three times in a week of CI and kernel-line runs here, while 50 boots in a
            // row did not): boot once more, and say so. A kernel that panics every time still fails, with the second
            // boot's panic.
            await Console.Error.WriteLineAsync($"pinbridge: {prepared.Kernel.Name}: {result.Message.Split(" | ")[0]}; booting it once more");
            spec.StandardInput?.Seek(inputStart!.Value, SeekOrigin.Begin);
            result = await BootAsync(prepared, spec, accelerator, onLine, ct) with { EarlierBootPanic = result.Message };
        }
        if (result.Outcome == VmOutcome.BootFailure && prepared.Kernel.ModulesDirectory is null)
        {
            // Nothing was resolved: say what the recipe would have loaded, so the user knows what must be built in.
            var needed = Cache.Recipe.ModulesOf(Cache.Recipe.AlwaysLoaded.Concat(spec.ScratchDisks > 0 ? Cache.Recipe.LoadedWithDisks : []).Concat(spec.ModuleGroups));
            result = result with
            {
                Message = $"{result.Message} (kernel {prepared.Kernel.Name} was booted without a module tree, so nothing was loaded: {string.Join(", ", needed)} must be built in, or give --modules PATH/lib/modules/RELEASE)",
            };
        }
        return result;
    }

    /// <summary>A kernel and its base boot image, ready to boot (fetched and built on first use).</summary>
    public sealed record Prepared(KernelImage Kernel, IReadOnlyList<string> ModuleFiles, string BaseInitrd);

    /// <summary>Fetches the kernel and builds the base boot image for <paramref name="spec"/> without booting;
    /// <see cref="RunAsync"/> does it too, this exists so a benchmark can keep setup out of its timings.</summary>
    public async Task<Prepared> PrepareAsync(VmSpec spec, CancellationToken ct)
    {
        var kernel = await Cache.GetAsync(spec.Kernel, ct);
        var recipe = Cache.Recipe;
        var groups = recipe.AlwaysLoaded
            .Concat(spec.ScratchDisks > 0 ? recipe.LoadedWithDisks : [])
            .Concat(spec.ModuleGroups);
        var wanted = recipe.ModulesOf(groups).Concat(spec.ExtraModules).Distinct().ToList();
        IReadOnlyList<string> files = [];
        if (kernel.ModulesDirectory is { } modules)
            files = _indexes.GetOrAdd(modules, dir => new Lazy<ModuleIndex>(() => ModuleIndex.Load(dir))).Value.Resolve(wanted);
        else if (spec.ExtraModules.Count > 0 || spec.ModuleGroups.Count > 0)
            throw new VmSetupException($"kernel {kernel.Name} has no module tree, so modules {string.Join(", ", spec.ExtraModules.Concat(spec.ModuleGroups))} cannot be loaded (expected --modules PATH/lib/modules/RELEASE, or a kernel with them built in and no module groups asked for)");
        var initramfs = new InitramfsBuilder(Cache.Directory, _busybox);
        var prepared = new Prepared(kernel, files, await initramfs.GetBaseAsync(kernel, files, ct));
        await Cache.Budget.EvictAsync(ct);
        return prepared;
    }

    private Task<VmResult> BootAsync(Prepared prepared, VmSpec spec, Accelerator accelerator, Func<GuestLine, Task>? onLine, CancellationToken ct)
    {
        var qemu = Cache.Recipe.Qemu;
        if (Executables.Find(qemu.Binary) is null)
            throw new VmSetupException($"'{qemu.Binary}' is not on PATH (expected Debian's qemu-system-x86; see containers/vm/packages.txt)");
        return VmSession.RunAsync(qemu, prepared.Kernel, prepared.BaseInitrd, spec, accelerator, onLine, ct);
    }
}
