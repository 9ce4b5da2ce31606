using System.CommandLine;
using Bridge.Core.Exploration;
using Bridge.Core.Reports;
using Bridge.Core.Scenarios;
using Bridge.Targets.Exploration;

namespace Bridge.Cli.Commands;

/// <summary><c>pinbridge shrink SCENARIO</c>: the smallest scenario that still fails the same way on the target
/// (Core's <see cref="Shrinker"/>, candidates run by Targets' <see cref="TrialRunner"/>); prints its text.</summary>
public static class ShrinkCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("scenario") { Description = "a failing scenario file (.scn), single or matrix (then --only)" };
        var only = new Option<string?>("--only") { Description = "the scenario of a matrix file to shrink, by name" };
        var target = new TargetOption();
        var policy = ExploreCommand.ModelOption();
        var failure = new Option<FailureKind?>("--failure")
        {
            Description = "which failure to keep when the scenario has both: Finding (the kernel's oracle finding) or Disagreement (kernel vs model); default: the finding",
        };
        var json = new Option<bool>("--json") { Description = "print one JSON document: the signature, the scenario as given and shrunk (text, verdicts), rounds, candidates, reproduction" };
        var batch = ExploreCommand.BatchOption("candidates per run on the target (default 24 on a VM, which boots once per run; 1 elsewhere)");
        var raceRuns = ExploreCommand.RaceRunsOption();
        var timeout = TimeoutOption.Create();
        var command = new Command("shrink", "Reduce a failing scenario while it fails the same way on the target (the same verdict class and culprit verb; with --policy, or the same disagreement with the model): drop steps and race members, narrow blocks, shrink the file, lower race bounds, simplify backing and mapping; candidates with a race run several times. Prints the minimal scenario's text. Exit 1: shrunk (it still fails); 0: it does not fail here, nothing to shrink; 2: usage errors; 4: the target skipped it.")
        {
            file, only, policy, failure, json, batch, raceRuns, timeout,
        };
        target.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var scenario = ReproCommand.Pick(ScenarioLoader.Load([parse.GetValue(file)!], []), parse.GetValue(only));
            await using var real = target.Open(parse, parse.GetValue(timeout));
            await using var model = parse.GetValue(policy) is { } era ? TargetOption.Simulator(era) : null;
            var runner = new TrialRunner(real, model)
            {
                Batch = parse.GetValue(batch) ?? ExploreCommand.ShrinkBatch(parse.GetValue(target.Target)!),
                LaterBatch = ExploreCommand.ShrinkLaterBatch(parse.GetValue(target.Target)!, parse.GetValue(batch) ?? ExploreCommand.ShrinkBatch(parse.GetValue(target.Target)!)),
                RaceRuns = parse.GetValue(raceRuns),
            };
            var found = (await runner.RunAsync([scenario], ct))[0];
            if (!found.Judged)
            {
                Console.Error.WriteLine($"shrink: {real.Name} did not run {scenario.Name}: {found.Real.Skip ?? found.Real.Interrupted}");
                return ExitCodes.NothingJudged;
            }
            var wanted = parse.GetValue(failure);
            if (found.Failures.FirstOrDefault(f => wanted is null || f.Kind == wanted) is not { } signature)
            {
                Console.Error.WriteLine($"shrink: {scenario.Name} does not fail {(wanted is null ? "" : $"with a {wanted} ")}here ({ExplorationText.Verdicts(found, real.Name, model?.Name)}); nothing to shrink");
                return ExitCodes.Pass;
            }
            Console.Error.WriteLine($"shrink: keeping {signature}");
            var finding = await runner.ShrinkAsync(found, signature, 0, Math.Max(5, runner.RaceRuns), ct);
            var (shrunk, minimal) = (finding.Shrink, finding.Minimal);
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(ExplorationJson.Shrink(finding, ExitCodes.Findings));
                return ExitCodes.Findings;
            }
            Console.Error.WriteLine($"shrink: {ExplorationText.Shrunk(scenario, finding)}; {ExplorationText.Verdicts(minimal, real.Name, model?.Name)}");
            if (scenario.Steps.Any(s => s.Effect == Effect.Race))
                Console.Error.WriteLine($"shrink: {ExplorationText.RaceConfidence(runner.RaceRuns)}");
            Console.Out.Write(ScenarioForm.Of(shrunk.Minimal).Render());
            return ExitCodes.Findings;
        });
        return command;
    }
}
