using Bridge.Core.Blocks;
using Bridge.Core.Execution;
using Bridge.Core.Exploration;
using Bridge.Core.Observations;
using Bridge.Core.Scenarios;
using Bridge.Linux.Backings;
using Bridge.Linux.Interop;
using Bridge.Linux.PinPaths;
using static Tmds.Linux.LibC;

namespace Bridge.Linux.Execution;

/// <summary>
/// Runs scenarios on the kernel this process runs on and records an <see cref="Observation"/> for each: sets up
/// the backing and the file (generation 0 in every block, synced), maps it, runs each step recording ok/errno and
/// timing, reads every path at each check, and captures the kernel log. It judges nothing: the oracle does.
/// Once <c>interrupt</c> is cancelled (SIGINT, SIGTERM) the scenario stops within a second — between steps, between a
/// race's iterations, between a check's reads, or by abandoning a call still running — and its observation says
/// where it was interrupted.
/// </summary>
public sealed class ScenarioRunner(ScratchSpace scratch, string target = "host") : IDisposable
{
    private readonly StepWorker _worker = new("bridge steps");

    /// <summary>A step that has not returned after this long is a hang (a race: its bound plus this); later steps
    /// are not run.</summary>
    public TimeSpan StepTimeout { get; init; } = StepTimeouts.Default;

    /// <summary>Which of a scenario's file images to keep and where, once its steps have run (<see cref="KeptImages"/>),
    /// or null to keep none: asked with the scenario and its observation, so the caller can keep only those with
    /// findings, and the images of the checks that found them.</summary>
    public Func<Scenario, Observation, KeptImageRequest?>? KeepImagesIn { get; init; }

    /// <summary>Inside a VM whose host boots it again on the same disks: reports the steps up to a crash step and
    /// cuts the power (it never returns; <see cref="Host.PowerSwitch"/>). Null elsewhere: a scenario with a crash
    /// step is skipped (<see cref="Sequencer.NeedsPowerCut"/>).</summary>
    public Action<Observation, PowerCutPoint>? CutPower { get; init; }

    public Observation Run(Scenario scenario, ulong? runId = null, CancellationToken interrupt = default)
    {
        var id = runId ?? (ulong)Random.Shared.NextInt64();
        var env = new RunEnvironment(target, SystemInfo.KernelRelease, null);
        if (Unavailable(scenario) is { } why)
            return new Observation(scenario.Name, id, env, [], [], [], why);
        var provider = BackingProviders.For(scenario.Backing);
        BackingInstance backing;
        try
        {
            backing = provider.Create(scratch, scenario);
        }
        catch (BackingUnavailableException e)
        {
            return new Observation(scenario.Name, id, env, [], [], [], e.Message);
        }
        catch (Exception e) when (e is SysException or IOException)
        {
            // The scratch filesystem refused the scenario's directory or file (ENOSPC, EIO): this scenario cannot run,
            // the next ones may.
            return new Observation(scenario.Name, id, env, [], [], [], $"setup failed: {e.Message}");
        }
        env = env with { FsType = backing.FsType };
        using var kernelLog = new KernelLog();
        var ctx = new RunContext(scenario, id, backing);
        var executor = Executor(ctx);
        try
        {
            Setup(ctx, provider, interrupt);
            var sequence = Sequencer.Run(scenario, executor, interrupt);
            return Finish(ctx, executor, env, kernelLog, sequence, []);
        }
        catch (SysException e)
        {
            return new Observation(scenario.Name, id, env, [], [], kernelLog.Drain(), $"setup failed: {e.Message}");
        }
        catch (OperationCanceledException) when (interrupt.IsCancellationRequested)
        {
            return new Observation(scenario.Name, id, env, [], [], kernelLog.Drain(), Interrupted: "during setup (the initial fill)");
        }
        finally
        {
            // A call left running (hung, or abandoned at an interruption) may still be inside a syscall on the mapping
            // or a file: leave them to the process's end rather than unmapping memory under a running call.
            if (!executor.Abandoned)
                ctx.Dispose();
        }
    }

