using System.Text;
using Bridge.Core.Observations;
using Bridge.Core.Oracle;
using Bridge.Core.Scenarios;

namespace Bridge.Core.Probes;

/// <summary>What a target's kernel did with one probe: the pin's result and the data verdict.</summary>
public sealed record ProbeOutcome(PolicyProbe Probe, string PinResult, VerdictClass Verdict, string? SkipReason)
{
    /// <summary>The pin step's result in a probe's observation: ok, an errno name, or why it did not run.</summary>
    public static ProbeOutcome From(PolicyProbe probe, Scenario scenario, Observation observation, ScenarioVerdict verdict)
    {
        var pin = scenario.AllSteps().First(s => s.Effect == Effect.Pin);
        var result = observation.ResultOf(pin.Index);
        var text = observation.Skip is not null ? "skip" : result?.ToString() ?? "no result";
        return new ProbeOutcome(probe, text, verdict.Class, observation.Skip);
    }
}

/// <summary>Renders probe outcomes as the pin-policy table: backing × mapping rows, pin path/access columns.</summary>
public static class ProbeTable
{
    public static string Render(IReadOnlyList<ProbeOutcome> cells, string kernel)
    {
        var columns = cells.Select(c => $"{c.Probe.Path.Name}({c.Probe.AccessName})").Distinct().ToList();
        var sb = new StringBuilder($"pin policy of kernel {kernel}: pin result / data verdict\n");
        var header = new[] { "backing", "map" }.Concat(columns).ToArray();
        var rows = cells.GroupBy(c => (c.Probe.Backing.Name, c.Probe.Map))
            .Select(g => new[] { g.Key.Name, g.Key.Map.ToString().ToLowerInvariant() }
                .Concat(columns.Select(col => g.FirstOrDefault(c => $"{c.Probe.Path.Name}({c.Probe.AccessName})" == col) is { } cell ? Cell(cell) : "-"))
                .ToArray())
            .ToList();
        var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Prepend(h.Length).Max()).ToArray();
        sb.AppendLine(string.Join("  ", header.Select((h, i) => h.PadRight(widths[i]))).TrimEnd());
        foreach (var r in rows)
            sb.AppendLine(string.Join("  ", r.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        foreach (var reason in cells.Where(c => c.SkipReason is not null).Select(c => $"{c.Probe.Path.Name}: {c.SkipReason}").Distinct())
            sb.AppendLine($"skipped: {reason}");
        return sb.ToString();
    }

    private static string Cell(ProbeOutcome c) => c.SkipReason is not null ? "skip" : $"{c.PinResult}/{c.Verdict.Name()}";
}
