using Bridge.Linux.Host;

namespace Bridge.Targets.Vm;

/// <summary>
/// The per-run temp directory (TMPDIR/bridge-vm-PID-XXXXXXXXXXXX): initrd, console log, port sockets, scratch disks.
/// It is deleted when the run ends, and is in the run's ledger from before it exists, so a run killed outright has it
/// swept by the next run or <c>pinbridge cleanup</c> (<see cref="Leftover"/>): scratch disks a guest filled never pile up.
/// </summary>
internal static class RunDirectory
{
    public static LeftoverKind Leftover { get; } = new("vm-run", path =>
    {
        if (Directory.Exists(path))
            Directory.Delete(path, recursive: true);
        return Task.CompletedTask;
    });

    public static LedgeredDirectory Create() =>
        LedgeredDirectory.Create(Path.Combine(Path.GetTempPath(), $"bridge-vm-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..12]}"), Leftover);
}
