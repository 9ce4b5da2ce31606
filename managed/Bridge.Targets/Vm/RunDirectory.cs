using Bridge.Linux.Host;

namespace Bridge.Targets.Vm;

/// <summary>
/// The per-run temp directory (TMPDIR/bridge-vm-PID-XXXXXXXXXXXX): initrd, console log, port sockets, scratch disks. It is
/// deleted when the run ends, and is in the run's ledger from before it exists, so a run killed outright has it swept
/// by the next run or <c>bridge cleanup</c> (<see cref="Leftover"/>): scratch disks a guest filled never pile up.
/// </summary>
internal sealed class RunDirectory : IDisposable
{
    private const string Prefix = "bridge-vm-";
    private readonly LedgerEntry _entry;

    private RunDirectory(string path, LedgerEntry entry)
    {
        Path = path;
        _entry = entry;
    }

    public string Path { get; }

    public static LeftoverKind Leftover { get; } = new("vm-run", path =>
    {
        if (Directory.Exists(path))
            Directory.Delete(path, recursive: true);
        return Task.CompletedTask;
    });

    public static RunDirectory Create()
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{Prefix}{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..12]}");
        var entry = RunLedger.Current.Take(Leftover.Kind, path);
        Directory.CreateDirectory(path);
        return new RunDirectory(path, entry);
    }

    public void Dispose()
    {
        Directory.Delete(Path, recursive: true);
        RunLedger.Current.Release(_entry);
    }
}
