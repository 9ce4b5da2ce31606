using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;

using Bridge.Targets.Vm.Kernels;

using Bridge.Targets.Vm.Recipe;

namespace Bridge.Targets.Vm;

/// <summary>
/// One boot of one kernel for one command, from an empty run directory to a <see cref="VmResult"/>. Every path out
/// — result, exception, cancellation — goes through the same ending: qemu killed and reaped, the ports closed, the
/// run directory (initrd, console log, sockets, scratch disks) deleted.
/// </summary>
internal static class VmSession
{
    /// <summary>How a boot failure says the kernel panicked before the guest's init was ready: nothing of the command ran.</summary>
    public const string PanicBeforeInit = "the kernel panicked before the guest's init was ready";

    /// <summary>How long a guest that reported its exit status may take to power off before it is killed.</summary>
    private static readonly TimeSpan PowerOffGrace = TimeSpan.FromSeconds(15);

    /// <summary>How long to wait for qemu's sockets to reach end of file once qemu is gone.</summary>
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(5);

    public const int MaxScratchDisks = 16;

    public static async Task<VmResult> RunAsync(
        QemuRecipe recipe, KernelImage kernel, string baseInitrd, VmSpec spec, Accelerator accelerator,
        Func<GuestLine, Task>? onLine, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var nonce = "bridge-end-" + Guid.NewGuid().ToString("N");
        var runEnv = RunScript.Render(spec, nonce);
        // Declared first, disposed last: qemu is reaped and the ports closed before the directory goes.
        using var run = RunDirectory.Create();
        var runDirectory = run.Path;
        var initrd = Path.Combine(runDirectory, "initrd.cpio");
        await InitramfsBuilder.WriteRunImageAsync(baseInitrd, runEnv, initrd, ct);
        var disks = CheckSpecAndCreateScratchDisks(runDirectory, spec);
        var consoleLog = Path.Combine(runDirectory, "console.log");
        await using var channel = new GuestChannel(runDirectory, nonce, spec.StandardInput);
        var args = QemuCommandLine.Build(recipe, spec, new QemuCommandLine.Inputs(
            accelerator, kernel.BzImage, initrd, consoleLog, channel.SocketPath, disks));
        await using var qemu = await QemuProcess.StartAsync(recipe.Binary, args);
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var accepting = AcceptAsync(channel, abort.Token);
        var delivery = DeliverAsync(channel.Lines, onLine, abort);
        try
        {
            return await new Run(spec, accelerator, qemu, channel, consoleLog, clock, delivery, abort, ct).WaitAsync();
        }
        finally
        {
            // Ends the timers and the wait for connections that outlived the run.
            await abort.CancelAsync();
            await accepting;
        }
    }

