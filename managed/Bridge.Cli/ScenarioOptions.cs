using System.CommandLine;

namespace Bridge.Cli;

/// <summary>The scenario-selecting arguments shared by run, sim, compare and regress.</summary>
public static class ScenarioOptions
{
    public static Argument<string[]> Files() => new("files") { Arity = ArgumentArity.ZeroOrMore, Description = "scenario files (.scn), single or matrix" };

    public static Option<string[]> Suite() => new("--suite")
    {
        Description = "every scenario under scenarios/NAME (repeatable): default, seed, policy, …",
        AllowMultipleArgumentsPerToken = true,
    };
}
