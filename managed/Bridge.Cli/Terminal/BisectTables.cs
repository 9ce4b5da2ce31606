using Bridge.Core.Oracle;
using Bridge.Targets.Bisect;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Bridge.Cli.Terminal;

/// <summary>bisect's text output: what was searched, every candidate tested (in the range's order, with when it was
/// tested), the result in one sentence, and the two candidates around the change side by side, step by step.</summary>
public static class BisectTables
{
    public static void Print(IAnsiConsole console, BisectOutcome outcome, string over, string source, IReadOnlyList<string> scenarios, VerdictRules rules, int repeat)
    {
        var plan = outcome.Plan;
        console.WriteLine($"bisect {source} ({scenarios.Count} scenario{(scenarios.Count == 1 ? "" : "s")}) over {over}: " +
                          $"{plan.High - plan.Low + 1} of {plan.Candidates.Count} candidates, {plan.Candidates[plan.Low].Name} … {plan.Candidates[plan.High].Name}");
        console.WriteLine($"verdict: each scenario's class{(repeat > 1 ? $", the most severe of {repeat} runs" : "")}{(rules.ByErrno ? ", findings with their culprit's errno" : "")}; " +
                          $"cannot test: not booted, skipped{(rules.RefusedIsVerdict ? "" : ", a refused pin")}");
        var table = new Table { Border = TableBorder.Simple };
        // Column headers are plain text: scenario names have brackets, which Spectre would read as markup.
        table.AddColumns([new TableColumn("#") { NoWrap = true }, new TableColumn("candidate") { NoWrap = true }, new TableColumn("release"),
            .. scenarios.Select(s => new TableColumn(new Text(s))), new TableColumn("seconds") { Alignment = Justify.Right }]);
        foreach (var t in outcome.Tested.OrderBy(t => t.Index))
        {
            var cells = t.Result.Testable
                ? t.Verdicts.Select(v => (IRenderable)new Text(v.Verdict, Colour(v.Class)))
                : [new Text($"cannot test: {t.Result.Untestable}", new Style(Color.Grey)), .. scenarios.Skip(1).Select(_ => new Text(""))];
            table.AddRow([new Text(t.Order.ToString(System.Globalization.CultureInfo.InvariantCulture)), new Text(t.Candidate.Name), new Text(t.Release ?? "-"),
                .. cells, new Text(BisectJson.Seconds(t.Elapsed))]);
        }
        console.Write(table);
        var c = outcome.Conclusion;
        var (old, @new) = (outcome.At(c.LastOld), outcome.At(c.FirstNew));
        var took = $"{outcome.Tested.Count} candidate{(outcome.Tested.Count == 1 ? "" : "s")} tested in {BisectJson.Seconds(outcome.Elapsed)} s";
        console.WriteLine(c.Kind switch
        {
            ConclusionKind.Changed when c.Between.Count == 0 => $"the verdict changed between {old!.Candidate.Name} and {@new!.Candidate.Name}: {@new.Candidate.Name} is the first with the new verdict ({took})",
            ConclusionKind.Changed => $"the verdict changed between {old!.Candidate.Name} and {@new!.Candidate.Name}; the first with the new verdict may be any of " +
                                      $"{string.Join(", ", c.Between.Select(i => plan.Candidates[i].Name))} (cannot be tested) or {@new.Candidate.Name} ({took})",
            ConclusionKind.NoChange when c.LastOld == c.FirstNew => $"no change: the range holds one testable candidate, {old!.Candidate.Name} ({took})",
            ConclusionKind.NoChange => $"no change between {old!.Candidate.Name} and {@new!.Candidate.Name}: both have the verdict {old.Result.Key} ({took})",
            ConclusionKind.Interrupted => $"{c.Reason}: the change lies between {old?.Candidate.Name ?? plan.Candidates[plan.Low].Name} and " +
                                          $"{@new?.Candidate.Name ?? plan.Candidates[plan.High].Name}, untested: " +
                                          $"{(c.Between.Count == 0 ? "none" : string.Join(", ", c.Between.Select(i => plan.Candidates[i].Name)))} ({took})",
            _ => $"cannot decide: {c.Reason} ({took})",
        });
        if (c.Changes.Count > 1)
            console.WriteLine($"every change: {string.Join(", ", c.Changes.Select(p => $"{plan.Candidates[p.Before].Name} → {plan.Candidates[p.After].Name}"))}");
        if (old is not null)
            Steps(console, old, @new is null || @new == old ? null : @new);
    }

    /// <summary>Every step of every scenario on the last old and the first new candidate, rows that differ marked.</summary>
    private static void Steps(IAnsiConsole console, TestedCandidate old, TestedCandidate? @new)
    {
        var table = new Table { Border = TableBorder.Simple };
        table.AddColumns(new TableColumn("step") { NoWrap = true }, new TableColumn(""), new TableColumn(new Text(Header(old))));
        if (@new is not null)
            table.AddColumn(new TableColumn(new Text(Header(@new))));
        foreach (var (v, i) in old.Verdicts.Select((v, i) => (v, i)))
        {
            var other = @new?.Verdicts.ElementAtOrDefault(i);
            table.AddRow([new Text(v.Scenario, new Style(decoration: Decoration.Bold)), new Text("verdict"), new Text(v.Verdict, Colour(v.Class)),
                .. other is null ? Array.Empty<IRenderable>() : [new Text(other.Verdict, Colour(other.Class))]]);
            var otherSteps = other?.Steps;
            foreach (var (step, j) in v.Steps.Select((s, j) => (s, j)))
            {
                var theirs = otherSteps?.ElementAtOrDefault(j).Result;
                var differs = theirs is not null && theirs != step.Result;
                table.AddRow([new Text((differs ? "≠ " : "  ") + step.At), new Text(step.Text), new Text(step.Result),
                    .. theirs is null ? Array.Empty<IRenderable>() : [new Text(theirs, differs ? new Style(Color.Yellow) : Style.Plain)]]);
            }
        }
        console.Write(table);
    }

    private static string Header(TestedCandidate t) => $"{t.Candidate.Name}{(t.Release is null ? "" : $" ({t.Release})")}";

    private static Style Colour(VerdictClass c) =>
        new(c.IsFinding() ? Color.Red : c == VerdictClass.Intact ? Color.Green : Color.Grey);
}
