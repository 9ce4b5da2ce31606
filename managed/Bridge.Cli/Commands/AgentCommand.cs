using System.CommandLine;
using Bridge.Agent;

namespace Bridge.Cli.Commands;

/// <summary><c>pinbridge agent</c>: the side of a container or VM run that executes scenarios inside the target
/// (<see cref="AgentMain"/>; a VM guest runs the same code compiled ahead of time, <c>pinbridge-agent</c>).</summary>
public static class AgentCommand
{
    public static Command Create()
    {
        var request = new Option<string>("--request") { Description = "the request JSON file (- for standard input)", Required = true };
        var output = new Option<string?>("--output") { Description = "where to stream results (a virtio-serial port, a file); default standard output" };
        var untilStdinCloses = new Option<bool>("--until-stdin-closes") { Description = "stop (giving back what the run holds) when standard input reaches end of file: the harness that holds it open is gone" };
        var command = new Command("agent", "Run the scenarios of a request on this kernel and stream observations (used inside containers and VMs).")
        {
            request, output, untilStdinCloses,
        };
        command.SetAction((parse, ct) =>
        {
            try
            {
                return Task.FromResult(AgentMain.Run(parse.GetValue(request)!, parse.GetValue(output), parse.GetValue(untilStdinCloses), ct));
            }
            catch (ArgumentException e)
            {
                throw new UsageException(e.Message);
            }
        });
        return command;
    }
}
