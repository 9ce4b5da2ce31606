using System.CommandLine;
using Bridge.Cli.Output;
using Bridge.Cli.Terminal;
using Bridge.Core.Reports;
using Bridge.Targets.Analysis;

namespace Bridge.Cli.Commands;

/// <summary><c>pinbridge compare</c>: each scenario on a real kernel and on the model; every disagreement, step by step
/// and block by block. Where they disagree, either the model or the kernel is wrong: that is a finding.</summary>
public static class CompareCommand
{
    public static Command Create()
    {
        var selection = new ScenarioSelection();
        var policy = SimCommand.PolicyOption();
        var target = new TargetOption();
        var timeout = TimeoutOption.Create();
        var json = new Option<bool>("--json") { Description = "print one JSON document: every scenario's result and each disagreement (step, file, read path, block, kernel vs model)" };
        var command = new Command("compare", "Run scenarios on a real kernel (--target) and on the simulator (--policy) and report every disagreement: step results (errno) and per-block verdict classes. Exit 0: they agree; 1: disagreements; 2: usage errors; 4: nothing compared (the kernel ran none of them).")
        {
            policy, json, timeout,
        };
        selection.AddTo(command);
        target.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var scenarios = selection.Load(parse);
            if (selection.Listed(parse, scenarios))
                return 0;
            await using var real = target.Open(parse, parse.GetValue(timeout));
            await using var sim = TargetOption.Simulator(parse.GetValue(policy)!);
            string? kernel = null;
            IReadOnlyList<ScenarioComparison> results;
            using (var progress = new ProgressLine(ProgressLine.Wanted))
            {
                progress.Target(real.Name, scenarios.Count);
                results = await ModelComparison.CompareAsync(real, sim, scenarios, (name, o) =>
                {
                    if (name == real.Name)
                        kernel ??= o.Environment.KernelRelease;
                    progress.Finished(o.Environment.KernelRelease, false, null);
                    if (name == real.Name && o.Scenario == scenarios[^1].Name)
                        progress.Target(sim.Name, scenarios.Count);
                }, ct);
            }
            var exit = results.All(r => r.NotCompared is not null) ? ExitCodes.NothingJudged
                : results.Any(r => r.NotCompared is null && !r.Agrees) ? ExitCodes.Findings
                : ExitCodes.Pass;
            if (parse.GetValue(json))
                Console.Out.WriteLine(AnalysisJson.Compare(real.Name, kernel, sim.Name, results, exit));
            else
                AnalysisTables.Compare(TerminalConsole.For(Console.Out, StandardOutput.IsTerminal), $"{real.Name}{(kernel is null ? "" : $" ({kernel})")} vs {sim.Name}", results);
            return exit;
        });
        return command;
    }
}
