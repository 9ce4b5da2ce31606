using System.Globalization;

namespace Bridge.Targets.Tests.Container;

/// <summary>Facts about the host read independently of the code under test, to check it against.</summary>
internal static class HostFacts
{
    public static string KernelRelease() => File.ReadAllText("/proc/sys/kernel/osrelease").Trim();

    public static bool ProcessAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[stat.LastIndexOf(')') + 2] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>/proc/PID/comm (the kernel truncates it to 15 characters), or null when the process is gone.</summary>
    public static string? CommandName(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").TrimEnd('\n');
        }
        catch (IOException)
        {
            return null;
        }
    }

    public static IReadOnlyList<int> PidsWhoseCommandLineContains(string text)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), CultureInfo.InvariantCulture, out var pid) || pid == Environment.ProcessId)
                continue;
            try
            {
                if (File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ').Contains(text, StringComparison.Ordinal))
                    found.Add(pid);
            }
            catch (IOException) { }
        }
        return found;
    }

    /// <summary>Mount points (field 5 of /proc/self/mountinfo) containing <paramref name="text"/>.</summary>
    public static IReadOnlyList<string> MountPointsContaining(string text) =>
        [.. File.ReadLines("/proc/self/mountinfo").Select(l => l.Split(' ')[4]).Where(m => m.Contains(text, StringComparison.Ordinal))];

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Bridge.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"no Bridge.sln above {AppContext.BaseDirectory}");
    }

    public static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Concat(["/usr/sbin", "/sbin"])
            .Any(dir => File.Exists(Path.Combine(dir, program)));
}

/// <summary>A fresh directory on disk (not /tmp, which may be tmpfs) deleted on dispose.</summary>
internal sealed class ScratchDirectory : IDisposable
{
    public ScratchDirectory()
    {
        Path = System.IO.Path.Combine("/var/tmp", "bridge-targets-tests", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
