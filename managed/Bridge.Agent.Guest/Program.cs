using System.CommandLine;
using System.Runtime.InteropServices;
using Bridge.Agent;

// pinbridge-agent: `pinbridge agent` compiled ahead of time for VM guests, with the same options and action
// (AgentCommandLine); see Bridge.Agent.Guest.csproj for why.
const string Program = "pinbridge-agent";
var parse = AgentCommandLine.Configure(new RootCommand(AgentCommandLine.Description), Program).Parse(args);
if (parse.Errors.Count > 0)
{
    foreach (var error in parse.Errors)
        Console.Error.WriteLine($"{Program}: {error.Message}");
    return AgentCommandLine.UsageExitCode;
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
    return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null }, interrupt.Token);
}
catch (OperationCanceledException) when (interrupt.IsCancellationRequested)
{
    return 130;
}
