using Bridge.Core.Scenarios;

namespace Bridge.Cli;

/// <summary>Finds and parses scenario files and suites. A suite is a directory under scenarios/ (default: the
/// repository's, found from the binary or the working directory; $BRIDGE_SCENARIOS overrides).</summary>
public static class ScenarioLoader
{
    public static string ScenariosRoot()
    {
        if (Environment.GetEnvironmentVariable("BRIDGE_SCENARIOS") is { Length: > 0 } env)
            return env;
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "scenarios");
                if (Directory.Exists(Path.Combine(candidate, "default")))
                    return candidate;
            }
        }
        throw new UsageException("cannot find the scenarios/ directory (looked upward from the binary and the working directory); set BRIDGE_SCENARIOS");
    }

    public static IReadOnlyList<string> Suites() =>
        Directory.GetDirectories(ScenariosRoot()).Select(Path.GetFileName).OfType<string>().Order().ToList();

    /// <summary>Every scenario of the files and suites given; all files are parsed before anything runs, and any
    /// error in any of them stops the run (exit 2).</summary>
    public static IReadOnlyList<Scenario> Load(IEnumerable<string> files, IEnumerable<string> suites)
    {
        var paths = files.ToList();
        foreach (var suite in suites)
        {
            var dir = Path.Combine(ScenariosRoot(), suite);
            if (!Directory.Exists(dir))
                throw new UsageException($"no suite '{suite}'; expected one of: {string.Join(", ", Suites())}");
            paths.AddRange(Directory.GetFiles(dir, "*.scn", SearchOption.AllDirectories).Order());
        }
        if (paths.Count == 0)
            throw new UsageException("no scenarios given; expected FILE.scn… or --suite NAME");
        var missing = paths.Where(p => !File.Exists(p)).ToList();
        if (missing.Count > 0)
            throw new UsageException($"{Printable.Text(string.Join(", ", missing))}: no such file; expected paths to .scn files or options (pinbridge run --help)");
        return ScenarioFile.ParseAll(paths.Select(p => (Read(p), Path.GetRelativePath(Directory.GetCurrentDirectory(), p))));
    }

    /// <summary>A scenario file's text, at most one character past the parser's size limit (which reports it):
    /// a huge file or a device like /dev/zero costs no more than that.</summary>
    private static string Read(string path)
    {
        try
        {
            using var reader = new StreamReader(path);
            var buffer = new char[InputLimits.FileChars.Max + 1];
            var length = reader.ReadBlock(buffer, 0, buffer.Length);
            return new string(buffer, 0, length);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{Printable.Text(path)}: cannot read it ({e.Message})");
        }
    }
}

/// <summary>A usage or input error: printed as is, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
