namespace Bridge.Core.Scenarios;

/// <summary>Entry point for scenario text: a single scenario or a matrix of them. All or nothing: when any
/// instance has an error, <see cref="ScenarioException"/> carries every error and no scenario is returned.</summary>
public static class ScenarioFile
{
    public static IReadOnlyList<Scenario> Parse(string text, string file)
    {
        var baseName = Path.GetFileNameWithoutExtension(file);
        if (!Matrix.IsMatrix(text))
        {
            var (scenario, errors) = ScenarioParser.Parse(text, file, baseName);
            return scenario is null ? throw new ScenarioException(errors) : [scenario];
        }
        var (instances, matrixErrors) = Matrix.Expand(text, file);
        if (matrixErrors.Count > 0)
            throw new ScenarioException(matrixErrors);
        var scenarios = new List<Scenario>();
        var all = new List<ScenarioError>();
        foreach (var (name, body) in instances)
        {
            var (scenario, errors) = ScenarioParser.Parse(body, file, name, allowNameHeader: false);
            if (scenario is not null)
                scenarios.Add(scenario);
            all.AddRange(errors.Select(e => e with { Message = $"{e.Message} (in {name})" }));
        }
        return all.Count > 0 ? throw new ScenarioException(all) : scenarios;
    }

    /// <summary>Re-parses a scenario from the text an agent received; the name is kept from the sender.</summary>
    public static Scenario ParseOne(string text, string file, string name)
    {
        // The sender parsed this text already; a header naming it (a generated scenario has one) is allowed.
        var (scenario, errors) = ScenarioParser.Parse(text, file, name, allowNameHeader: true);
        return scenario is null ? throw new ScenarioException(errors) : scenario with { Name = name };
    }
}
