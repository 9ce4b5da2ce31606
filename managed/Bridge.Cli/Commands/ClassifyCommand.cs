using System.CommandLine;
using Bridge.Cli.Output;
using Bridge.Cli.Terminal;
using Bridge.Core.Reports;
using Bridge.Targets.Analysis;

namespace Bridge.Cli.Commands;

/// <summary><c>pinbridge classify</c>: which kernel era's policy the target's kernel behaves like, with the evidence.</summary>
public static class ClassifyCommand
{
    public static Command Create()
    {
        var target = new TargetOption();
        var verdicts = new Option<bool>("--verdicts") { Description = "also require the per-block verdicts to match, not only the step results" };
        var json = new Option<bool>("--json") { Description = "print one JSON document: each discriminating scenario with the kernel's outcome and every era's prediction, and each era's fit" };
        var command = new Command("classify", "Run the scenarios that tell the modelled eras apart (from scenarios/policy and scenarios/seed) on the target and print, per scenario, what the kernel did and what each era predicts; name the era its kernel matches, or where it deviates from each. Exit 0: one era matches; 1: none does (or several); 4: nothing compared (every discriminating scenario was skipped).")
        {
            verdicts, json,
        };
        target.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var discriminating = EraClassification.Discriminating(ScenarioLoader.Load([], ["policy", "seed"]));
            await using var t = target.Open(parse);
            EraClassification classification;
            using (var progress = new ProgressLine(ProgressLine.Wanted))
            {
                progress.Target(t.Name, discriminating.Count);
                classification = await EraClassification.ClassifyAsync(t, discriminating, parse.GetValue(verdicts),
                    (_, o) => progress.Finished(o.Environment.KernelRelease, false, null), ct);
            }
            var exit = classification.NothingCompared ? ExitCodes.NothingJudged : classification.OneEraMatches ? ExitCodes.Pass : ExitCodes.Findings;
            if (parse.GetValue(json))
                Console.Out.WriteLine(AnalysisJson.Classify(t.Name, classification, exit));
            else
                AnalysisTables.Classify(TerminalConsole.For(Console.Out, StandardOutput.IsTerminal),
                    $"kernel {classification.KernelRelease} on {t.Name}: {classification.DiscriminatingScenarios} scenarios tell the eras apart", classification);
            return exit;
        });
        return command;
    }
}
