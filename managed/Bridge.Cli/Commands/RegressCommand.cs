using System.CommandLine;
using Bridge.Cli.Output;

namespace Bridge.Cli.Commands;

/// <summary><c>pinbridge regress</c>: the same scenarios on several kernels, side by side, differences marked.</summary>
public static class RegressCommand
{
    public static Command Create()
    {
        var selection = new ScenarioSelection();
        var targets = new Option<string[]>("--targets")
        {
            Description = "comma-separated targets, e.g. host,vm:debian-6.1,vm:debian-6.12@6.12.111 (any of: " + TargetOption.Help + "); default: host and the newest kernel of every line 'pinbridge kernels' lists",
            CustomParser = r => r.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries)).ToArray(),
        };
        var timeout = TimeoutOption.Create();
        var output = new OutputOptions();
        var command = new Command("regress", "Run the scenarios on each target (kernel) in turn and print the scenario × kernel table of step results and verdicts, marking every row that differs between kernels. KTAP nests one subtest block per kernel; results.json, junit.xml and report.html hold every kernel. Exit 0: no findings on any kernel; 1: findings; 2: usage errors; 4: nothing judged anywhere.")
        {
            targets, timeout,
        };
        selection.AddTo(command);
        output.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var scenarios = selection.Load(parse);
            if (selection.Listed(parse, scenarios))
                return 0;
            var specs = parse.GetValue(targets) is { Length: > 0 } given
                ? given
                : ["host", .. TargetOption.Recipe().KernelLines.Keys.Order(StringComparer.Ordinal).Select(line => $"vm:{line}")];
            var opened = specs.Select(s => TargetOption.Open(s, stepTimeout: parse.GetValue(timeout))).ToList(); // every spec is checked before any boots
            if (opened.Select(t => t.Name).Distinct().Count() < opened.Count)
                throw new UsageException($"--targets names a target twice ({string.Join(",", opened.Select(t => t.Name))}); expected each once");
            using var pipeline = output.Pipeline(parse, "regress", [.. opened.Select(t => t.Name)], scenarios.Count);
            var results = await pipeline.RunAsync(async p =>
            {
                foreach (var target in opened)
                {
                    await using (target)
                        await p.RunTargetAsync(target, scenarios, ct);
                }
            });
            return results.ExitCode;
        });
        return command;
    }
}
