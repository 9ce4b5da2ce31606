using System.Runtime.InteropServices;
using Bridge.Agent;

// pinbridge-agent --request FILE|- [--output PATH] [--until-stdin-closes]: `pinbridge agent`, compiled ahead of time
// for VM guests (the same AgentMain); see Bridge.Agent.Guest.csproj for why.
const string Usage = "usage: pinbridge-agent --request FILE|- [--output PATH] [--until-stdin-closes]";
string? request = null, output = null;
var untilStdinCloses = false;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--request" when i + 1 < args.Length:
            request = args[++i];
            break;
        case "--output" when i + 1 < args.Length:
            output = args[++i];
            break;
        case "--until-stdin-closes":
            untilStdinCloses = true;
            break;
        default:
            Console.Error.WriteLine($"pinbridge-agent: unexpected '{args[i]}'; {Usage}");
            return 2;
    }
}
if (request is null)
{
    Console.Error.WriteLine($"pinbridge-agent: --request is required; {Usage}");
    return 2;
}

// SIGINT/SIGTERM stop the step in flight: the scenario is reported as interrupted and the run gives back what it holds.
using var interrupt = new CancellationTokenSource();
void OnSignal(PosixSignalContext context)
{
    context.Cancel = true;
    interrupt.Cancel();
}
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
try
{
    return AgentMain.Run(request, output, untilStdinCloses, interrupt.Token);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"pinbridge-agent: {e.Message}");
    return 2;
}
catch (OperationCanceledException) when (interrupt.IsCancellationRequested)
{
    return 130;
}
