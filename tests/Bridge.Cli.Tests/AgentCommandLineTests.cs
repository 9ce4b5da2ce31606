using System.Diagnostics;
using Bridge.Agent;
using Bridge.Core.Scenarios;

namespace Bridge.Cli.Tests;

/// <summary><c>pinbridge agent</c> and the guest's native <c>pinbridge-agent</c> (published next to the CLI by
/// <c>make build</c>) take one command line (<see cref="AgentCommandLine"/>): the same refusals, the same help, and
/// the same run of a real request on the host kernel.</summary>
public sealed class AgentCommandLineTests
{
    private static readonly string Published = Path.Combine(BridgeProcess.RepoRoot, "artifacts", "pinbridge");

    public static TheoryData<string> Agents => new() { "pinbridge", "pinbridge-agent" };

    [Theory]
    [MemberData(nameof(Agents))]
    public void A_missing_request_is_refused_with_exit_2_and_the_option_named(string agent)
    {
        var (code, stdout, stderr) = Run(agent, []);
        Assert.Equal(AgentCommandLine.UsageExitCode, code);
        Assert.Contains("--request", stderr);
        Assert.Empty(stdout);
    }

    [Theory]
    [MemberData(nameof(Agents))]
    public void The_request_on_standard_input_cannot_also_be_the_lifeline(string agent)
    {
        var (code, stdout, stderr) = Run(agent, ["--request", "-", "--until-stdin-closes"]);
        Assert.Equal(AgentCommandLine.UsageExitCode, code);
        Assert.StartsWith($"{agent}: --until-stdin-closes needs --request FILE", stderr);
        Assert.Empty(stdout);
    }

    [Fact]
    public void Both_agents_document_the_same_options()
    {
        static string[] Options(string help) => help.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("--", StringComparison.Ordinal))
            .Select(l => l.Split(' ')[0]).Order(StringComparer.Ordinal).ToArray();
        var cli = Options(Run("pinbridge", ["--help"]).Stdout);
        var guest = Options(Run("pinbridge-agent", ["--help"]).Stdout);
        Assert.Contains("--until-stdin-closes", cli);
        // A root command has --version of its own; the subcommand leaves it to `pinbridge --version`.
        Assert.Equal(cli, guest.Where(o => o != "--version"));
        Assert.Contains("--version", guest);
    }

    [Fact]
    public void Both_agents_run_one_request_on_the_host_kernel_to_the_same_step_results()
    {
        var scenario = ScenarioFile.ParseOne("backing tmpfs\nmap shared\nfile size=64K block=16K\nstore gen=2 blocks=0-1\nmsync\ncheck\n", "agent.scn", "agent");
        var request = Path.Combine(Path.GetTempPath(), $"bridge-agent-{Guid.NewGuid():N}.json");
        File.WriteAllText(request, AgentProtocol.EncodeRequest(new AgentRequest("host", [ScenarioText.From(scenario)], TimeSpan.FromSeconds(30))));
        try
        {
            var runs = Agents.Select(a => Run(a, ["--request", request])).ToList();
            var results = runs.Select(r =>
            {
                Assert.True(r.ExitCode == 0, r.Stderr);
                var messages = r.Stdout.Split('\n').Select(AgentProtocol.Decode).OfType<AgentMessage>().ToList();
                Assert.Equal(["hello", "observation", "done"], messages.Select(m => m.Kind));
                return messages[1].Observation!.Steps.Select(s => $"{s.Step}:{s.Outcome}:{s.Errno}").ToList();
            }).ToList();
            Assert.Equal(scenario.StepCount, results[0].Count);
            Assert.Equal(results[0], results[1]);
        }
        finally
        {
            File.Delete(request);
        }
    }

    private static (int ExitCode, string Stdout, string Stderr) Run(string agent, string[] options)
    {
        if (agent == "pinbridge")
            return BridgeProcess.Run(["agent", .. options]);
        var path = Path.Combine(Published, agent);
        Assert.True(File.Exists(path), $"{path} is missing: `make build` publishes the native guest agent");
        var psi = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var o in options)
            psi.ArgumentList.Add(o);
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout, stderr.Result);
    }
}
