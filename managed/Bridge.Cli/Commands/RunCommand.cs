using System.CommandLine;
using Bridge.Cli.Output;

namespace Bridge.Cli.Commands;

/// <summary><c>pinbridge run</c>: scenarios on a real kernel, judged by the oracle.</summary>
public static class RunCommand
{
    public static Command Create()
    {
        var selection = new ScenarioSelection();
        var target = new TargetOption();
        var output = new OutputOptions();
        var command = new Command("run", "Run scenarios on a real kernel and judge every block with the oracle. Exit 0: every verdict allowed; 1: findings; 2: usage or input errors; 4: nothing judged (every scenario skipped).");
        selection.AddTo(command);
        target.AddTo(command);
        output.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var scenarios = selection.Load(parse);
            if (selection.Listed(parse, scenarios))
                return 0;
            var t = target.Open(parse);
            await using (t)
            {
                using var pipeline = output.Pipeline(parse, "run", [t.Name], scenarios.Count);
                var results = await pipeline.RunAsync(p => p.RunTargetAsync(t, scenarios, ct));
                return results.ExitCode;
            }
        });
        return command;
    }
}
