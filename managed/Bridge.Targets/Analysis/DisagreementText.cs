using Bridge.Core.Reports;
using Bridge.Core.Scenarios;
using Bridge.Simulator.Analysis;

namespace Bridge.Targets.Analysis;

/// <summary>Disagreements between a kernel and the model in the words of the scenario: a step by its text and line,
/// a read path by its syscall, consecutive blocks that disagree alike as one range.</summary>
public static class DisagreementText
{
    public static IEnumerable<string> Lines(Scenario scenario, IReadOnlyList<Disagreement> disagreements)
    {
        for (var i = 0; i < disagreements.Count;)
        {
            var d = disagreements[i];
            var j = i;
            while (j + 1 < disagreements.Count && disagreements[j + 1] is var next && d.Block is not null &&
                   next with { Block = null } == d with { Block = null } && next.Block == disagreements[j].Block + 1)
                j++;
            yield return Line(scenario, d, disagreements[j].Block);
            i = j + 1;
        }
    }

    public static string Kind(DisagreementKind kind) => kind switch
    {
        DisagreementKind.StepResult => "step result",
        DisagreementKind.ViewAvailability => "read path",
        DisagreementKind.BlockVerdict => "block verdict",
        DisagreementKind.KernelWarn => "kernel log",
        DisagreementKind.ScenarioVerdict => "scenario verdict",
        _ => "not compared",
    };

    private static string Line(Scenario scenario, Disagreement d, int? lastBlock)
    {
        var where = new List<string>();
        if (d.Step is { } s)
            where.Add(d.Kind == DisagreementKind.StepResult ? scenario.Describe(s) : $"the check on line {scenario.StepAt(s).At.Line}");
        if (d.File is not null)
            where.Add($"{d.File} {(d.Block is { } b ? lastBlock is { } l && l != b ? $"blocks {b}-{l} " : $"block {b} " : "")}{FindingText.PathName(d.Path)}".TrimEnd());
        var note = d is { Kind: DisagreementKind.StepResult, Step: { } step } ? $"{scenario.StepAt(step).At.File}:{scenario.StepAt(step).At.Line}" : d.Note;
        return $"{Kind(d.Kind)}{(where.Count > 0 ? ", " + string.Join(", ", where) : "")}: kernel {d.Real}, model {d.Simulated} — {note}";
    }
}
