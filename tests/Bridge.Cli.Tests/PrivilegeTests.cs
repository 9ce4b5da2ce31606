using System.Text.Json;
using Bridge.Core.Oracle;
using Bridge.Core.Scenarios;
using Bridge.Linux.Interop;

namespace Bridge.Cli.Tests;

/// <summary>
/// A step the kernel refuses for want of privilege makes its scenario skipped with the reason, not intact: every
/// verb whose row in <see cref="Verbs"/> says it needs privilege, run for real as nobody (setpriv), next to an
/// unprivileged verb of the same effect that must still run and be judged; as root, the same scenarios run.
/// </summary>
[Collection(MachineStateCollection.Name)]
public class PrivilegeTests
{
    private static readonly IReadOnlyList<VerbInfo> Privileged = [.. Verbs.All.Where(v => v.Privilege is not null)];

    /// <summary>One instance per privileged verb, and one with an unprivileged verb of the same effect (tmpfs: as
    /// nobody the file lives in this run's own /dev/shm directory).</summary>
    private static string Matrix()
    {
        Assert.NotEmpty(Privileged);
        Assert.All(Privileged, v => Assert.True(v.Args.All(a => !a.Required), $"'{v.Keyword}' takes a required argument: give it one here"));
        var control = Verbs.All.First(v => v.Privilege is null && !v.IsSequenced && v.Effect == Privileged[0].Effect && v.Args.All(a => !a.Required));
        return $"""
            matrix privilege
            vary step = {string.Join(' ', Privileged.Select(v => v.Keyword))} {control.Keyword}
            backing tmpfs
            map shared
            file size=64K block=4K
            store gen=1 blocks=0-15
            fsync
            {"{step}"}
            store gen=2 blocks=0-3
            fsync
            check
            """;
    }

    [Fact]
    public async Task As_nobody_a_step_refused_for_want_of_privilege_skips_its_scenario_with_the_rows_reason()
    {
        Assert.SkipUnless(SystemInfo.IsRoot, "needs root to start the run as nobody");
        var file = BridgeProcess.TempScenario(Matrix());
        try
        {
            var cannot = HostState.NobodyCannotRun(file);
            Assert.SkipWhen(cannot is not null, cannot ?? "");
            using var run = HostState.AsNobody(Path.Combine(AppContext.BaseDirectory, "pinbridge"), "run", "--json", file);
            var stderrRead = run.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            var stdout = await run.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            await run.WaitForExitAsync(TestContext.Current.CancellationToken);
            var stderr = await stderrRead;
            var verdicts = Verdicts(stdout);

            foreach (var verb in Privileged)
            {
                var (verdict, reason) = verdicts[$"privilege[{verb.Keyword}]"];
                Assert.True(verdict == VerdictClass.Skipped.Name(), $"{verb.Keyword} as nobody: {verdict} ({reason})\n{stderr}");
                Assert.StartsWith($"'{verb.Keyword}' needs {verb.Privilege}; the kernel refused it with E", reason);
            }
            Assert.Equal(VerdictClass.Intact.Name(), verdicts.Single(v => !Privileged.Any(p => v.Key == $"privilege[{p.Keyword}]")).Value.Verdict);
            Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}\n{stdout}\n{stderr}");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void As_root_the_same_steps_run_and_are_judged()
    {
        Assert.SkipUnless(SystemInfo.IsRoot, "needs root");
        var file = BridgeProcess.TempScenario(Matrix());
        try
        {
            var (code, stdout, stderr) = BridgeProcess.Run("run", "--json", file);
            Assert.True(code == 0, $"exit {code}\n{stderr}");
            Assert.All(Verdicts(stdout), v => Assert.True(v.Value.Verdict == VerdictClass.Intact.Name(), $"{v.Key}: {v.Value}"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Each scenario's verdict class (as results.json names it: <see cref="VerdictClasses.Name"/>) and reason.</summary>
    internal static Dictionary<string, (string Verdict, string? Reason)> Verdicts(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("targets")[0].GetProperty("scenarios").EnumerateArray().ToDictionary(
            s => s.GetProperty("name").GetString()!,
            s =>
            {
                var verdict = s.GetProperty("verdict");
                return (verdict.GetProperty("class").GetString()!, verdict.TryGetProperty("skipReason", out var why) ? why.GetString() : null);
            });
    }
}
