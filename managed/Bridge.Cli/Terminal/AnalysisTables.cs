using Bridge.Targets.Analysis;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Bridge.Cli.Terminal;

/// <summary>compare's and classify's tables, rendered with Spectre.Console to the console's width.</summary>
public static class AnalysisTables
{
    /// <summary>A row per scenario: agree, DISAGREE (each disagreement below) or not compared with the reason.</summary>
    public static void Compare(IAnsiConsole console, string title, IReadOnlyList<ScenarioComparison> comparisons)
    {
        var table = new Table { Border = TableBorder.Simple, Title = new TableTitle(Markup.Escape(title)) };
        table.AddColumns(Names(), new TableColumn("backing") { NoWrap = true }, new TableColumn("result"));
        foreach (var c in comparisons)
        {
            IRenderable result = c.NotCompared is { } why ? new Text($"not compared: {why}", new Style(Color.Grey))
                : c.Agrees ? new Text("agree", new Style(Color.Green))
                : new Rows([new Text("DISAGREE", new Style(Color.Red)), .. c.Lines.Select(l => new Text(l))]);
            table.AddRow(new Text(c.Scenario.Name), new Text(c.Scenario.Label), result);
        }
        console.Write(table);
        console.WriteLine($"{comparisons.Count(c => c.Agrees)} agree, {comparisons.Count(c => c.NotCompared is null && !c.Agrees)} disagree, {comparisons.Count(c => c.NotCompared is not null)} not compared");
    }

    /// <summary>A row per discriminating scenario: what the kernel did and what each era predicts, ✓ where they agree;
    /// then the verdict.</summary>
    public static void Classify(IAnsiConsole console, string title, EraClassification c)
    {
        var table = new Table { Border = TableBorder.Simple, Title = new TableTitle(Markup.Escape(title)) };
        table.AddColumns([Names(), new TableColumn("kernel"), .. c.Eras.Select(era => new TableColumn(era))]);
        foreach (var e in c.Evidence)
        {
            table.AddRow([new Text(e.Scenario.Name), new Text(e.Skipped is { } why ? $"skipped: {why}" : e.Kernel),
                .. c.Eras.Select(era => new Text((e.Skipped is null ? e.Agrees(era) ? "✓ " : "✗ " : "") + e.Predictions[era],
                    new Style(e.Skipped is not null ? Color.Grey : e.Agrees(era) ? Color.Green : Color.Red)))]);
        }
        console.Write(table);
        console.WriteLine(c.Summary);
    }

    /// <summary>The scenario column: a name is never cut in two; the outcomes beside it wrap instead.</summary>
    private static TableColumn Names() => new("scenario") { NoWrap = true };
}
