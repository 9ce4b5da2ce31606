// `make container-test`: runs `make test` (or the command after --) inside the Bridge test container.
// A .NET file-based program (dotnet run --file), so the orchestration lives in Bridge.Targets, where the CLI
// reuses it, and no extra project is needed. Usage: see Usage() below; container-test.sh is the entry point.
#:project ../../managed/Bridge.Targets/Bridge.Targets.csproj

using System.Globalization;
using System.Runtime.InteropServices;
using Bridge.Targets.Container;

string? repo = null;
var keepEngine = false;
var timeout = TimeSpan.FromMinutes(60);
List<string> command = ["make", "test"];
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--repo" when i + 1 < args.Length:
            repo = args[++i];
            break;
        case "--keep-engine":
            keepEngine = true;
            break;
        case "--timeout-minutes" when i + 1 < args.Length:
            if (!int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out var minutes) || minutes <= 0)
                return Usage($"--timeout-minutes '{args[i]}' is not a positive whole number of minutes");
            timeout = TimeSpan.FromMinutes(minutes);
            break;
        case "--":
            command = [.. args[(i + 1)..]];
            if (command.Count == 0)
                return Usage("no command after --");
            i = args.Length;
            break;
        default:
            return Usage($"unexpected argument '{args[i]}'");
    }
}
if (repo is null)
    return Usage("--repo DIR is required");

// Ctrl-C and SIGTERM cancel the run instead of killing the process, so the container is still removed, the
// loop devices detached and a private engine this run started stopped.
using var cancel = new CancellationTokenSource();
void OnSignal(PosixSignalContext context)
{
    context.Cancel = true;
    Console.Error.WriteLine($"container-test: {context.Signal}; cleaning up");
    cancel.Cancel();
}
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

try
{
    return await ContainerTest.RunAsync(
        new ContainerTestOptions { RepositoryRoot = repo, Command = command, Timeout = timeout, KeepEngine = keepEngine },
        line => Console.Error.WriteLine("container-test: " + line),
        line =>
        {
            if (line.Stream == OutputStream.StdErr)
                Console.Error.WriteLine(line.Text);
            else
                Console.Out.WriteLine(line.Text);
        },
        cancel.Token);
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    Console.Error.WriteLine("container-test: cancelled; container removed");
    return 130;
}
catch (Exception e) when (e is ContainerException or ArgumentException)
{
    Console.Error.WriteLine("container-test: " + e.Message);
    return e is EngineUnavailableException ? 3 : 2;
}

static int Usage(string problem)
{
    Console.Error.WriteLine($"container-test: {problem}");
    Console.Error.WriteLine("usage: container-test.sh [--keep-engine] [--timeout-minutes N] [-- COMMAND ARGS...]   (default command: make test)");
    return 2;
}