    /// <summary>
    /// Goes on with a scenario on the boot after the power cut <paramref name="point"/>: mounts the filesystems the boot
    /// before made as the disks kept them (the mount replays the journal), opens the scenario's files as they are, and
    /// runs the steps after the crash step. The observation holds those steps' results and checks; the host joins it
    /// to the one of the boot before. A filesystem that does not mount again is a kernel finding.
    /// </summary>
    public Observation Resume(Scenario scenario, PowerCutPoint point, CancellationToken interrupt = default)
    {
        var env = new RunEnvironment(target, SystemInfo.KernelRelease, null);
        using var kernelLog = new KernelLog();
        try
        {
            scratch.Remount(point.Devices);
        }
        catch (SysException e)
        {
            return new Observation(scenario.Name, point.RunId, env, [], [],
                [.. kernelLog.Drain(), $"BUG: the {scenario.Backing.FsType} filesystem did not mount after the power cut at {scenario.Describe(point.CutAt)}: {e.Message}"]);
        }
        RunContext ctx;
        try
        {
            var directory = Path.Combine(scratch.MountPointOf(scenario.Backing.FsType!), point.Directory);
            var path = Path.Combine(directory, CheckPlan.DataFile);
            var data = FileDescriptor.OpenOrThrow(path, O_RDWR);
            ctx = new RunContext(scenario, point.RunId, new BackingInstance(data, path, 0, directory, FsType.Of(data), directories: [directory]))
            {
                MappingGone = $"the power cut at {scenario.Describe(point.CutAt)} took the mapping",
            };
        }
        catch (SysException e)
        {
            return new Observation(scenario.Name, point.RunId, env, [], [], kernelLog.Drain(), $"after the power cut: {e.Message}");
        }
        env = env with { FsType = ctx.Backing.FsType };
        var executor = Executor(ctx);
        try
        {
            OpenDirect(ctx);
            ctx.PrepareFiles(CheckPlan.For(scenario), outputsExist: true);
            var sequence = Sequencer.Resume(scenario, executor, point.Before, point.CutAt, interrupt);
            return Finish(ctx, executor, env, kernelLog, sequence, point.Before);
        }
        catch (SysException e)
        {
            return new Observation(scenario.Name, point.RunId, env, [], [], kernelLog.Drain(), $"after the power cut: {e.Message}");
        }
        finally
        {
            if (!executor.Abandoned)
                ctx.Dispose();
        }
    }

    private KernelExecutor Executor(RunContext ctx)
    {
        if (KeepImagesIn is not null)
            ctx.CheckImages = scratch.NewDirectory(scratch.Root);
        return new KernelExecutor(ctx, _worker, StepTimeout) { PowerCut = CutPower is null ? PowerCut.None : PowerCut.NextBoot };
    }

    /// <summary>The observation of a sequence; a sequence that stopped for a power cut is reported and the power cut
    /// here, before anything is closed or unmounted (<paramref name="before"/>: the results of earlier boots).</summary>
    private Observation Finish(RunContext ctx, KernelExecutor executor, RunEnvironment env, KernelLog kernelLog, Sequence sequence, IReadOnlyList<StepResult> before)
    {
        var scenario = ctx.Scenario;
        var observation = new Observation(scenario.Name, ctx.RunId, env, sequence.Steps, sequence.Checks, kernelLog.Drain(), sequence.Skip, sequence.Interrupted);
        if (sequence.PowerCutAt is { } cut)
        {
            var directory = Path.GetRelativePath(scratch.MountPointOf(scenario.Backing.FsType!), ctx.Backing.AuxDirectory);
            CutPower!(observation, new PowerCutPoint(cut, ctx.RunId, [.. before, .. sequence.Steps], directory, scratch.Devices));
            throw new InvalidOperationException("the power cut returned");
        }
        // A call left running (hung, or abandoned at an interruption) may still be inside a call on the file: its
        // image is not read (the read could hang too). An interrupted scenario is not judged: nothing to keep.
        if (!sequence.Hung && !executor.Abandoned && sequence.Interrupted is null && KeepImagesIn?.Invoke(scenario, observation) is { } keep)
            KeptImages.Save(ctx, keep);
        return observation;
    }

    /// <summary>Why the scenario cannot run here at all, or null: a pin path or io_uring this kernel or build lacks.</summary>
    public static string? Unavailable(Scenario scenario)
    {
        foreach (var step in scenario.AllSteps())
        {
            if (step.Effect == Effect.Pin && PinPathRegistry.For(step.PinPath).Unavailable is { } why)
                return why;
            if (Unavailable(step.Verb) is { } noInterface)
                return noInterface;
        }
        return null;
    }

