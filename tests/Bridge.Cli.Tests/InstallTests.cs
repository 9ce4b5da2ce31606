using System.Diagnostics;

namespace Bridge.Cli.Tests;

/// <summary>`make install`: the installed command runs from any directory (it finds its suites and native
/// libraries), and bash completes it through the command itself.</summary>
public class InstallTests
{
    private static (int Code, string Stdout, string Stderr) Shell(string script, string? directory = null)
    {
        var psi = new ProcessStartInfo("/bin/bash", ["-c", script])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory ?? BridgeProcess.RepoRoot,
        };
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout, stderr.Result);
    }

    [Fact]
    public void The_installed_command_runs_a_suite_from_elsewhere_and_bash_completes_it()
    {
        var prefix = Directory.CreateTempSubdirectory("bridge-install-").FullName;
        try
        {
            // -o: the build the tests run from is the one installed; make install alone would rebuild it first.
            var (code, _, stderr) = Shell($"make -s -o build -o deps -o native install PREFIX={prefix}");
            Assert.True(code == 0, $"make install: exit {code}: {stderr}");

            var bin = Path.Combine(prefix, "bin", "pinbridge");
            var (runCode, stdout, runErr) = Shell($"{bin} sim --policy linux-2019-legacy --suite seed", Path.GetTempPath());
            Assert.True(runCode == 1, $"the seed suite on the 2019 model: exit {runCode} (expected 1, findings)\n{stdout}\n{runErr}");
            Assert.Contains("lost-write", stdout);

            var completion = Path.Combine(prefix, "share", "bash-completion", "completions", "pinbridge");
            var (_, words, _) = Shell($$"""
                PATH={{Path.Combine(prefix, "bin")}}:$PATH; source {{completion}}
                COMP_LINE="pinbridge run --su"; COMP_POINT=${#COMP_LINE}; COMP_WORDS=(pinbridge run --su); COMP_CWORD=2; _pinbridge; echo "${COMPREPLY[*]}"
                COMP_LINE="pinbridge kern"; COMP_POINT=${#COMP_LINE}; COMP_WORDS=(pinbridge kern); COMP_CWORD=1; _pinbridge; echo "${COMPREPLY[*]}"
                """);
            Assert.Equal(["--suite", "kernels"], words.TrimEnd('\n').Split('\n'));
        }
        finally
        {
            Directory.Delete(prefix, recursive: true);
        }
    }
}
