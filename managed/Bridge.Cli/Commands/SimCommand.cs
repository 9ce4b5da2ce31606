using System.CommandLine;

namespace Bridge.Cli.Commands;

/// <summary><c>bridge sim</c>: scenarios on the kernel model of a named era, judged by the same oracle.</summary>
public static class SimCommand
{
    public static Command Create()
    {
        var files = ScenarioOptions.Files();
        var suite = ScenarioOptions.Suite();
        var policy = PolicyOption();
        var report = new ReportWriter();
        var command = new Command("sim", "Run scenarios on the simulator with a kernel era's policy; same table, TAP and JSON as 'run', judged by the same oracle.")
        {
            files, suite, policy,
        };
        report.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var scenarios = ScenarioLoader.Load(parse.GetValue(files) ?? [], parse.GetValue(suite) ?? []);
            await using var target = TargetOption.Simulator(parse.GetValue(policy)!);
            var result = await RunCommand.Execute(target, scenarios, ct);
            report.Write(parse, result, Console.Out);
            return result.ExitCode;
        });
        return command;
    }

    public static Option<string> PolicyOption() => new("--policy")
    {
        Description = "the kernel era to model: linux-2019-legacy, linux-6.1, linux-6.5+ (aliases: legacy, linux-6.12, linux-6.18)",
        DefaultValueFactory = _ => "linux-6.5+",
    };
}
