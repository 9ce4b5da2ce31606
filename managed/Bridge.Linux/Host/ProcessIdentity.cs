using System.Globalization;

namespace Bridge.Linux.Host;

/// <summary>
/// A process named so that a reused pid is never mistaken for it: the boot, the pid, and the process's start time
/// (clock ticks since boot, field 22 of /proc/PID/stat). The one owner rule of everything Bridge leaves on the host:
/// a resource whose owner is not <see cref="IsAlive"/> belongs to a run that was killed, and may be swept.
/// Written as <c>BOOT-ID/PID/START</c>.
/// </summary>
public readonly record struct ProcessIdentity(string BootId, int Pid, ulong StartTicks)
{
    public static ProcessIdentity Current { get; } = Of(Environment.ProcessId)
        ?? throw new InvalidOperationException("/proc/self/stat is unreadable: is /proc mounted?");

    /// <summary>The running process <paramref name="pid"/>, or null when there is none.</summary>
    public static ProcessIdentity? Of(int pid) =>
        HostProcesses.StartTicks(pid) is { } ticks ? new ProcessIdentity(HostProcesses.BootId, pid, ticks) : null;

    /// <summary>The very process this names still runs (same boot, same start time, not a zombie).</summary>
    public bool IsAlive => BootId == HostProcesses.BootId && HostProcesses.StartTicks(Pid) == StartTicks && HostProcesses.IsAlive(Pid);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{BootId}/{Pid}/{StartTicks}");

    public static bool TryParse(string text, out ProcessIdentity identity)
    {
        identity = default;
        var parts = text.Trim().Split('/');
        if (parts.Length != 3 || parts[0].Length == 0
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            || !ulong.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks))
            return false;
        identity = new ProcessIdentity(parts[0], pid, ticks);
        return true;
    }
}
