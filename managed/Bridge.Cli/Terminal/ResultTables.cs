using Bridge.Core.Oracle;
using Bridge.Core.Reports;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Bridge.Cli.Terminal;

/// <summary>
/// The human report of a run, rendered with Spectre.Console to the console's width: one target's table (scenario,
/// backing, filesystem, steps, verdict), or for several targets the scenario × kernel matrix with rows that differ
/// between kernels marked; then every finding as a bug report (<see cref="FindingText"/>) and the counts.
/// </summary>
public static class ResultTables
{
    /// <summary>Finding groups printed per scenario; the rest are counted (results.json and evidence have them).</summary>
    public const int GroupsPerScenario = 4;

    /// <summary>A verdict's colour: green for intact, blue refused, grey skipped, yellow to red for findings.</summary>
    public static readonly IReadOnlyDictionary<VerdictClass, Color> Colours = new Dictionary<VerdictClass, Color>
    {
        [VerdictClass.Intact] = Color.Green,
        [VerdictClass.Refused] = Color.Blue,
        [VerdictClass.Skipped] = Color.Grey,
        [VerdictClass.Stale] = Color.Yellow,
        [VerdictClass.Zeroed] = Color.Orange1,
        [VerdictClass.Misplaced] = Color.Orange1,
        [VerdictClass.Torn] = Color.DarkOrange,
        [VerdictClass.Phantom] = Color.Red,
        [VerdictClass.LostWrite] = Color.Red,
        [VerdictClass.IoError] = Color.Red,
        [VerdictClass.KernelWarn] = Color.Purple,
        [VerdictClass.Hang] = Color.Red,
    };

    public static void Write(IAnsiConsole console, Results results)
    {
        if (results.Targets.Count == 1)
            console.Write(Single(results.Targets[0], console.Profile.Width));
        else
            console.Write(Matrix(results));
        foreach (var target in results.Targets)
            foreach (var run in target.Runs.Where(r => r.Verdict.HasFindings))
                console.Write(Findings(run, results.Targets.Count > 1 ? target.Target : null));
        foreach (var target in results.Targets)
            console.WriteLine($"{target.Target}{(target.KernelRelease is { } k ? $" ({k})" : "")}: {target.Runs.Count} of {target.Planned} scenarios: {target.CountsText}");
        if (results.Interrupted is { } why)
            console.WriteLine($"interrupted: {why}");
    }

    /// <summary>One target: a row per scenario. When the console is narrower than the table, the filesystem column
    /// goes (below 100 columns: it mostly repeats the backing), then the steps and verdict columns give way, then the
    /// scenario names; the backing stays whole.</summary>
    public static IRenderable Single(RunReport target, int width)
    {
        var withFs = width >= 100;
        var rows = target.Runs.Select(run => new[]
        {
            run.Scenario.Name, run.Scenario.Label, run.Observation.Environment.FsType ?? "-", FindingText.Steps(run),
            run.VerdictName + (run.Verdict.SkipReason is { } why ? $" ({why})" : ""),
        }.Where((_, i) => withFs || i != 2).ToArray()).ToList();
        string[] headers = withFs ? ["scenario", "backing", "fs", "steps", "verdict"] : ["scenario", "backing", "steps", "verdict"];
        var natural = headers.Select((h, i) => rows.Select(r => r[i].Length).Prepend(h.Length).Max()).ToArray();
        var (steps, verdict) = (headers.Length - 2, headers.Length - 1);
        var minimum = natural.Select((n, i) => i == 0 ? 16 : i == steps ? 10 : i == verdict ? 12 : n).ToArray();
        var widths = Fit(natural, minimum, shrinkOrder: [steps, verdict, 0], available: width - 2 * headers.Length - 2);
        var table = new Table { Border = TableBorder.Simple, Title = new TableTitle(Markup.Escape($"{target.Target}{(target.KernelRelease is { } k ? $", kernel {k}" : "")}")) };
        table.AddColumns([.. headers.Select((h, i) => new TableColumn(h) { Width = widths[i] })]);
        foreach (var (row, run) in rows.Zip(target.Runs))
            table.AddRow([.. row[..^1].Select(c => new Text(c)), Verdict(run, row[^1])]);
        return table;
    }

    /// <summary>Column widths that fit <paramref name="available"/>: the natural widths, less what the columns in
    /// <paramref name="shrinkOrder"/> give up, each down to its minimum, one after the other.</summary>
    public static int[] Fit(int[] natural, int[] minimum, int[] shrinkOrder, int available)
    {
        var widths = (int[])natural.Clone();
        foreach (var column in shrinkOrder)
        {
            var excess = widths.Sum() - available;
            if (excess <= 0)
                break;
            widths[column] = Math.Max(Math.Min(minimum[column], natural[column]), widths[column] - excess);
        }
        return widths;
    }

    /// <summary>Scenario × target: each cell the verdict and the steps that failed there; '*' marks a row whose
    /// cells differ between the targets that ran it (a target that skipped it is left out of the comparison).</summary>
    public static IRenderable Matrix(Results results)
    {
        var table = new Table { Border = TableBorder.Simple };
        table.AddColumn("");
        table.AddColumn("scenario");
        foreach (var t in results.Targets)
            table.AddColumn(Markup.Escape(t.KernelRelease is { } k ? $"{t.Target} ({k})" : t.Target));
        var differing = 0;
        foreach (var scenario in results.Scenarios)
        {
            var runs = results.Targets.Select(t => t.Runs.FirstOrDefault(r => r.Scenario.Name == scenario.Name)).ToList();
            var differs = runs.OfType<ScenarioRun>().Where(r => r.Verdict.Class != VerdictClass.Skipped).Select(Cell).Distinct().Count() > 1;
            differing += differs ? 1 : 0;
            table.AddRow([new Text(differs ? "*" : ""), new Text(scenario.Name), .. runs.Select(r => r is null ? new Text("-") : Verdict(r, Cell(r)))]);
        }
        table.Caption = new TableTitle($"{results.Scenarios.Count} scenarios on {results.Targets.Count} targets: {differing} differ between kernels (*)");
        return table;
    }

    /// <summary>A matrix cell: the verdict and each step that failed (keyword=errno), without the steps that ran.</summary>
    public static string Cell(ScenarioRun run)
    {
        var failed = run.Observation.Steps.Where(s => s.Outcome is Core.Observations.Outcome.Errno or Core.Observations.Outcome.Timeout)
            .Select(s => $"{run.Scenario.StepAt(s.Step).Keyword}={s}").Distinct();
        return string.Join(' ', failed.Prepend(run.VerdictName));
    }

    /// <summary>A scenario's findings as a bug report; detail lines keep their indentation when they wrap.</summary>
    public static IRenderable Findings(ScenarioRun run, string? target)
    {
        var lines = new List<IRenderable>
        {
            new Text($"{run.Scenario.Name} ({run.Scenario.Label}, {run.Scenario.SourceFile}){(target is null ? "" : $" on {target}")}:", new Style(decoration: Decoration.Bold)),
        };
        foreach (var line in FindingText.Lines(run, GroupsPerScenario))
        {
            var indent = 2 + (line.Length - line.TrimStart().Length);
            lines.Add(new Padder(new Text(line.TrimStart()), new Padding(indent, 0, 0, 0)));
        }
        return new Rows(lines);
    }

    private static Text Verdict(ScenarioRun run, string? text = null) =>
        new(text ?? run.VerdictName + (run.Verdict.SkipReason is { } why ? $" ({why})" : ""), new Style(Colours[run.Verdict.Class]));
}
