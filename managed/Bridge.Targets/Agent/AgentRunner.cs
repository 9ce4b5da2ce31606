using Bridge.Core.Observations;
using Bridge.Core.Scenarios;
using Bridge.Linux.Backings;
using Bridge.Linux.Execution;
using Bridge.Linux.Interop;
using Bridge.Linux.PinPaths;

namespace Bridge.Targets.Agent;

/// <summary>The agent inside a target: runs the requested scenarios with the real-kernel executor and streams
/// each Observation as soon as it exists.</summary>
public static class AgentRunner
{
    public static int Run(AgentRequest request, TextWriter output)
    {
        void Send(AgentMessage m)
        {
            output.WriteLine(AgentProtocol.Encode(m));
            output.Flush();
        }

        Send(new AgentMessage("hello", Release: SystemInfo.KernelRelease));
        var parsed = request.Scenarios.Select(Parse).ToList();
        var devices = SetUpDevices(parsed.Select(p => p.Scenario).OfType<Scenario>(), Send);
        using var scratch = new ScratchSpace();
        using var runner = new ScenarioRunner(scratch, request.Target);
        foreach (var (text, scenario, error) in parsed)
        {
            Observation observation;
            try
            {
                observation = scenario is not null ? runner.Run(scenario) : throw error!;
            }
            catch (Exception e) when (e is ScenarioException or SysException or IOException)
            {
                Send(new AgentMessage("error", Error: $"{text.Name}: {e.Message}"));
                continue;
            }
            Send(new AgentMessage("observation", Observation: observation));
        }
        foreach (var device in devices)
            device.Dispose();
        Send(new AgentMessage("done"));
        return 0;
    }

    private static (ScenarioText Text, Scenario? Scenario, ScenarioException? Error) Parse(ScenarioText text)
    {
        try
        {
            return (text, text.Parse(), null);
        }
        catch (ScenarioException e)
        {
            return (text, null, e);
        }
    }

    /// <summary>The devices of the pin paths the scenarios use that this kernel can provide but has not set up (inside
    /// a VM that loaded rdma_rxe: soft-RoCE); elsewhere the scenarios say why they were skipped.</summary>
    private static List<IDisposable> SetUpDevices(IEnumerable<Scenario> scenarios, Action<AgentMessage> send)
    {
        var devices = new List<IDisposable>();
        foreach (var path in scenarios.SelectMany(s => s.AllSteps()).Where(s => s.Effect == Effect.Pin).Select(s => s.PinPath).Distinct())
        {
            try
            {
                if (PinPathRegistry.For(path).SetUpDevice() is { } device)
                    devices.Add(device);
            }
            catch (ToolException e)
            {
                send(new AgentMessage("error", Error: $"{path.Name}: setting up its device failed: {e.Message}"));
            }
        }
        return devices;
    }
}
