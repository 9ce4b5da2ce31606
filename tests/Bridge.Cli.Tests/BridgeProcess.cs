using System.Diagnostics;

namespace Bridge.Cli.Tests;

/// <summary>Runs the real `pinbridge` executable (built next to the tests) and captures what a user would see.</summary>
internal static class BridgeProcess
{
    public static (int ExitCode, string Stdout, string Stderr) Run(params string[] args)
    {
        var psi = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "pinbridge"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepoRoot,
        };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout, stderr.Result);
    }

    public static string RepoRoot { get; } = FindRepo();

    private static string FindRepo()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Bridge.sln")))
                return dir.FullName;
        throw new InvalidOperationException("Bridge.sln not found above the test binaries");
    }

    public static string TempScenario(string text)
    {
        var path = Path.Combine(Path.GetTempPath(), $"bridge-test-{Guid.NewGuid():N}.scn");
        File.WriteAllText(path, text);
        return path;
    }
}
