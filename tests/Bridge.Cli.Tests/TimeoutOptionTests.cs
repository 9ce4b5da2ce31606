using System.Globalization;
using System.Text.Json;
using Bridge.Core.Execution;
using Bridge.Core.Oracle;
using Bridge.Linux.Interop;

namespace Bridge.Cli.Tests;

/// <summary>--timeout on the commands that run scenarios on a target: validated with a clear error, and really the
/// limit a step is held to.</summary>
[Collection(MachineStateCollection.Name)] // the container case may start and stop the private engine
public class TimeoutOptionTests
{
    public static TheoryData<string> Commands => new() { "run", "regress", "compare", "policy" };

    [Theory]
    [MemberData(nameof(Commands))]
    public void Every_command_that_runs_on_a_target_documents_it(string command)
    {
        var (code, stdout, _) = BridgeProcess.Run(command, "--help");
        Assert.Equal(0, code);
        Assert.Contains("--timeout <DURATION>", stdout);
    }

    [Theory]
    [InlineData("0s")]
    [InlineData("61m")]
    [InlineData("soon")]
    [InlineData("-1s")]
    public void A_timeout_out_of_range_or_not_a_duration_is_a_usage_error_that_says_the_expected_form(string value)
    {
        foreach (var command in Commands)
        {
            string[] target = command == "regress" ? ["--targets", "host"] : [];
            var (code, stdout, stderr) = BridgeProcess.Run([command, .. target, "--timeout", value, "--suite", "seed"]);
            Assert.True(code == 2, $"{command} --timeout {value}: exit {code}\n{stderr}");
            Assert.Contains($"--timeout '{value}': expected {StepTimeouts.Expected}", stderr);
            Assert.Equal("", stdout);
        }
    }

    /// <summary>Storing and syncing 8 MiB of pages on a loop-mounted ext4 cannot return within a millisecond: with
    /// that timeout it is a hang, named with the limit given, and the steps after it are not run — on the host, and
    /// in a container, whose agent is given the limit (a VM's agent gets it the same way, AgentProtocolTests).</summary>
    [Theory]
    [InlineData("host")]
    [InlineData("container")]
    public void The_limit_given_is_the_one_a_step_is_held_to(string target)
    {
        Assert.SkipUnless(SystemInfo.IsRoot, "needs root for the ext4 loop mount");
        using var engine = target == "container" ? EngineScope.Up() : null;
        var path = BridgeProcess.TempScenario("scenario timeout-one\nbacking ext4\nfile size=8M block=4K\nstore gen=1\nfsync\nstore gen=2\ncheck\n");
        try
        {
            var (code, stdout, stderr) = BridgeProcess.Run("run", "--target", target, "--timeout", "1ms", "--json", path);
            Assert.True(code == 1, $"exit {code}\n{stdout}\n{stderr}");
            using var json = JsonDocument.Parse(stdout);
            var run = json.RootElement.GetProperty("targets")[0].GetProperty("scenarios")[0];
            Assert.Equal(VerdictClass.Hang.Name(), run.GetProperty("verdict").GetProperty("class").GetString());
            var limit = TimeSpan.FromMilliseconds(1).TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
            // The limit, then where the abandoned thread was (KernelStackTests) unless it had already returned.
            Assert.Contains(run.GetProperty("observation").GetProperty("steps").EnumerateArray(),
                s => s.GetProperty("outcome").GetString() == "timeout" && s.GetProperty("detail").GetString() is { } detail
                    && (detail == $"no return after {limit}s" || detail.StartsWith($"no return after {limit}s; thread ", StringComparison.Ordinal)));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