    private static List<string> CheckSpecAndCreateScratchDisks(string runDirectory, VmSpec spec)
    {
        var limits = new List<(string, TimeSpan)> { ("boot timeout", spec.BootTimeout), ("run timeout", spec.RunTimeout) };
        if (spec.SilenceTimeout is { } silence)
            limits.Add(("silence timeout", silence));
        foreach (var (name, limit) in limits)
            if (limit <= TimeSpan.Zero || limit.TotalMilliseconds > int.MaxValue)
                throw new VmSetupException($"{name} {limit} is not valid (expected a positive time of at most {TimeSpan.FromMilliseconds(int.MaxValue).TotalDays:0} days)");
        if (spec.ScratchDisks is < 0 or > MaxScratchDisks)
            throw new VmSetupException($"scratch disks {spec.ScratchDisks} is out of range (expected 0 to {MaxScratchDisks})");
        if (spec.ScratchDiskSizes.Count > 0 && spec.ScratchDiskSizes.Count != spec.ScratchDisks)
            throw new VmSetupException($"{spec.ScratchDiskSizes.Count} scratch disk sizes for {spec.ScratchDisks} scratch disks (expected one size per disk, or none)");
        if (spec.DiskImages.Count > 0)
        {
            if (spec.DiskImages.Count != spec.ScratchDisks)
                throw new VmSetupException($"{spec.DiskImages.Count} disk images for {spec.ScratchDisks} scratch disks (expected one image per disk)");
            foreach (var image in spec.DiskImages.Where(i => !File.Exists(i)))
                throw new VmSetupException($"disk image '{image}' does not exist (expected an image an earlier boot of the run used)");
            return [.. spec.DiskImages];
        }
        var sizes = spec.ScratchDiskSizes.Count > 0 ? spec.ScratchDiskSizes : [.. Enumerable.Repeat(spec.ScratchDiskBytes, spec.ScratchDisks)];
        foreach (var size in sizes.Where(size => size < 1 << 20 || size % 512 != 0))
            throw new VmSetupException($"scratch disk size {size} bytes is not valid (expected a multiple of 512, at least 1 MiB)");
        var disks = new List<string>();
        for (var i = 0; i < spec.ScratchDisks; i++)
        {
            var path = Path.Combine(runDirectory, $"disk{i}.img");
            using (var image = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
                image.SetLength(sizes[i]); // sparse: costs no space until the guest writes
            disks.Add(path);
        }
        return disks;
    }

    /// <summary>qemu connects to the ports at start; if it dies first, the wait ends with the run.</summary>
    private static async Task AcceptAsync(GuestChannel channel, CancellationToken ct)
    {
        try
        {
            await channel.AcceptAsync(ct);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            // The run ended (qemu exited, a timeout, cancellation) before qemu connected every port.
        }
    }

    private static async Task DeliverAsync(ChannelReader<GuestLine> lines, Func<GuestLine, Task>? onLine, CancellationTokenSource abort)
    {
        try
        {
            await foreach (var line in lines.ReadAllAsync(CancellationToken.None))
                if (onLine is not null)
                    await onLine(line);
        }
        catch
        {
            // The caller's handler failed: stop the VM, then the exception reaches the caller from RunAsync.
            await abort.CancelAsync();
            throw;
        }
    }

    private sealed class Run(
        VmSpec spec, Accelerator accelerator, QemuProcess qemu, GuestChannel channel, string consoleLog,
        Stopwatch clock, Task delivery, CancellationTokenSource abort, CancellationToken ct)
    {
        private TimeSpan _bootDuration;

        public async Task<VmResult> WaitAsync()
        {
            var bootTimeout = Task.Delay(spec.BootTimeout, abort.Token);
            var first = await Task.WhenAny(channel.Ready, channel.GuestError, qemu.Exited, qemu.AcceleratorFailure, bootTimeout);
            if (first != channel.Ready)
                return await BootFailedAsync(first, bootTimeout);
            _bootDuration = clock.Elapsed;
            var release = await channel.Ready;

            var finished = Task.WhenAll(channel.ExitStatus, channel.StreamsEnded);
            var runTimeout = Task.Delay(spec.RunTimeout, abort.Token);
            var silence = spec.SilenceTimeout is { } limit ? SilenceAsync(limit) : Task.Delay(Timeout.Infinite, abort.Token);
            first = await Task.WhenAny(finished, qemu.Exited, qemu.AcceleratorFailure, runTimeout, silence);
            if (first == finished)
            {
                await channel.AcknowledgeAsync();
                if (await Task.WhenAny(qemu.Exited, Task.Delay(PowerOffGrace, CancellationToken.None)) != qemu.Exited)
                    await qemu.KillAsync();
                await delivery;
                var status = await channel.ExitStatus;
                return Result(VmOutcome.Exited, status, release, $"the command exited with status {status}");
            }
            await StopAsync(first == silence ? silence : runTimeout);
            if (channel.ExitStatus.IsCompletedSuccessfully)
            {
                // The guest powered off right after reporting, before the host saw both end marks arrive.
                var status = await channel.ExitStatus;
                return Result(VmOutcome.Exited, status, release, $"the command exited with status {status}");
            }
            if (first == runTimeout)
                return Result(VmOutcome.Timeout, null, release, $"the command did not finish within {Seconds(spec.RunTimeout)}; qemu was killed");
            if (first == silence)
                return Result(VmOutcome.Timeout, null, release, $"the command wrote nothing for {Seconds(spec.SilenceTimeout!.Value)}; qemu was killed");
            var console = ConsoleLog.Read(consoleLog);
            if (ConsoleLog.Panic(console) is { } panic)
                return Result(VmOutcome.Panic, null, release, $"the kernel panicked while the command ran: {panic}");
            if (first == qemu.AcceleratorFailure)
                return Result(VmOutcome.Lost, null, release, $"qemu's {accelerator} accelerator stopped the guest: {await qemu.AcceleratorFailure}");
            return Result(VmOutcome.Lost, null, release,
                $"qemu exited (status {qemu.ExitCode}) while the command ran, with neither an exit status nor a kernel panic; last console line: {ConsoleLog.LastWords(console) ?? "(none)"}");
        }

        /// <summary>Completes when no output arrived for <paramref name="limit"/>; canceled with the run.</summary>
        private async Task SilenceAsync(TimeSpan limit)
        {
            while (limit - channel.SinceLastOutput is var left && left > TimeSpan.Zero)
                await Task.Delay(left, abort.Token);
        }

        private async Task<VmResult> BootFailedAsync(Task first, Task bootTimeout)
        {
            await StopAsync(bootTimeout);
            var console = ConsoleLog.Read(consoleLog);
            string message;
            if (first == channel.GuestError)
                message = $"the guest's init could not set up: {await channel.GuestError}";
            else if (first == qemu.AcceleratorFailure)
                message = $"qemu's {accelerator} accelerator could not run the kernel: {await qemu.AcceleratorFailure}";
            else if (ConsoleLog.Panic(console) is { } panic)
                message = $"{PanicBeforeInit}: {panic}";
            else if (ConsoleLog.InitError(console) is { } initError)
                message = $"the guest's init could not set up: {initError}";
            else if (first == bootTimeout)
                message = $"the guest's init was not ready within {Seconds(spec.BootTimeout)}; qemu was killed; last console line: {ConsoleLog.LastWords(console) ?? "(the console stayed empty)"}";
            else if (qemu.ExitCode is { } status and not 0)
                message = $"qemu exited with status {status} before the guest's init was ready: {qemu.Stderr.LastOrDefault(l => l.Trim().Length > 0) ?? "(no message)"}";
            else if (ConsoleLog.LastWords(console) is { } last && last.StartsWith("Booting from ROM", StringComparison.Ordinal))
                message = $"the guest reset or powered off before its init was ready, and printed nothing after the firmware's '{last}': the kernel did not start (a corrupt or non-x86-64 image?)";
            else
                message = $"the guest reset or powered off before its init was ready; last console line: {ConsoleLog.LastWords(console) ?? "(the console stayed empty)"}";
            if (ConsoleLog.ModuleWarnings(console) is { Count: > 0 } refused)
                message += $" (modules that did not load: {string.Join("; ", refused)})";
            return Result(VmOutcome.BootFailure, null, null, message);
        }

        /// <summary>qemu is gone (or killed now); every line it delivered has reached the caller. Throws when the
        /// caller cancelled or its line handler failed.</summary>
        private async Task StopAsync(Task timeout)
        {
            await qemu.KillAsync();
            await channel.DrainAsync(DrainLimit);
            await delivery; // rethrows the handler's exception
            if (timeout.IsCanceled)
                ct.ThrowIfCancellationRequested();
        }

        private VmResult Result(VmOutcome outcome, int? exitCode, string? release, string message)
        {
            var tail = ConsoleLog.Tail(ConsoleLog.Read(consoleLog)).Concat(qemu.Stderr.Select(l => "qemu: " + l)).ToList();
            return new VmResult(outcome, exitCode, release, message, tail, accelerator, _bootDuration, clock.Elapsed);
        }

        private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s";
    }
}
