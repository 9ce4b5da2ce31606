using Bridge.Core.Observations;
using Bridge.Linux.Backings;
using Bridge.Linux.Execution;
using Bridge.Linux.Interop;

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
        using var scratch = new ScratchSpace();
        var runner = new ScenarioRunner(scratch, request.Target);
        foreach (var text in request.Scenarios)
        {
            Observation observation;
            try
            {
                observation = runner.Run(text.Parse());
            }
            catch (Exception e) when (e is Core.Scenarios.ScenarioException or SysException or IOException)
            {
                Send(new AgentMessage("error", Error: $"{text.Name}: {e.Message}"));
                continue;
            }
            Send(new AgentMessage("observation", Observation: observation));
        }
        Send(new AgentMessage("done"));
        return 0;
    }
}
