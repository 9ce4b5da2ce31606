using Bridge.Core.Observations;
using Bridge.Core.Scenarios;
using Bridge.Linux.Backings;
using Bridge.Linux.Execution;
using Bridge.Linux.Host;
using Bridge.Linux.Interop;
using Bridge.Linux.PinPaths;
using Bridge.Linux.Rdma;

namespace Bridge.Agent;

/// <summary>The agent inside a target: runs the requested scenarios with the real-kernel executor and streams
/// each Observation as soon as it exists. Interrupted (a container's agent gets SIGTERM when the host's run is), it
/// reports the scenario in flight as interrupted, gives back what it holds and ends with
/// <see cref="OperationCanceledException"/> instead of <c>done</c>.</summary>
public static class AgentRunner
{
    /// <summary>What an agent's own ledger can hold: the executor's resources (what a target sets up is the host's).</summary>
    public static IReadOnlyList<LeftoverKind> Leftovers { get; } = [ScratchSpace.Leftover, HugePages.Leftover, ChildProcess.Leftover, SoftRoce.Leftover];

    public static int Run(AgentRequest request, TextWriter output, CancellationToken interrupt = default)
    {
        void Send(AgentMessage m)
        {
            output.WriteLine(AgentProtocol.Encode(m));
            output.Flush();
        }

        Send(new AgentMessage("hello", Release: SystemInfo.KernelRelease));
        var parsed = request.Scenarios.Select(Parse).ToList();
        var devices = SetUpDevices(parsed.Select(p => p.Scenario).OfType<Scenario>(), Send);
        using (var scratch = new ScratchSpace())
        using (var runner = new ScenarioRunner(scratch, request.Target)
        {
            StepTimeout = request.StepTimeout,
            KeepImagesIn = request.KeepImages is { } keep ? keep.FolderFor : null,
            CutPower = request.CutsPower ? (observation, point) => AwaitPowerCut(observation, point, Send) : null,
        })
        {
            if (request.Resume is { } point)
                Resume(parsed[0], point, runner, Send, interrupt);
            RunAll(request.Resume is null ? parsed : parsed[1..], runner, Send, interrupt);
        }
        foreach (var device in devices)
            device.Dispose();
        interrupt.ThrowIfCancellationRequested();
        Send(new AgentMessage("done"));
        return 0;
    }

    private static void RunAll(List<(ScenarioText Text, Scenario? Scenario, ScenarioException? Error)> parsed, ScenarioRunner runner, Action<AgentMessage> send, CancellationToken interrupt)
    {
        foreach (var (text, scenario, error) in parsed)
        {
            if (interrupt.IsCancellationRequested)
                return;
            Observation observation;
            try
            {
                observation = scenario is not null ? runner.Run(scenario, interrupt: interrupt) : throw error!;
            }
            catch (Exception e) when (e is ScenarioException or SysException or IOException)
            {
                send(new AgentMessage("error", Error: $"{text.Name}: {e.Message}"));
                continue;
            }
            send(new AgentMessage("observation", Observation: observation));
        }
    }

    /// <summary>At a crash step: reports the steps so far and where to go on, then waits for the host to cut the power
    /// (it kills qemu). Nothing is closed, unmapped or unmounted first: that could write back what the cut must lose.</summary>
    private static void AwaitPowerCut(Observation observation, PowerCutPoint point, Action<AgentMessage> send)
    {
        send(new AgentMessage("power-cut", Observation: observation, PowerCut: point));
        Thread.Sleep(Timeout.Infinite);
    }

    private static void Resume((ScenarioText Text, Scenario? Scenario, ScenarioException? Error) parsed, PowerCutPoint point, ScenarioRunner runner,
        Action<AgentMessage> send, CancellationToken interrupt)
    {
        var scenario = parsed.Scenario ?? throw parsed.Error!;
        send(new AgentMessage("observation", Observation: runner.Resume(scenario, point, interrupt)));
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
        Console.Error.WriteLine("pinbridge agent: the harness is gone (standard input closed); giving back what this run holds and stopping");
        foreach (var left in LedgerSweep.GiveBackOwnAsync(Leftovers).GetAwaiter().GetResult().Where(l => l.Failure is not null))
            Console.Error.WriteLine($"pinbridge agent: could not give back {left}");
        Environment.Exit(1);
    })
    { IsBackground = true, Name = "bridge-harness-watch" }.Start();

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
