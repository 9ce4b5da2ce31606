using Bridge.Core.Observations;
using Bridge.Linux.Backings;
using Bridge.Linux.Execution;
using Bridge.Linux.Interop;
using Bridge.Linux.Rdma;

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
        var rxe = SetUpRdmaIfNeeded(request, Send);
        using var scratch = new ScratchSpace();
        using var runner = new ScenarioRunner(scratch, request.Target);
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
        if (rxe)
            SoftRoce.Down();
        Send(new AgentMessage("done"));
        return 0;
    }

    /// <summary>A request with rdma-mr scenarios on a kernel with no RDMA device: try soft-RoCE (inside a VM that
    /// loaded rdma_rxe this succeeds; elsewhere the scenarios say why they were skipped).</summary>
    private static bool SetUpRdmaIfNeeded(AgentRequest request, Action<AgentMessage> send)
    {
        if (!request.Scenarios.Any(s => s.Text.Contains("rdma-mr", StringComparison.Ordinal)) || RdmaDevice.Unavailable is null)
            return false;
        if (!Directory.Exists("/sys/module/rdma_rxe"))
            return false;
        try
        {
            SoftRoce.Up();
            RdmaDevice.Reprobe();
            return true;
        }
        catch (ToolException e)
        {
            send(new AgentMessage("error", Error: $"soft-RoCE setup failed: {e.Message}"));
            return false;
        }
    }
}
