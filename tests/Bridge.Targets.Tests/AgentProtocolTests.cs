using Bridge.Agent;
using Bridge.Core.Observations;
using Bridge.Core.Probes;
using Bridge.Core.Scenarios;
using Bridge.Linux.Interop;
using Bridge.Targets.Agent;
using Bridge.Targets.Host;

namespace Bridge.Targets.Tests;

public class AgentProtocolTests
{
    private const string Matrix = """
        matrix agent
        vary backing = memfd ext4
        backing {backing}
        file size=64K
        store gen=1
        pin uring-register
        dma gen=2 blocks=0-3
        check
        """;

    [Fact]
    public async Task TheAgentStreamsWhatTheInProcessHostObserves()
    {
        Assert.SkipUnless(SystemInfo.IsRoot, "ext4 loop mounts need root");
        var scenarios = ScenarioFile.Parse(Matrix, "agent.scn");
        var request = AgentProtocol.DecodeRequest(AgentProtocol.EncodeRequest(new AgentRequest("agent-test", scenarios.Select(ScenarioText.From).ToList(), TimeSpan.FromSeconds(42))));
        Assert.Equal(TimeSpan.FromSeconds(42), request.StepTimeout); // --timeout reaches the agent
        var output = new StringWriter();
        Assert.Equal(0, AgentRunner.Run(request, output, TestContext.Current.CancellationToken));

        var messages = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(AgentProtocol.Decode).ToList();
        Assert.Equal(["hello", "observation", "observation", "done"], messages.Select(m => m!.Kind));
        Assert.Equal(SystemInfo.KernelRelease, messages[0]!.Release);
        var viaAgent = messages.Where(m => m!.Kind == "observation").Select(m => m!.Observation!).ToList();

        var viaHost = new List<Observation>();
        await using (var host = new HostTarget())
            await foreach (var o in host.RunAsync(scenarios, CancellationToken.None))
                viaHost.Add(o);

        Assert.Equal(viaHost.Select(Summary), viaAgent.Select(Summary));
        Assert.All(viaAgent, o => Assert.Equal("agent-test", o.Environment.Target));
        // What the agent saw is judged on this side, by the same oracle.
        Assert.Equal(
            viaHost.Select((o, i) => Core.Oracle.Oracle.Judge(scenarios[i], o).Class),
            viaAgent.Select((o, i) => Core.Oracle.Oracle.Judge(scenarios[i], o).Class));
    }

    private static string Summary(Observation o) =>
        $"{o.Scenario}: {string.Join(' ', o.Steps.Select(s => s.ToString()))} | {string.Join(' ', o.Checks.SelectMany(c => c.Views).Select(v => v.Path + ":" + string.Join(',', v.Blocks.Select(b => b.ToString()))))}";

    [Fact]
    public void MessagesFindTheirMarkerAmidConsoleNoise()
    {
        var line = "[    2.345] random console text " + AgentProtocol.Encode(new AgentMessage("hello", Release: "6.12.117+deb12-amd64"));
        Assert.Equal("6.12.117+deb12-amd64", AgentProtocol.Decode(line)!.Release);
        Assert.Null(AgentProtocol.Decode("no marker here"));
    }

    [Fact]
    public void AMatrixInstanceTravelsAsTextAndParsesBackUnderItsName()
    {
        var s = ScenarioFile.Parse(Matrix, "agent.scn")[1];
        var back = ScenarioText.From(s).Parse();
        Assert.Equal(s.Name, back.Name);
        Assert.Equal(s.AllSteps().Select(x => x.ToString()), back.AllSteps().Select(x => x.ToString()));
    }

    /// <summary>Whatever a command may send to an agent (every scenario file of the repository, and the scenarios
    /// `pinbridge policy` generates) must parse back there as the scenario the host judges it as.</summary>
    [Fact]
    public void EveryScenarioACommandCanSendParsesBackInTheAgent()
    {
        var root = System.IO.Path.Combine(RepositoryRoot.Path, "scenarios");
        var suites = Directory.GetDirectories(root).ToDictionary(
            d => System.IO.Path.GetFileName(d),
            d => Directory.EnumerateFiles(d, "*.scn").SelectMany(f => ScenarioFile.Parse(File.ReadAllText(f), f)).ToList());
        Assert.Contains("default", suites.Keys);
        Assert.All(suites, suite => Assert.NotEmpty(suite.Value));
        var generated = PolicyProbes.All().Select(PolicyProbes.ScenarioFor).ToList();
        Assert.NotEmpty(generated);
        Assert.All(suites.Values.SelectMany(s => s).Concat(generated), s =>
        {
            var back = ScenarioText.From(s).Parse();
            Assert.Equal(s.Name, back.Name);
            Assert.Equal(s.Geometry, back.Geometry);
            Assert.Equal(s.AllSteps().Select(x => x.ToString()), back.AllSteps().Select(x => x.ToString()));
        });
    }
}
