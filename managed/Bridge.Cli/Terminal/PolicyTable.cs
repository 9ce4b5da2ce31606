using Bridge.Core.Probes;
using Bridge.Core.Reports;
using Spectre.Console;

namespace Bridge.Cli.Terminal;

/// <summary>The pin-policy table: a row per backing and mapping, a column per pin path and access, each cell the pin's
/// result and the data's verdict (<c>ok/intact</c>, <c>EFAULT/refused</c>, <c>ok/lost-write</c>); then each probe with a
/// finding as a bug report.</summary>
public static class PolicyTable
{
    public static void Write(IAnsiConsole console, Results results, IReadOnlyList<PolicyProbe> probes)
    {
        var byName = probes.ToDictionary(p => p.Name);
        foreach (var target in results.Targets)
        {
            var outcomes = target.Runs.Select(r => ProbeOutcome.From(byName[r.Scenario.Name], r.Scenario, r.Observation, r.Verdict)).ToList();
            var columns = outcomes.Select(o => o.Column).Distinct().ToList();
            var table = new Table
            {
                Border = TableBorder.Simple,
                Title = new TableTitle(Markup.Escape($"pin policy of {target.Target}{(target.KernelRelease is { } k ? $", kernel {k}" : "")}: pin result / data verdict")),
            };
            table.AddColumns(["backing", "map", .. columns]);
            foreach (var row in outcomes.GroupBy(o => (o.Probe.Backing.Name, Map: o.Probe.Map.ToString().ToLowerInvariant())))
            {
                table.AddRow([new Text(row.Key.Name), new Text(row.Key.Map),
                    .. columns.Select(c => row.FirstOrDefault(o => o.Column == c) is { } cell
                        ? new Text(cell.Cell, new Style(ResultTables.Colours[cell.Verdict]))
                        : new Text("-"))]);
            }
            console.Write(table);
            foreach (var reason in outcomes.Where(o => o.SkipReason is not null).Select(o => $"{o.Probe.Path.Name}: {o.SkipReason}").Distinct())
                console.WriteLine($"skipped: {reason}");
            foreach (var run in target.Runs.Where(r => r.Verdict.HasFindings))
                console.Write(ResultTables.Findings(run, null));
        }
        if (results.Interrupted is { } why)
            console.WriteLine($"interrupted: {why}");
    }
}
