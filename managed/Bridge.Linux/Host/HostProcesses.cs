using System.Globalization;
using System.Text;
using Bridge.Linux.Interop;
using Mono.Unix.Native;

namespace Bridge.Linux.Host;

/// <summary>Facts about host processes from /proc, and signals by pid. Only processes the caller can prove are the
/// ones it means (by <see cref="ProcessIdentity"/>, or a pidfile and a command line) should be signalled.</summary>
public static class HostProcesses
{
    /// <summary>This boot's id (/proc/sys/kernel/random/boot_id): a pid and start time mean something only within it.</summary>
    public static string BootId { get; } = File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim();

    /// <summary>The pid runs and has not exited (a zombie has: whoever reaps it just has not done so yet).</summary>
    public static bool IsAlive(int pid) => pid > 0 && Stat(pid) is { } stat && stat.State != 'Z';

    /// <summary>Start time in clock ticks since boot (field 22 of /proc/PID/stat), or null when no such process.</summary>
    public static ulong? StartTicks(int pid) => Stat(pid)?.StartTicks;

    public static IReadOnlyList<string> CommandLine(int pid)
    {
        try
        {
            return Encoding.UTF8.GetString(File.ReadAllBytes($"/proc/{pid}/cmdline")).Split('\0', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    public static IEnumerable<int> AllPids()
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
            if (int.TryParse(Path.GetFileName(dir), CultureInfo.InvariantCulture, out var pid))
                yield return pid;
    }

    /// <summary>Sends <paramref name="signal"/>; a process that is already gone is not an error.</summary>
    /// <exception cref="SysException">kill(2) failed otherwise (EPERM: someone else's process).</exception>
    public static void Signal(int pid, Signum signal)
    {
        if (Syscall.kill(pid, signal) != 0 && Stdlib.GetLastError() is var errno && errno != Errno.ESRCH)
            throw new SysException($"kill({pid}, {signal})", NativeConvert.FromErrno(errno));
    }

    /// <summary>Polls until <paramref name="pid"/> is gone or <paramref name="timeout"/> passes; true when gone.</summary>
    public static async Task<bool> WaitExitAsync(int pid, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (IsAlive(pid))
        {
            if (DateTime.UtcNow >= deadline)
                return false;
            await Task.Delay(50);
        }
        return true;
    }

    /// <summary>SIGTERM, wait up to <paramref name="grace"/>, then SIGKILL. Returns true when SIGKILL was needed.</summary>
    /// <exception cref="IOException">The process survived SIGKILL for 10 s (stuck in the kernel).</exception>
    public static async Task<bool> TerminateAsync(int pid, TimeSpan grace)
    {
        Signal(pid, Signum.SIGTERM);
        if (await WaitExitAsync(pid, grace))
            return false;
        await KillAsync(pid);
        return true;
    }

    /// <summary>SIGKILL, and wait until it is gone.</summary>
    /// <exception cref="IOException">The process survived SIGKILL for 10 s (stuck in the kernel).</exception>
    public static async Task KillAsync(int pid)
    {
        Signal(pid, Signum.SIGKILL);
        if (!await WaitExitAsync(pid, TimeSpan.FromSeconds(10)))
            throw new IOException($"process {pid} ({string.Join(' ', CommandLine(pid))}) survived SIGKILL for 10 s");
    }

    private readonly record struct ProcStat(char State, ulong StartTicks);

    /// <summary>The state letter of thread <paramref name="tid"/> of this process (R running, S sleeping, D
    /// uninterruptible sleep, …: proc(5)), or null when it has exited.</summary>
    public static char? ThreadState(int tid) => Stat($"/proc/self/task/{tid}/stat")?.State;

    private static ProcStat? Stat(int pid) => Stat($"/proc/{pid}/stat");

    private static ProcStat? Stat(string path)
    {
        string stat;
        try
        {
            stat = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        // The command name (field 2) is in parentheses and may contain spaces and ')': fields 3… follow the last ')'.
        var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        const int startTimeField = 22 - 3;
        return rest.Length > startTimeField && ulong.TryParse(rest[startTimeField], CultureInfo.InvariantCulture, out var ticks)
            ? new ProcStat(rest[0][0], ticks)
            : null;
    }
}
