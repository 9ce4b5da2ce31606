namespace Bridge.Targets.Vm;

/// <summary>How a VM run ended.</summary>
public enum VmOutcome
{
    /// <summary>The command ran and exited; <see cref="VmResult.ExitCode"/> is its status.</summary>
    Exited,
    /// <summary>The kernel panicked while the command ran (the console shows "Kernel panic").</summary>
    Panic,
    /// <summary>The command did not finish within the run timeout; qemu was killed.</summary>
    Timeout,
    /// <summary>The guest never reached a running init: qemu refused the kernel, the kernel did not boot, panicked
    /// early, or init could not set up (modules, 9p, ports) within the boot timeout.</summary>
    BootFailure,
    /// <summary>The VM stopped after init was ready without an exit status and without a kernel panic
    /// (qemu crashed, or the guest reset or powered off on its own).</summary>
    Lost,
}

/// <summary>The result of one VM run. <see cref="Message"/> says in one line what happened; the console tail
/// (last ~40 lines of the serial console, plus qemu's own stderr when it had any) shows why.</summary>
public sealed record VmResult(
    VmOutcome Outcome,
    int? ExitCode,
    string? GuestRelease,
    string Message,
    IReadOnlyList<string> ConsoleTail,
    Accelerator Accelerator,
    TimeSpan BootDuration,
    TimeSpan Duration)
{
    /// <summary>The first boot's panic, when the kernel panicked before the guest's init was ready and this result is
    /// the second boot's (<see cref="VmRunner.RunAsync"/>).</summary>
    public string? EarlierBootPanic { get; init; }
}

/// <summary>Which stream of the guest command a line came from.</summary>
public enum GuestStream
{
    Stdout,
    Stderr,
}

/// <summary>One line the guest command wrote, without its line terminator; the last line of a stream that
/// did not end in a newline is delivered too.</summary>
public sealed record GuestLine(GuestStream Stream, string Text);
