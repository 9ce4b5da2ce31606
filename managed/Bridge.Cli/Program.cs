using System.CommandLine;
using Bridge.Cli;
using Bridge.Cli.Commands;
using Bridge.Cli.Output;
using Bridge.Core.Scenarios;

var root = new RootCommand("Bridge: does data that a pinning path (O_DIRECT, io_uring fixed buffers, RDMA MRs) puts into file-backed pages reach the file? Runs scenarios on real kernels and on a model, judged by one oracle.")
{
    RunCommand.Create(),
    CheckCommand.Create(),
    ReproCommand.Create(),
    BisectCommand.Create(),
    SimCommand.Create(),
    ExploreCommand.Create(),
    ShrinkCommand.Create(),
    CompareCommand.Create(),
    ClassifyCommand.Create(),
    RegressCommand.Create(),
    KernelsCommand.Create(),
    ExecCommand.Create(),
    PolicyCommand.Create(),
    VerbsCommand.Create(),
    EngineCommand.Create(),
    RxeCommand.Create(),
    CleanupCommand.Create(),
    AgentCommand.Create(),
};

StandardOutput.Install();
var parse = root.Parse(args);
if (parse.Errors.Count > 0)
    return UsageErrors.Report(parse);
// SIGINT/SIGTERM cancel the token: the step in flight stops within a second, the scenario is reported as
// interrupted, everything the run set up is given back, and the command exits 130. A second signal exits at once.
using var interruption = Interruption.Install();
try
{
    var code = await parse.InvokeAsync(new InvocationConfiguration
    {
        EnableDefaultExceptionHandler = false,
        ProcessTerminationTimeout = null,
    }, interruption.Token);
    if (interruption.Signal is null)
        return code;
    Console.Error.WriteLine(interruption.Ending());
    return Interruption.ExitCode;
}
catch (ScenarioException e)
{
    foreach (var line in e.Report())
        Console.Error.WriteLine(line);
    return 2;
}
catch (OperationCanceledException) when (interruption.Signal is not null)
{
    Console.Error.WriteLine(interruption.Ending());
    return Interruption.ExitCode;
}
catch (UsageException e)
{
    Console.Error.WriteLine($"pinbridge: {e.Message}");
    return 2;
}
catch (OutputFailedException e)
{
    Console.Error.WriteLine($"pinbridge: {e.Message}");
    return e.Code;
}
catch (StandardOutputException e)
{
    var failed = OutputFailedException.Of(e);
    Console.Error.WriteLine($"pinbridge: {failed.Message}");
    return failed.Code;
}
