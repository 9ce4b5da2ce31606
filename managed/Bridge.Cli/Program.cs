using System.CommandLine;
using Bridge.Cli;
using Bridge.Cli.Commands;
using Bridge.Cli.Output;
using Bridge.Core.Scenarios;

var root = new RootCommand("Bridge: does data that a pinning path (O_DIRECT, io_uring fixed buffers, RDMA MRs) puts into file-backed pages reach the file? Runs scenarios on real kernels and on a model, judged by one oracle.")
{
    RunCommand.Create(),
    CheckCommand.Create(),
    SimCommand.Create(),
    CompareCommand.Create(),
    ClassifyCommand.Create(),
    RegressCommand.Create(),
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
try
{
    // On SIGINT/SIGTERM the token is cancelled and the run winds down at the next scenario boundary, unmounting
    // scratch filesystems and removing containers and VMs; only a call that never returns is cut short.
    return await parse.InvokeAsync(new InvocationConfiguration
    {
        EnableDefaultExceptionHandler = false,
        ProcessTerminationTimeout = TimeSpan.FromSeconds(60),
    });
}
catch (ScenarioException e)
{
    foreach (var line in e.Report())
        Console.Error.WriteLine(line);
    return 2;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("bridge: interrupted; everything the run set up was removed");
    return 130;
}
catch (UsageException e)
{
    Console.Error.WriteLine($"bridge: {e.Message}");
    return 2;
}
catch (OutputFailedException e)
{
    Console.Error.WriteLine($"bridge: {e.Message}");
    return e.Code;
}
catch (StandardOutputException e)
{
    var failed = OutputFailedException.Of(e);
    Console.Error.WriteLine($"bridge: {failed.Message}");
    return failed.Code;
}
