using Bridge.Core.Observations;
using Bridge.Core.Scenarios;

namespace Bridge.Core.Exploration;

/// <summary>A row the target said it cannot run, left out of generation, and the target's reason.</summary>
public sealed record LeftOutRow(string Name, string Why);

/// <summary>One dimension of coverage: what was exercised out of what the tables offer; what the target cannot run
/// is neither exercised nor missing but left out, with its reason.</summary>
/// <param name="Key">Its name in JSON.</param>
public sealed record CoverageLine(string Key, string What, IReadOnlyList<string> Exercised, IReadOnlyList<string> Missing, IReadOnlyList<LeftOutRow> LeftOut)
{
    public int Total => Exercised.Count + Missing.Count + LeftOut.Count;

    public override string ToString() => $"{What}: {Exercised.Count}/{Total}" + (LeftOut.Count > 0 ? $" ({LeftOut.Count} left out)" : "");
}

/// <summary>
/// What exploration reached, against the tables: verbs (a step that ran, ok or with an errno: the kernel answered),
/// ordered pairs of verbs that ran one after the other, verbs that ran while a long-term pin was held (the
/// perturbations the pin rules are about), backings and pin paths (a pin the kernel took or refused). Scenarios a
/// target skipped count for nothing; rows the target cannot run (<paramref name="limits"/>) are left out, with why.
/// </summary>
public sealed class Coverage(TargetLimits? limits = null)
{
    private readonly TargetLimits _limits = limits ?? TargetLimits.None;
    private readonly HashSet<VerbInfo> _verbs = [];
    private readonly HashSet<(VerbInfo, VerbInfo)> _pairs = [];
    private readonly HashSet<VerbInfo> _underPin = [];
    private readonly HashSet<BackingInfo> _backings = [];
    private readonly HashSet<PinPathInfo> _pinPaths = [];

    public void Add(Scenario scenario, Observation observation)
    {
        if (observation.Skip is not null)
            return;
        _backings.Add(scenario.Backing);
        VerbInfo? previous = null;
        var pinned = false;
        foreach (var step in scenario.AllSteps().Where(s => !s.Verb.IsSequenced))
        {
            if (observation.ResultOf(step.Index) is not { Outcome: Outcome.Ok or Outcome.Errno } result)
                continue;
            _verbs.Add(step.Verb);
            if (previous is not null)
                _pairs.Add((previous, step.Verb));
            if (pinned && step.Effect != Effect.Pin)
                _underPin.Add(step.Verb);
            if (step.Effect == Effect.Pin)
            {
                _pinPaths.Add(step.PinPath);
                pinned = result.Ok;
            }
            else if (step.Effect == Effect.Unpin)
                pinned = false;
            previous = step.Verb;
        }
    }

    public IReadOnlyList<CoverageLine> Lines()
    {
        var executed = Verbs.Executed.ToList();
        string? Verb(VerbInfo v) => _limits.Verbs.GetValueOrDefault(v);
        return
        [
            Line("verbs", "verbs", executed, _verbs.Contains, v => v.Keyword, Verb),
            Line("verbPairs", "verb pairs (A then B)", [.. executed.SelectMany(a => executed.Select(b => (a, b)))], _pairs.Contains, p => $"{p.a.Keyword}>{p.b.Keyword}",
                p => Verb(p.a) ?? Verb(p.b)),
            Line("verbsUnderPin", "verbs under a long-term pin", [.. executed.Where(v => v.Effect != Effect.Pin)], _underPin.Contains, v => v.Keyword,
                v => Verb(v) ?? (_limits.PinPaths.Count == PinPathTable.All.Count ? _limits.PinPaths.Values.First() : null)),
            Line("backings", "backings", BackingTable.All, _backings.Contains, b => b.Name, b => _limits.Backings.GetValueOrDefault(b)),
            Line("pinPaths", "pin paths", PinPathTable.All, _pinPaths.Contains, p => p.Name, p => _limits.PinPaths.GetValueOrDefault(p)),
        ];
    }

    private static CoverageLine Line<T>(string key, string what, IReadOnlyList<T> rows, Func<T, bool> reached, Func<T, string> name, Func<T, string?> leftOut)
    {
        var kept = rows.Where(r => reached(r) || leftOut(r) is null).ToList();
        return new(key, what, [.. kept.Where(reached).Select(name)], [.. kept.Where(r => !reached(r)).Select(name)],
            [.. rows.Except(kept).Select(r => new LeftOutRow(name(r), leftOut(r)!))]);
    }
}
