using System.CommandLine;
using Bridge.Core.Reports;

namespace Bridge.Cli.Commands;

/// <summary><c>bridge regress</c>: the same scenarios on several kernels, side by side, differences marked.</summary>
public static class RegressCommand
{
    public static Command Create()
    {
        var files = ScenarioOptions.Files();
        var suite = ScenarioOptions.Suite();
        var targets = new Option<string[]>("--targets")
        {
            Description = "comma-separated targets, e.g. host,vm:debian-6.1,vm:debian-6.12@6.12.111 (any of: " + TargetOption.Help + "); default: host and the newest kernel of every line 'bridge kernels' lists",
            CustomParser = r => r.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries)).ToArray(),
        };
        var timeout = TimeoutOption.Create();
        var report = new ReportWriter();
        var command = new Command("regress", "Run the scenarios on each target (kernel) in turn and print the scenario × kernel table of step results and verdicts, marking every row that differs between kernels. Exit 0: no findings on any kernel; 1: findings; 2: usage errors.")
        {
            files, suite, targets, timeout,
        };
        report.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var scenarios = ScenarioLoader.Load(parse.GetValue(files) ?? [], parse.GetValue(suite) ?? []);
            var specs = parse.GetValue(targets) is { Length: > 0 } given
                ? given
                : ["host", .. TargetOption.Recipe().KernelLines.Keys.Order(StringComparer.Ordinal).Select(line => $"vm:{line}")];
            var opened = specs.Select(s => TargetOption.Open(s, stepTimeout: parse.GetValue(timeout))).ToList(); // every spec is checked before any boots
            var runs = new List<RunReport>();
            foreach (var target in opened)
            {
                await using (target)
                    runs.Add(await RunCommand.Execute(target, scenarios, ct));
            }
            var regress = new RegressReport(runs);
            if (parse.GetValue(report.Json) || parse.GetValue(report.Tap))
                foreach (var run in runs)
                    report.Write(parse, run, Console.Out);
            else
                Console.Write(regress.RenderTable());
            return regress.ExitCode;
        });
        return command;
    }
}
