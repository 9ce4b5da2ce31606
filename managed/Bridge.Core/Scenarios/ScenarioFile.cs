namespace Bridge.Core.Scenarios;

/// <summary>Entry point for scenario text: a single scenario or a matrix of them. All or nothing: when any
/// instance has an error, <see cref="ScenarioException"/> carries every error and no scenario is returned. No other
/// exception escapes for any text: limits (<see cref="InputLimits"/>) are errors like any other.</summary>
public static class ScenarioFile
{
    public static IReadOnlyList<Scenario> Parse(string text, string file) => Named(text, file).Select(n => n.Scenario).ToList();

    /// <summary>Every scenario of several files, parsed before anything runs; names must be unique across them.</summary>
    public static IReadOnlyList<Scenario> ParseAll(IEnumerable<(string Text, string File)> files)
    {
        var scenarios = new List<(Scenario Scenario, SourceSpan NameAt)>();
        var errors = new List<ScenarioError>();
        foreach (var (text, file) in files)
        {
            try
            {
                scenarios.AddRange(Named(text, file));
            }
            catch (ScenarioException e)
            {
                errors.AddRange(e.Errors);
            }
        }
        foreach (var dup in scenarios.GroupBy(s => s.Scenario.Name).Where(g => g.Count() > 1))
        {
            var (first, again) = (dup.First(), dup.Skip(1).First());
            errors.Add(new ScenarioError(again.NameAt, $"scenario name '{Printable.Word(dup.Key)}' is used twice (also at {first.NameAt}); expected unique names"));
        }
        return errors.Count > 0 ? throw new ScenarioException(errors) : scenarios.Select(s => s.Scenario).ToList();
    }

    /// <summary>Re-parses a scenario from the text an agent received; the name is kept from the sender.</summary>
    public static Scenario ParseOne(string text, string file, string name)
    {
        var errors = new List<ScenarioError>();
        var lines = SourceText.Lines(text, file, errors) ?? throw new ScenarioException(errors);
        // The sender parsed this text already; a header naming it (a generated scenario has one) is allowed.
        var (scenario, parseErrors, _) = ScenarioParser.Parse(lines, text, file, name, null, allowNameHeader: true);
        errors.AddRange(parseErrors);
        return scenario is null || errors.Count > 0 ? throw new ScenarioException(errors) : scenario with { Name = name };
    }

    private static List<(Scenario Scenario, SourceSpan NameAt)> Named(string text, string file)
    {
        var errors = new List<ScenarioError>();
        var lines = SourceText.Lines(text, file, errors) ?? throw new ScenarioException(errors);
        if (!Matrix.IsMatrix(lines))
        {
            var (scenario, parseErrors, nameAt) = ScenarioParser.Parse(lines, text, file, Path.GetFileNameWithoutExtension(file), null, allowNameHeader: true);
            errors.AddRange(parseErrors);
            return scenario is null || errors.Count > 0 ? throw new ScenarioException(Sorted(errors)) : [(scenario, nameAt ?? FirstWord(lines, file))];
        }
        var (instances, matrixErrors) = Matrix.Expand(lines, file);
        errors.AddRange(matrixErrors);
        if (errors.Count > 0)
            throw new ScenarioException(Sorted(errors));
        var scenarios = new List<(Scenario, SourceSpan)>();
        var inInstances = new Dictionary<ScenarioError, List<string>>();
        foreach (var instance in instances)
        {
            var (scenario, instanceErrors, _) = ScenarioParser.Parse(instance.Lines, instance.Text, file, instance.Name, instance.NameAt, allowNameHeader: false);
            if (scenario is not null)
                scenarios.Add((scenario, instance.NameAt));
            // One error per place and message, naming the instances it occurs in: a template mistake shows once.
            foreach (var error in instanceErrors.Select(e => e with { At = instance.InTemplate(e.At) }))
                (inInstances.TryGetValue(error, out var names) ? names : inInstances[error] = []).Add(instance.Name);
        }
        if (inInstances.Count == 0)
            return scenarios;
        throw new ScenarioException(Sorted(inInstances.Select(kv => kv.Key with { Message = $"{kv.Key.Message} ({Instances(kv.Value)})" })));
    }

    private static string Instances(List<string> names) => names.Count switch
    {
        1 => $"in {names[0]}",
        <= 3 => $"in {string.Join(", ", names)}",
        _ => $"in {names[0]}, {names[1]} and {names.Count - 2} more",
    };

    private static List<ScenarioError> Sorted(IEnumerable<ScenarioError> errors) =>
        errors.OrderBy(e => e.At.Line).ThenBy(e => e.At.Column).ToList();

    /// <summary>A scenario named after its file: its name is "at" the first line that says anything.</summary>
    private static SourceSpan FirstWord(string[] lines, string file)
    {
        for (var i = 0; i < lines.Length; i++)
            if (Tokens.Split(lines[i]) is [var first, ..])
                return new SourceSpan(file, i + 1, first.Column);
        return new SourceSpan(file, 1, 1);
    }
}
