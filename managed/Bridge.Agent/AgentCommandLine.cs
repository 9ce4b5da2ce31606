using System.CommandLine;

namespace Bridge.Agent;

/// <summary>The agent's options and action, declared once: <c>pinbridge agent</c> (a subcommand of the CLI) and the
/// guest's native <c>pinbridge-agent</c> (a root command) both take them from here, so the two cannot drift.</summary>
public static class AgentCommandLine
{
    public const string Description = "Run the scenarios of a request on this kernel and stream observations (used inside containers and VMs).";

    /// <summary>Adds the options to <paramref name="command"/> and makes <see cref="AgentMain.Run"/> its action; an
    /// option combination the agent refuses is reported as "<paramref name="program"/>: why" with exit code 2.</summary>
    public static TCommand Configure<TCommand>(TCommand command, string program) where TCommand : Command
    {
        var request = new Option<string>("--request") { Description = "the request JSON file (- for standard input)", Required = true };
        var output = new Option<string?>("--output") { Description = "where to stream results (a virtio-serial port, a file); default standard output" };
        var untilStdinCloses = new Option<bool>("--until-stdin-closes") { Description = "stop (giving back what the run holds) when standard input reaches end of file: the harness that holds it open is gone" };
        command.Options.Add(request);
        command.Options.Add(output);
        command.Options.Add(untilStdinCloses);
        command.SetAction((parse, ct) =>
        {
            try
            {
                return Task.FromResult(AgentMain.Run(parse.GetValue(request)!, parse.GetValue(output), parse.GetValue(untilStdinCloses), ct));
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"{program}: {e.Message}");
                return Task.FromResult(UsageExitCode);
            }
        });
        return command;
    }

    /// <summary>The exit code of a command line the agent refuses (the CLI's, and sysexits' EX_USAGE family's 2).</summary>
    public const int UsageExitCode = 2;
}
