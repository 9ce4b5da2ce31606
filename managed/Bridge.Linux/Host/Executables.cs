namespace Bridge.Linux.Host;

/// <summary>Finds a host program the way a login shell would: on PATH, then in the sbin directories, which are often
/// missing from PATH outside login shells (losetup, mkfs.*, dockerd and depmod live there on Debian).</summary>
public static class Executables
{
    private static readonly string[] SystemDirectories = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

    /// <summary>The absolute path of <paramref name="program"/> (a path is taken as it is), or null when no directory
    /// has it.</summary>
    public static string? Find(string program)
    {
        if (program.Contains('/'))
            return File.Exists(program) ? Path.GetFullPath(program) : null;
        return (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(SystemDirectories)
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);
    }

    /// <exception cref="ToolException">No directory has it; the message names the Debian package list to install from.</exception>
    public static string Require(string program) =>
        Find(program) ?? throw new ToolException($"'{program}' is not installed (looked on PATH and in the sbin directories; `make install` installs the Debian packages in containers/*packages.txt)");
}
