using System.CommandLine;
using Bridge.Targets.Agent;

namespace Bridge.Cli.Commands;

/// <summary><c>pinbridge agent</c>: the side of a container or VM run that executes scenarios inside the target.</summary>
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
            _ = AgentProtocol.PrepareAsync(); // on another CPU, while the request is read and decoded
            var path = parse.GetValue(request)!;
            if (parse.GetValue(untilStdinCloses))
            {
                if (path == "-")
                    throw new UsageException("--until-stdin-closes needs --request FILE: standard input is the harness's lifeline, not the request");
                AgentRunner.ExitWhenStdinCloses();
            }
            var json = path == "-" ? Console.In.ReadToEnd() : File.ReadAllText(path);
            var target = parse.GetValue(output);
            using var writer = target is null ? null : new StreamWriter(File.Open(target, FileMode.Append, FileAccess.Write));
            return Task.FromResult(AgentRunner.Run(AgentProtocol.DecodeRequest(json), writer ?? Console.Out, ct));
        });
        return command;
    }
}