    /// <summary>The rows this kernel and build cannot run, with the reasons <see cref="Unavailable(Scenario)"/> and the
    /// sequencer skip a scenario for: pin paths without their device, verbs without their kernel interface, and — on an
    /// executor that cannot cut the power (<paramref name="canCutPower"/> false: the host, a container) — the verbs
    /// that cut it.</summary>
    public static TargetLimits Limits(bool canCutPower) => new(
        Verbs.All.Select(v => (Verb: v, Why: Unavailable(v) ?? (v.CutsPower && !canCutPower ? Sequencer.NeedsPowerCut(v) : null)))
            .Where(x => x.Why is not null).ToDictionary(x => x.Verb, x => x.Why!),
        new Dictionary<BackingInfo, string>(),
        PinPathTable.All.Select(p => (Path: p, Why: PinPathRegistry.For(p).Unavailable))
            .Where(x => x.Why is not null).ToDictionary(x => x.Path, x => x.Why!));

    private static string? Unavailable(VerbInfo verb) => verb.UsesIoUring ? UringRing.Unavailable : null;

    public void Dispose() => _worker.Dispose();

    /// <summary>Sizes and fills the file (generation 0 or a hole), syncs it, opens the O_DIRECT descriptor and maps.</summary>
    private static void Setup(RunContext ctx, BackingProvider provider, CancellationToken interrupt)
    {
        var scenario = ctx.Scenario;
        var g = scenario.Geometry;
        var fill = scenario.Init == InitialFill.Data;
        if (ctx.Backing.Data is { } data)
        {
            data.Truncate(g.FileSize).ThrowIfFailed("ftruncate data");
            if (fill && provider.SupportsWrite)
                FillWithWrites(ctx, data, interrupt);
            else if (fill)
                FillThroughMapping(ctx, MAP_SHARED | ctx.Backing.MapFlags, data.Fd);
            data.Fsync().ThrowIfFailed("fsync data after the initial fill");
            OpenDirect(ctx);
        }
        var flags = (scenario.Map == MapKind.Shared ? MAP_SHARED : MAP_PRIVATE) | ctx.Backing.MapFlags;
        var (mapping, m) = MappedRegion.Map(g.FileSize, PROT_READ | PROT_WRITE, flags, ctx.Backing.Data?.Fd ?? -1);
        ctx.Mapping = mapping ?? throw new SysException($"mmap {scenario.Map} {scenario.Backing.Name}", m.Errno);
        if (fill && ctx.Backing.Data is null)
            Stamp(ctx, ctx.Mapping);
        ctx.PrepareFiles(CheckPlan.For(scenario));
    }

    private static void OpenDirect(RunContext ctx)
    {
        var (direct, r) = FileDescriptor.Open(ctx.Backing.ReopenPath!, O_RDONLY | O_DIRECT);
        ctx.DataDirect = direct;
        ctx.DirectUnavailable = direct is null ? $"O_DIRECT open on {ctx.Backing.FsType}: {r.ErrnoName}" : null;
    }

    private static void FillWithWrites(RunContext ctx, FileDescriptor data, CancellationToken interrupt)
    {
        var g = ctx.Geometry;
        var buffer = ctx.CheckBuffer;
        var chunk = (int)(buffer.Length / g.BlockSize);
        for (var first = 0; first < g.BlockCount; first += chunk)
        {
            interrupt.ThrowIfCancellationRequested();
            var count = Math.Min(chunk, g.BlockCount - first);
            for (var i = 0; i < count; i++)
                StampInitial(ctx, buffer.Span((long)i * g.BlockSize, g.BlockSize), first + i);
            KernelCalls.Complete(data.PWrite(buffer.Address, (long)count * g.BlockSize, g.OffsetOf(first)), (long)count * g.BlockSize)
                .ThrowIfFailed("initial fill");
        }
    }

    /// <summary>hugetlbfs has no write(2): the initial generation goes in through a shared mapping.</summary>
    private static void FillThroughMapping(RunContext ctx, int flags, int fd)
    {
        var (region, r) = MappedRegion.Map(ctx.Geometry.FileSize, PROT_READ | PROT_WRITE, flags, fd);
        using var mapping = region ?? throw new SysException("mmap for the initial fill", r.Errno);
        Stamp(ctx, mapping);
    }

    private static void Stamp(RunContext ctx, MappedRegion mapping)
    {
        var g = ctx.Geometry;
        for (var b = 0; b < g.BlockCount; b++)
            StampInitial(ctx, mapping.Span(g.OffsetOf(b), g.BlockSize), b);
    }

    /// <summary>Generation 0 of a block, remembered so the first check compares bytes instead of decoding them.</summary>
    private static void StampInitial(RunContext ctx, Span<byte> block, int index)
    {
        var stamp = new BlockStamp(ctx.RunId, 1, index, 0, 0, Writer.Initial, -1);
        BlockCodec.Stamp(block, stamp);
        ctx.Memo(CheckPlan.DataFile).Remember(block, stamp);
    }
}
