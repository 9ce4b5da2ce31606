using System.CommandLine;
using Bridge.Core.Probes;
using Bridge.Core.Scenarios;

namespace Bridge.Cli.Commands;

/// <summary><c>bridge policy</c>: the pin-policy table the running kernel actually applies, with the data.</summary>
public static class PolicyCommand
{
    public static Command Create()
    {
        var paths = new Option<string[]>("--path") { Description = $"pin paths to probe (default: all): {string.Join(", ", PinPathTable.All.Select(x => x.Name))}", AllowMultipleArgumentsPerToken = true };
        var target = new TargetOption();
        var timeout = TimeoutOption.Create();
        var report = new ReportWriter();
        var command = new Command("policy", "Probe every backing × shared/private × pin path × access on the target's kernel: whether the long-term pin is allowed (or its errno) and whether data through it reached the file.")
        {
            paths, timeout,
        };
        target.AddTo(command);
        report.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var requested = parse.GetValue(paths) is { Length: > 0 } p ? p : null;
            IReadOnlyList<PolicyProbe> probes;
            try
            {
                probes = PolicyProbes.All(requested);
            }
            catch (ArgumentException e)
            {
                throw new UsageException($"{e.Message}; expected one of: {string.Join(", ", PinPathTable.All.Select(x => x.Name))}");
            }
            var scenarios = probes.Select(PolicyProbes.ScenarioFor).ToList();
            await using var t = target.Open(parse, parse.GetValue(timeout));
            var result = await RunCommand.Execute(t, scenarios, ct);
            if (parse.GetValue(report.Json) || parse.GetValue(report.Tap))
            {
                report.Write(parse, result, Console.Out);
            }
            else
            {
                var outcomes = probes.Zip(result.Runs).Select(x => ProbeOutcome.From(x.First, x.Second.Scenario, x.Second.Observation, x.Second.Verdict)).ToList();
                var kernel = result.Runs.FirstOrDefault()?.Observation.Environment.KernelRelease ?? "?";
                Console.Write(ProbeTable.Render(outcomes, kernel));
            }
            return result.ExitCode;
        });
        return command;
    }
}
