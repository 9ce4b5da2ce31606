using System.Globalization;
using System.Text;
using Mono.Unix.Native;

namespace Bridge.Targets.Container;

/// <summary>The few host-process facts the engine plumbing needs, read from /proc: whether a pid lives, its command
/// line, and signals by pid. Only pids this code can prove are its own (by pidfile and command line) are signalled.</summary>
internal static class HostProcesses
{
    public static bool IsAlive(int pid)
    {
        if (pid <= 0)
            return false;
        // A zombie has exited; whoever reaps it (init, for a setsid'd dockerd) just has not done so yet.
        var stat = ReadStat(pid);
        return stat is not null && StateOf(stat) != 'Z';
    }

    public static IReadOnlyList<string> CommandLine(int pid)
    {
        try
        {
            var raw = File.ReadAllBytes($"/proc/{pid}/cmdline");
            return Encoding.UTF8.GetString(raw).Split('\0', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (IOException) { return []; }
        catch (UnauthorizedAccessException) { return []; }
    }

    /// <summary>Start time in clock ticks since boot (field 22 of /proc/PID/stat); with the pid it names a process
    /// uniquely across pid reuse.</summary>
    public static ulong? StartTime(int pid)
    {
        var stat = ReadStat(pid);
        if (stat is null)
            return null;
        // Fields after the command name, which is in parentheses and may itself contain spaces or ')'.
        var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return rest.Length > 19 && ulong.TryParse(rest[19], CultureInfo.InvariantCulture, out var ticks) ? ticks : null;
    }

    public static IEnumerable<int> AllPids()
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
            if (int.TryParse(Path.GetFileName(dir), CultureInfo.InvariantCulture, out var pid))
                yield return pid;
    }

    public static void Signal(int pid, Signum signal)
    {
        if (Syscall.kill(pid, signal) != 0 && Stdlib.GetLastError() != Errno.ESRCH)
            throw new ContainerException($"kill({pid}, {signal}) failed: {Stdlib.GetLastError()}");
    }

    /// <summary>Polls until <paramref name="pid"/> is gone or <paramref name="timeout"/> passes.</summary>
    public static async Task<bool> WaitExitAsync(int pid, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (IsAlive(pid))
        {
            if (DateTime.UtcNow >= deadline)
                return false;
            await Task.Delay(100);
        }
        return true;
    }

    /// <summary>SIGTERM, wait up to <paramref name="grace"/>, then SIGKILL. Returns true when SIGKILL was needed.</summary>
    public static async Task<bool> TerminateAsync(int pid, TimeSpan grace)
    {
        Signal(pid, Signum.SIGTERM);
        if (await WaitExitAsync(pid, grace))
            return false;
        Signal(pid, Signum.SIGKILL);
        if (!await WaitExitAsync(pid, TimeSpan.FromSeconds(10)))
            throw new ContainerException($"process {pid} ({string.Join(' ', CommandLine(pid))}) survived SIGKILL for 10 s");
        return true;
    }

    /// <summary>Mount points at or below <paramref name="root"/> in this mount namespace, deepest first.</summary>
    public static IReadOnlyList<string> MountPointsUnder(string root)
    {
        var prefix = root.TrimEnd('/') + "/";
        var found = new List<string>();
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var fields = line.Split(' ');
            if (fields.Length < 5)
                continue;
            var mountPoint = UnescapeMountPath(fields[4]);
            if (mountPoint == root.TrimEnd('/') || mountPoint.StartsWith(prefix, StringComparison.Ordinal))
                found.Add(mountPoint);
        }
        return [.. found.Distinct().OrderByDescending(p => p.Length)];
    }

    private static string? ReadStat(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/stat"); }
        catch (IOException) { return null; }
    }

    private static char StateOf(string stat) => stat[stat.LastIndexOf(')') + 2];

    // mountinfo escapes space, tab, newline and backslash as \ooo.
    private static string UnescapeMountPath(string field)
    {
        if (!field.Contains('\\'))
            return field;
        var sb = new StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length && IsOctalDigit(field[i + 1]) && IsOctalDigit(field[i + 2]) && IsOctalDigit(field[i + 3]))
            {
                sb.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
                sb.Append(field[i]);
        }
        return sb.ToString();
    }

    private static bool IsOctalDigit(char c) => c is >= '0' and <= '7';
}
