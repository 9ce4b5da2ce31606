using Bridge.Core.Observations;
using Bridge.Core.Scenarios;

namespace Bridge.Core.Exploration;

/// <summary>One dimension of coverage: what was exercised out of what the tables offer.</summary>
/// <param name="Key">Its name in JSON.</param>
public sealed record CoverageLine(string Key, string What, IReadOnlyList<string> Exercised, IReadOnlyList<string> Missing)
{
    public int Total => Exercised.Count + Missing.Count;

    public override string ToString() => $"{What}: {Exercised.Count}/{Total}";
}

/// <summary>
/// What exploration reached, against the tables: verbs (a step that ran, ok or with an errno: the kernel answered),
/// ordered pairs of verbs that ran one after the other, verbs that ran while a long-term pin was held (the
/// perturbations the pin rules are about), backings and pin paths (a pin the kernel took or refused). Scenarios a
/// target skipped count for nothing.
/// </summary>
public sealed class Coverage
{
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
        return
        [
            Line("verbs", "verbs", executed, _verbs.Contains, v => v.Keyword),
            Line("verbPairs", "verb pairs (A then B)", [.. executed.SelectMany(a => executed.Select(b => (a, b)))], _pairs.Contains, p => $"{p.a.Keyword}>{p.b.Keyword}"),
            Line("verbsUnderPin", "verbs under a long-term pin", [.. executed.Where(v => v.Effect != Effect.Pin)], _underPin.Contains, v => v.Keyword),
            Line("backings", "backings", BackingTable.All, _backings.Contains, b => b.Name),
            Line("pinPaths", "pin paths", PinPathTable.All, _pinPaths.Contains, p => p.Name),
        ];
    }

    private static CoverageLine Line<T>(string key, string what, IReadOnlyList<T> rows, Func<T, bool> reached, Func<T, string> name) =>
        new(key, what, [.. rows.Where(reached).Select(name)], [.. rows.Where(r => !reached(r)).Select(name)]);
}
