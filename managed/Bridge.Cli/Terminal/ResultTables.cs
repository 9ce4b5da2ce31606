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
        [VerdictClass.OrphanedWrite] = Color.MediumPurple,
        [VerdictClass.Skipped] = Color.Grey,
        [VerdictClass.Interrupted] = Color.Yellow3,
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
            console.Write(Matrix(results, console.Profile.Width));
        foreach (var target in results.Targets)
            foreach (var run in target.Runs.Where(r => r.Verdict.HasFindings || r.Verdict.Notes.Count > 0 || r.Verdict.OrphanedWrites.Count > 0))
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
        var rows = target.Runs.Select((run, i) => new[]
        {
            run.Scenario.Name, run.Scenario.Label, run.Observation.Environment.FsType ?? "-", FindingText.Steps(run),
            run.VerdictName + SkipNote(run, i > 0 ? target.Runs[i - 1] : null),
        }.Where((_, column) => withFs || column != 2).ToArray()).ToList();
        string[] headers = withFs ? ["scenario", "backing", "fs", "steps", "verdict"] : ["scenario", "backing", "steps", "verdict"];
        var natural = headers.Select((h, i) => rows.Select(r => r[i].Length).Prepend(h.Length).Max()).ToArray();
        var (steps, verdict) = (headers.Length - 2, headers.Length - 1);
        // A long verdict (a skip's reason) gives way first, but only so far: then the names, then both down to
        // what still reads.
        var widths = Fit(natural, [(steps, 10), (verdict, 40), (0, 24), (verdict, 12), (0, 16)], available: Available(width, headers.Length));
        var table = new Table { Border = TableBorder.Simple, Title = new TableTitle(Markup.Escape($"{target.Target}{(target.KernelRelease is { } k ? $", kernel {k}" : "")}")) };
        table.AddColumns([.. headers.Select((h, i) => new TableColumn(h) { Width = widths[i] })]);
        foreach (var (row, run) in rows.Zip(target.Runs))
            table.AddRow([.. row[..^1].Select(c => new Text(c)), Verdict(run, row[^1])]);
        return table;
    }

    /// <summary>What a simple-bordered table of <paramref name="columns"/> columns leaves for its cells: each column
    /// has a padding space on either side and a border column before it, and the table one after the last.</summary>
    private static int Available(int width, int columns) => width - 3 * columns - 1;

    /// <summary>Column widths that fit <paramref name="available"/>: the natural widths, less what each stage's
    /// column gives up down to the stage's floor, one stage after the other until the columns fit.</summary>
    public static int[] Fit(int[] natural, (int Column, int Floor)[] stages, int available)
    {
        var widths = (int[])natural.Clone();
        foreach (var (column, floor) in stages)
        {
            var excess = widths.Sum() - available;
            if (excess <= 0)
                break;
            widths[column] = Math.Max(Math.Min(floor, widths[column]), widths[column] - excess);
        }
        return widths;
    }

    /// <summary>Scenario × target: each cell the verdict and the steps that failed there; '*' marks a row whose
    /// cells differ between the targets that ran it (a target that skipped it is left out of the comparison).</summary>
    public static IRenderable Matrix(Results results, int width)
    {
        var rows = results.Scenarios.Select(scenario => results.Targets.Select(t => t.Runs.FirstOrDefault(r => r.Scenario.Name == scenario.Name)).ToList()).ToList();
        var differs = rows.Select(runs => runs.OfType<ScenarioRun>().Where(r => r.Verdict.Class != VerdictClass.Skipped).Select(Cell).Distinct().Count() > 1).ToList();
        string[] headers = ["", "scenario", .. results.Targets.Select(t => t.KernelRelease is { } k ? $"{t.Target} ({k})" : t.Target)];
        var cells = rows.Select((runs, i) => (string[])[differs[i] ? "*" : "", results.Scenarios[i].Name, .. runs.Select(r => r is null ? "-" : Cell(r))]).ToList();
        // The kernels' columns wrap first (last kernel first), the scenario names last: a name cut in two is the
        // hardest cell to read.
        // A header wraps between its words ("sim:linux-6.1" over "(linux-6.1)"), so its longest word is as narrow as
        // its column can be.
        var words = headers.Select(h => h.Split(' ').Max(w => w.Length)).ToArray();
        var natural = headers.Select((h, i) => cells.Select(r => r[i].Length).Prepend(words[i]).Max()).ToArray();
        var kernels = Enumerable.Range(2, results.Targets.Count).Reverse();
        var widths = Fit(natural, [.. kernels.Select(k => (k, Math.Max(12, words[k]))), (1, 16)], available: Available(width, headers.Length));
        var table = new Table { Border = TableBorder.Simple };
        table.AddColumns([.. headers.Select((h, i) => new TableColumn(Markup.Escape(h)) { Width = widths[i] })]);
        foreach (var (runs, row) in rows.Zip(cells))
            table.AddRow([new Text(row[0]), new Text(row[1]), .. runs.Select((r, i) => r is null ? new Text("-") : Verdict(r, row[i + 2]))]);
        var differing = differs.Count(d => d);
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

    /// <summary>A skipped row's reason, or "as above" when the row before was skipped for the same one (a suite on a
    /// kernel without RDMA would otherwise print the same four wrapped lines ninety times).</summary>
    private static string SkipNote(ScenarioRun run, ScenarioRun? previous) => run.Verdict.SkipReason switch
    {
        null => "",
        { } why when why == previous?.Verdict.SkipReason => " (as above)",
        { } why => $" ({why})",
    };

    private static Text Verdict(ScenarioRun run, string text) => new(text, new Style(Colours[run.Verdict.Class]));
}
