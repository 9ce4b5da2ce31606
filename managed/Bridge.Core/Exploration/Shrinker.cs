using System.Globalization;
using Bridge.Core.Blocks;
using Bridge.Core.Scenarios;

namespace Bridge.Core.Exploration;

/// <summary>Where shrinking ended: the smallest scenario that still fails, how many rounds it took and how many
/// candidates were run.</summary>
public sealed record ShrinkResult(Scenario Minimal, int Rounds, int Tried);

/// <summary>
/// Reduces a failing scenario while it keeps failing (delta debugging, greedy to a fixpoint): each round proposes
/// every single reduction of the current scenario (<see cref="Candidates"/>, largest first) and keeps the first
/// that still fails; it ends when none does, so the result is 1-minimal — no single reduction of it still fails.
/// What "fails" means, and where candidates run, is the caller's: a predicate over a batch of candidates that
/// returns the index of the first one still failing (a VM target runs a whole batch in one boot). Pure.
/// </summary>
public static class Shrinker
{
    /// <summary>Rounds at most: every kept reduction makes the scenario strictly smaller, so this only bounds a
    /// predicate that misbehaves.</summary>
    public const int MaxRounds = 1_000;

    /// <param name="firstFailing">Runs candidates (in order, as many as it likes at a time) and returns the index of
    /// the first that still fails, or null when none does.</param>
    public static async Task<ShrinkResult> ShrinkAsync(Scenario failing, Func<IReadOnlyList<Scenario>, CancellationToken, Task<int?>> firstFailing,
        CancellationToken ct)
    {
        var root = RootName(failing.Name);
        var (current, rounds, tried) = (failing, 0, 0);
        while (rounds < MaxRounds)
        {
            ct.ThrowIfCancellationRequested();
            var candidates = Candidates(current, root);
            if (candidates.Count == 0 || await firstFailing(candidates, ct) is not { } index)
                break;
            tried += index + 1;
            (current, rounds) = (candidates[index], rounds + 1);
        }
        return new ShrinkResult(current, rounds, tried);
    }

    /// <summary>Every single reduction of <paramref name="scenario"/> that the parser accepts, largest first: drop
    /// steps (halves, quarters, then one at a time; a pin with the steps that need it), unwrap a race into its
    /// body, drop a race member, lower a race's bound, narrow a step's blocks, shrink the file, simplify the
    /// backing (an earlier row of <see cref="BackingTable"/>), the mapping (shared) and the fill (data), drop an
    /// optional argument word. Each is named <c>ROOT-HASH</c> after what it does, so a candidate's name (which
    /// seeds the model's choices) depends on its text alone.</summary>
    public static IReadOnlyList<Scenario> Candidates(Scenario scenario, string root)
    {
        var form = ScenarioForm.Of(scenario);
        var seen = new HashSet<string> { form.Body() };
        var parsed = new List<Scenario>();
        foreach (var candidate in Reductions(form))
        {
            var body = candidate.Body();
            if (!seen.Add(body))
                continue;
            var named = candidate with { Name = $"{root}-{Hash(body):x8}" };
            if (named.TryParse(scenario.SourceFile) is { } s)
                parsed.Add(s);
        }
        return parsed;
    }

    /// <summary>The name shrinking started from, without the hash a candidate's name carries.</summary>
    public static string RootName(string name)
    {
        var dash = name.LastIndexOf('-');
        return dash > 0 && name.Length - dash == 9 && name[(dash + 1)..].All(char.IsAsciiHexDigitLower) ? name[..dash] : name;
    }

