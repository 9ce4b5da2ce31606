using System.CommandLine;
using Bridge.Cli.Output;
using Bridge.Cli.Terminal;
using Bridge.Core.Probes;
using Bridge.Core.Scenarios;

namespace Bridge.Cli.Commands;

/// <summary><c>pinbridge policy</c>: the pin-policy table the running kernel actually applies, with the data.</summary>
public static class PolicyCommand
{
    public static Command Create()
    {
        var paths = new Option<string[]>("--path") { Description = $"pin paths to probe (default: all): {string.Join(", ", PinPathTable.All.Select(x => x.Name))}", AllowMultipleArgumentsPerToken = true };
        var only = new Option<string[]>("--only") { Description = "probe only the cells whose name matches PATTERN (repeatable), e.g. 'policy[ext4,shared,*]'" };
        var list = new Option<bool>("--list") { Description = "print the probes' names, one per line, and run nothing" };
        var target = new TargetOption();
        var timeout = TimeoutOption.Create();
        var output = new OutputOptions();
        var command = new Command("policy", "Probe every backing × shared/private × pin path × access on the target's kernel: whether the long-term pin is allowed (or its errno) and whether data the device wrote through it — also after writeback cleaned the page — reached the file. Exit codes as 'run'.")
        {
            paths, only, list, timeout,
        };
        target.AddTo(command);
        output.AddTo(command);
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
            var scenarios = ScenarioSelection.Select([.. probes.Select(PolicyProbes.ScenarioFor)], parse.GetValue(only) ?? []);
            if (parse.GetValue(list))
            {
                Console.Out.Write(string.Concat(scenarios.Select(s => s.Name + "\n")));
                return 0;
            }
            await using var t = target.Open(parse, parse.GetValue(timeout));
            using var pipeline = output.Pipeline(parse, "policy", [t.Name], scenarios.Count, (console, results) => PolicyTable.Write(console, results, probes));
            var results = await pipeline.RunAsync(x => x.RunTargetAsync(t, scenarios, ct));
            return results.ExitCode;
        });
        return command;
    }
}
