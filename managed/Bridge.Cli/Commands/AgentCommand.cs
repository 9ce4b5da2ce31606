using System.CommandLine;
using Bridge.Agent;

namespace Bridge.Cli.Commands;

/// <summary><c>pinbridge agent</c>: the side of a container or VM run that executes scenarios inside the target
/// (<see cref="AgentCommandLine"/>; a VM guest runs the same command compiled ahead of time, <c>pinbridge-agent</c>).</summary>
public static class AgentCommand
{
    public static Command Create() => AgentCommandLine.Configure(new Command("agent", AgentCommandLine.Description), "pinbridge");
}
