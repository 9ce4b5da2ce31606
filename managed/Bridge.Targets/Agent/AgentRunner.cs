using Bridge.Core.Observations;
using Bridge.Linux.Backings;
using Bridge.Linux.Execution;
using Bridge.Linux.Host;
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
        if (rxe is { } entry)
        {
            SoftRoce.Down();
            RunLedger.Current.Release(entry);
        }
        Send(new AgentMessage("done"));
        return 0;
    }

    /// <summary>Watches standard input, which the harness that started this agent holds open (a container's attach):
    /// at end of file the harness is gone, so the agent gives back what its run holds and exits instead of running
    /// the rest of the suite for no one.</summary>
    public static void ExitWhenStdinCloses() => new Thread(() =>
    {
        using (var stdin = Console.OpenStandardInput())
        {
            var buffer = new byte[256];
            while (stdin.Read(buffer) > 0)
            {
                // Nothing is ever sent; only the end matters.
            }
        }
        Console.Error.WriteLine("bridge agent: the harness is gone (standard input closed); giving back what this run holds and stopping");
        foreach (var left in LedgerSweep.GiveBackOwnAsync(Leftovers.All).GetAwaiter().GetResult().Where(l => l.Failure is not null))
            Console.Error.WriteLine($"bridge agent: could not give back {left}");
        Environment.Exit(1);
    })
    { IsBackground = true, Name = "bridge-harness-watch" }.Start();

    /// <summary>A request with rdma-mr scenarios on a kernel with no RDMA device: try soft-RoCE (inside a VM that
    /// loaded rdma_rxe this succeeds; elsewhere the scenarios say why they were skipped).</summary>
    private static LedgerEntry? SetUpRdmaIfNeeded(AgentRequest request, Action<AgentMessage> send)
    {
        if (!request.Scenarios.Any(s => s.Text.Contains("rdma-mr", StringComparison.Ordinal)) || RdmaDevice.Unavailable is null)
            return null;
        if (!Directory.Exists("/sys/module/rdma_rxe") || SoftRoce.IsUp)
            return null;
        var entry = RunLedger.Current.Take(SoftRoce.Leftover.Kind, SoftRoce.Device);
        try
        {
            SoftRoce.Up();
            RdmaDevice.Reprobe();
            return entry;
        }
        catch (ToolException e)
        {
            send(new AgentMessage("error", Error: $"soft-RoCE setup failed: {e.Message}"));
            return entry; // half set up: taken down at the end like a whole one
        }
    }
}
