using System.CommandLine;
using Bridge.Cli.Output;
using Bridge.Core.Reports;

namespace Bridge.Cli.Commands;

/// <summary><c>pinbridge run</c>: scenarios on a real kernel, judged by the oracle.</summary>
public static class RunCommand
{
    public static Command Create()
    {
        var selection = new ScenarioSelection();
        var target = new TargetOption();
        var output = new OutputOptions();
        var timeout = TimeoutOption.Create();
        var bisectExit = new Option<bool>("--bisect-exit")
        {
            Description = $"exit as `git bisect run` expects: {Bisect.Good} good (every verdict allowed), {Bisect.Bad} bad (findings), " +
                          $"{Bisect.CannotTest} cannot test (the kernel did not boot, every scenario skipped, or a pin refused: see --bisect-refused)",
        };
        var bisectRefused = new Option<BisectRefusal>("--bisect-refused")
        {
            Description = "with --bisect-exit, what a refused pin means: skip (default: this kernel cannot show the finding), good, or bad (bisecting the refusal itself)",
            DefaultValueFactory = _ => BisectRefusal.Skip,
        };
        var command = new Command("run", "Run scenarios on a real kernel and judge every block with the oracle. Exit 0: every verdict allowed; 1: findings; 2: usage or input errors; 4: nothing judged (every scenario skipped); with --bisect-exit, git bisect run's codes (125: cannot test).")
        {
            timeout, bisectExit, bisectRefused,
        };
        selection.AddTo(command);
        target.AddTo(command);
        output.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var scenarios = selection.Load(parse);
            if (selection.Listed(parse, scenarios))
                return 0;
            var t = target.Open(parse, parse.GetValue(timeout));
            await using (t)
            {
                // Interrupted, the pipeline prints and writes what was judged (the interrupted scenario last; KTAP
                // ends in Bail out!) and the cancellation goes on: the command exits 130.
                using var pipeline = output.Pipeline(parse, "run", [t.Name], scenarios.Count);
                var results = await pipeline.RunAsync(p => p.RunTargetAsync(t, scenarios, ct));
                return parse.GetValue(bisectExit) ? results.Targets[0].BisectExitCode(parse.GetValue(bisectRefused)) : results.ExitCode;
            }
        });
        return command;
    }
}