    private static IEnumerable<ScenarioForm> Reductions(ScenarioForm form)
    {
        var steps = form.Steps;
        for (var chunk = steps.Count / 2; chunk >= 2; chunk /= 2)
            for (var start = 0; start + chunk <= steps.Count; start += chunk)
                yield return form with { Steps = [.. steps.Take(start), .. steps.Skip(start + chunk)] };
        for (var i = 0; i < steps.Count; i++)
        {
            yield return form with { Steps = Without(steps, i) };
            if (steps[i].Verb.Effect == Effect.Pin)
                yield return form with { Steps = WithoutPin(steps, i) };
        }
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            if (step.Verb.Effect == Effect.Race)
            {
                yield return form with { Steps = [.. steps.Take(i), .. step.Body, .. steps.Skip(i + 1)] };
                for (var m = 0; step.Body.Count > 1 && m < step.Body.Count; m++)
                    yield return Replace(form, i, step with { Body = Without(step.Body, m) });
                foreach (var bound in LowerBounds(step))
                    yield return Replace(form, i, bound);
            }
        }
        foreach (var narrowed in NarrowedBlocks(form))
            yield return narrowed;
        foreach (var smaller in SmallerFiles(form))
            yield return smaller;
        foreach (var backing in BackingTable.All.TakeWhile(b => b != form.Backing))
            yield return form with { Backing = backing };
        if (form.Map != MapKind.Shared)
            yield return form with { Map = MapKind.Shared };
        if (form.Init != InitialFill.Data)
            yield return form with { Init = InitialFill.Data };
        foreach (var plainer in DroppedWords(form))
            yield return plainer;
    }

    private static List<T> Without<T>(IReadOnlyList<T> items, int index) => [.. items.Take(index), .. items.Skip(index + 1)];

    /// <summary>A pin and every later step that goes through it, up to its unpin: dropping the pin alone leaves
    /// steps the parser rejects.</summary>
    private static List<StepForm> WithoutPin(IReadOnlyList<StepForm> steps, int pin)
    {
        var kept = steps.Take(pin).ToList();
        var held = true;
        foreach (var step in steps.Skip(pin + 1))
        {
            if (held && step.Verb.NeedsPin)
            {
                held = step.Verb.Effect != Effect.Unpin;
                continue;
            }
            kept.Add(held && step.Verb.Effect == Effect.Race ? step with { Body = [.. step.Body.Where(m => !m.Verb.NeedsPin)] } : step);
        }
        return [.. kept.Where(s => s.Verb.Effect != Effect.Race || s.Body.Count > 0)];
    }

    private static ScenarioForm Replace(ScenarioForm form, int index, StepForm step) =>
        form with { Steps = [.. form.Steps.Take(index), step, .. form.Steps.Skip(index + 1)] };

    /// <summary>count=N to 1 and N/2; for=T to 1ms and T/2.</summary>
    private static IEnumerable<StepForm> LowerBounds(StepForm race)
    {
        foreach (var (word, w) in race.Words.Select((word, w) => (word, w)))
        {
            var (key, value) = Split(word);
            var lower = race.Verb.Args.FirstOrDefault(a => a.Key == key)?.Kind switch
            {
                ArgKind.Count when ArgValues.Number(value) is { } n && n > 1 => new[] { 1L, n / 2 }.Distinct().Select(c => c.ToString(CultureInfo.InvariantCulture)),
                ArgKind.Duration when ArgValues.Duration(value, out _) is { } d && d > TimeSpan.FromMilliseconds(1) =>
                    new[] { 1L, (long)d.TotalMilliseconds / 2 }.Distinct().Select(ms => $"{ms}ms"),
                _ => [],
            };
            foreach (var v in lower)
                yield return race with { Words = [.. race.Words.Take(w), $"{key}={v}", .. race.Words.Skip(w + 1)] };
        }
    }

    /// <summary>For every step with a blocks argument (given or defaulted), its first block, its last block, and
    /// each half.</summary>
    private static IEnumerable<ScenarioForm> NarrowedBlocks(ScenarioForm form)
    {
        var scenario = form.TryParse("narrow.scn");
        if (scenario is null)
            yield break;
        var parsed = scenario.AllSteps().ToList();
        var flat = form.AllSteps().ToList();
        for (var i = 0; i < flat.Count; i++)
        {
            var spec = flat[i].Verb.Args.FirstOrDefault(a => a.Kind == ArgKind.Blocks);
            if (spec is null || parsed[i].Args.Blocks is not { Count: > 1 } blocks)
                continue;
            var narrower = new[]
            {
                BlockSet.Range(blocks.First, blocks.First), BlockSet.Range(blocks.Last, blocks.Last),
                new BlockSet(blocks.Blocks.Take(blocks.Count / 2)), new BlockSet(blocks.Blocks.Skip(blocks.Count / 2)),
            };
            foreach (var set in narrower.Distinct())
            {
                var words = flat[i].Words.Where(w => !w.StartsWith(spec.Key + "=", StringComparison.Ordinal)).Append($"{spec.Key}={set}").ToList();
                yield return Rewrite(form, flat[i], flat[i] with { Words = words });
            }
        }
    }

    /// <summary>The file cut to the blocks the steps name (in whole pages of the backing), and to half of it.</summary>
    private static IEnumerable<ScenarioForm> SmallerFiles(ScenarioForm form)
    {
        var scenario = form.TryParse("smaller.scn");
        if (scenario is null)
            yield break;
        var named = scenario.AllSteps().Where(s => s.Effect != Effect.Check).Select(s => s.Args.Blocks?.Last ?? -1).DefaultIfEmpty(-1).Max() + 1;
        var perPage = (int)Math.Max(1, form.Backing.PageSize / form.Geometry.BlockSize);
        foreach (var blocks in new[] { named, form.BlockCount / 2 }.Distinct())
        {
            var rounded = (blocks + perPage - 1) / perPage * perPage;
            if (rounded >= 1 && rounded < form.BlockCount)
                yield return form with { Geometry = form.Geometry with { FileSize = (long)rounded * form.Geometry.BlockSize } };
        }
    }

    /// <summary>Each optional argument word dropped (the default instead), blocks aside: dropping them widens.</summary>
    private static IEnumerable<ScenarioForm> DroppedWords(ScenarioForm form)
    {
        foreach (var step in form.AllSteps().Where(s => s.Verb.Effect != Effect.Race))
            for (var w = 0; w < step.Words.Count; w++)
            {
                var (key, value) = Split(step.Words[w]);
                var spec = step.Verb.Args.FirstOrDefault(a => key.Length > 0 ? a.Key == key && !a.Positional : a.Positional && (a.Choices?.Contains(value) ?? true));
                if (spec is { Required: false } && spec.Kind != ArgKind.Blocks)
                    yield return Rewrite(form, step, step with { Words = Without(step.Words, w) });
            }
    }

    /// <summary>The form with one step (by reference, top level or in a race) replaced.</summary>
    private static ScenarioForm Rewrite(ScenarioForm form, StepForm old, StepForm replacement) =>
        form with
        {
            Steps = [.. form.Steps.Select(s => ReferenceEquals(s, old) ? replacement
                : s with { Body = [.. s.Body.Select(m => ReferenceEquals(m, old) ? replacement : m)] })],
        };

    private static (string Key, string Value) Split(string word)
    {
        var eq = word.IndexOf('=');
        return eq < 0 ? ("", word) : (word[..eq], word[(eq + 1)..]);
    }

    /// <summary>FNV-1a of the scenario's text: a candidate's name follows from what it does.</summary>
    private static uint Hash(string text) => text.Aggregate(2166136261u, (h, c) => (h ^ c) * 16777619u);
}
