using System.CommandLine;
using Bridge.Cli.Output;

namespace Bridge.Cli.Commands;

/// <summary><c>pinbridge sim</c>: scenarios on the kernel model of a named era, judged by the same oracle.</summary>
public static class SimCommand
{
    public static Command Create()
    {
        var selection = new ScenarioSelection();
        var policy = PolicyOption();
        var output = new OutputOptions();
        var command = new Command("sim", "Run scenarios on the simulator with a kernel era's policy; same table, KTAP, JSON and --output files as 'run', judged by the same oracle. Exit codes as 'run'.")
        {
            policy,
        };
        selection.AddTo(command);
        output.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var scenarios = selection.Load(parse);
            if (selection.Listed(parse, scenarios))
                return 0;
            await using var target = TargetOption.Simulator(parse.GetValue(policy)!);
            using var pipeline = output.Pipeline(parse, "sim", [target.Name], scenarios.Count);
            var results = await pipeline.RunAsync(p => p.RunTargetAsync(target, scenarios, ct));
            return results.ExitCode;
        });
        return command;
    }

    public static Option<string> PolicyOption() => new("--policy")
    {
        Description = "the kernel era to model: linux-2019-legacy, linux-6.1, linux-6.5+ (aliases: legacy, linux-6.12, linux-6.18)",
        DefaultValueFactory = _ => "linux-6.5+",
    };
}
