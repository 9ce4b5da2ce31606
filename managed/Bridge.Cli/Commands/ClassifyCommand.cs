using System.CommandLine;
using Bridge.Simulator.Analysis;

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
            var discriminating = PolicyClassifier.Discriminating(candidates);
            await using var t = target.Open(parse);
            var observed = await CompareCommand.Collect(t, discriminating, ct);
            var runs = discriminating.Select(s => (s, observed[s.Name])).ToList();
            var classification = PolicyClassifier.Classify(runs, includeVerdicts: parse.GetValue(verdicts));
            var release = observed.Values.FirstOrDefault()?.Environment.KernelRelease ?? "?";
            Console.WriteLine($"kernel {release} on {t.Name}: {discriminating.Count} discriminating scenarios");
            Console.WriteLine(classification.Summary());
            return classification.Matches.Count == 1 ? 0 : 1;
        });
        return command;
    }
}
