using System.Globalization;

namespace Bridge.Linux.Host;

/// <summary>
/// Where a thread of this process sits in the kernel, read when a step's call has not returned: its state and its
/// kernel stack (/proc/self/task/TID/stat and stack; the stack needs CAP_SYS_ADMIN, and without it the state alone is
/// given). A hang reported as "copy_file_range did not return" is a bug report only with the function it waits in.
/// </summary>
public static class KernelStack
{
    /// <summary>The frames every system call has below its own, which say nothing about where it waits.</summary>
    private static readonly string[] EntryFrames = ["do_syscall_64", "x64_sys_call", "entry_SYSCALL_64"];

    /// <summary>"thread TID in state D (uninterruptible sleep), kernel stack innermost first: f+0x../0x.., …", or null
    /// when the thread has exited.</summary>
    public static string? Describe(int tid)
    {
        if (HostProcesses.ThreadState(tid) is not { } state)
            return null;
        var where = string.Create(CultureInfo.InvariantCulture, $"thread {tid} in state {state} ({StateNames.GetValueOrDefault(state, "see proc(5)")})");
        string[] lines;
        try
        {
            lines = File.ReadAllLines($"/proc/self/task/{tid}/stack");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"{where}, kernel stack unreadable ({e.Message})";
        }
        var frames = Frames(lines);
        return frames.Count == 0 ? $"{where}, no kernel stack (in user space, or running)" : $"{where}, kernel stack innermost first: {string.Join(", ", frames)}";
    }

    /// <summary>What a call left running says (<paramref name="left"/>), and where its thread <paramref name="tid"/>
    /// waits now when that is known (0: the thread never started).</summary>
    public static string After(string left, int tid) => tid > 0 && Describe(tid) is { } where ? $"{left}; {where}" : left;

    /// <summary>The function+offset of each line ("[&lt;0&gt;] pipe_read+0x2f4/0x4d0"), the system call entry dropped.</summary>
    public static IReadOnlyList<string> Frames(IEnumerable<string> stackLines) =>
        stackLines.Select(line => line[(line.IndexOf(']', StringComparison.Ordinal) + 1)..].Trim())
            .Where(frame => frame.Length > 0 && !EntryFrames.Any(entry => frame.StartsWith(entry, StringComparison.Ordinal)))
            .ToList();

    /// <summary>proc(5)'s names of the states a thread can be seen in.</summary>
    private static readonly Dictionary<char, string> StateNames = new()
    {
        ['R'] = "running",
        ['S'] = "sleeping",
        ['D'] = "uninterruptible sleep",
        ['T'] = "stopped",
        ['t'] = "tracing stop",
        ['Z'] = "zombie",
        ['I'] = "idle",
    };
}
