namespace Bridge.Targets.Vm;

/// <summary>
/// The per-run temp directory (TMPDIR/bridge-vm-XXXXXX): initrd, console log, port sockets, scratch disks.
/// It is deleted when the run ends. A process killed outright cannot delete it, so each directory names its owner
/// (pid and start time, which together survive pid reuse) in a file, and creating a directory first deletes those
/// whose owner is gone: scratch disks a guest filled never pile up.
/// </summary>
internal sealed class RunDirectory : IDisposable
{
    private const string Prefix = "bridge-vm-";
    private const string OwnerFile = "owner";

    private RunDirectory(string path) => Path = path;

    public string Path { get; }

    public static RunDirectory Create()
    {
        RemoveAbandoned();
        var path = Directory.CreateTempSubdirectory(Prefix).FullName;
        File.WriteAllText(System.IO.Path.Combine(path, OwnerFile), Identity(Environment.ProcessId) + "\n");
        return new RunDirectory(path);
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);

    private static void RemoveAbandoned()
    {
        foreach (var dir in Directory.GetDirectories(System.IO.Path.GetTempPath(), Prefix + "*"))
        {
            try
            {
                var owner = File.ReadAllText(System.IO.Path.Combine(dir, OwnerFile)).Trim();
                var pid = int.Parse(owner.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
                if (Identity(pid) != owner)
                    Directory.Delete(dir, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
                // Not ours (no owner file), still being created, or removed by someone else meanwhile.
            }
        }
    }

    /// <summary>"PID STARTTIME" (field 22 of /proc/PID/stat, in clock ticks since boot), or "" if no such process.</summary>
    private static string Identity(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) is in parentheses and may contain spaces: count fields after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return $"{pid} {fields[19]}";
        }
        catch (IOException)
        {
            return "";
        }
    }
}
