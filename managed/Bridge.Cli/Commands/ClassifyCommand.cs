using System.CommandLine;
using Bridge.Targets.Analysis;

namespace Bridge.Cli.Commands;

/// <summary><c>bridge classify</c>: which kernel era's policy the target's kernel behaves like, with the evidence.</summary>
public static class ClassifyCommand
{
    public static Command Create()
    {
        var target = new TargetOption();
        var verdicts = new Option<bool>("--verdicts") { Description = "also require the per-block verdicts to match, not only the step results" };
        var command = new Command("classify", "Run the scenarios that tell the modelled eras apart (from scenarios/policy and scenarios/seed) on the target and name the policy its kernel matches, or where it deviates from each. Exit 0: one policy matches; 1: none does.")
        {
            verdicts,
        };
        target.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var candidates = ScenarioLoader.Load([], ["policy", "seed"]);
            await using var t = target.Open(parse);
            var classification = await EraClassification.ClassifyAsync(t, candidates, parse.GetValue(verdicts), ct);
            Console.WriteLine($"kernel {classification.KernelRelease} on {t.Name}: {classification.DiscriminatingScenarios} discriminating scenarios");
            Console.WriteLine(classification.Summary);
            return classification.OneEraMatches ? 0 : 1;
        });
        return command;
    }
}
