namespace Bridge.Core.Scenarios;

/// <summary>
/// A matrix file expands one template over the product of its variables (like gup_longterm.c's test case ×
/// backing tables):
/// <code>
/// matrix odirect-into-mapping
/// vary backing = ext4 tmpfs memfd anon
/// vary sync = msync fsync -          # '-' stands for nothing: the line vanishes
/// exclude backing=anon sync=fsync
/// set size = 256K                     # a value that follows from the varied ones: the last matching line wins
/// set size = 2M if backing=hugetlb
/// backing {backing}
/// file size={size}
/// ...
/// {sync}
/// </code>
/// Instances are named <c>NAME[v1,v2]</c> by their <c>vary</c> values only (a <c>set</c> value follows from them).
/// Each keeps the template's line numbers, so an error in one is reported at the template's file:line.
/// </summary>
internal static class Matrix
{
    public static bool IsMatrix(string text) =>
        text.Split('\n').Select(l => Tokens.Split(l)).FirstOrDefault(t => t.Count > 0) is [{ Text: "matrix" }, ..];

    public static (List<(string Name, string Text)> Instances, List<ScenarioError> Errors) Expand(string text, string file)
    {
        var errors = new List<ScenarioError>();
        var lines = text.Split('\n');
        var template = new string[lines.Length];
        var vars = new List<(string Key, List<string> Values)>();
        var excludes = new List<Dictionary<string, string>>();
        var sets = new List<SetLine>();
        string? name = null;
        for (var i = 0; i < lines.Length; i++)
        {
            var tokens = Tokens.Split(lines[i]);
            var at = new SourceSpan(file, i + 1, tokens.Count > 0 ? tokens[0].Column : 1);
            template[i] = tokens.Count > 0 && tokens[0].Text is "matrix" or "vary" or "exclude" or "set" ? "" : lines[i];
            switch (tokens.Count > 0 ? tokens[0].Text : null)
            {
                case "matrix" when tokens.Count == 2 && name is null:
                    name = tokens[1].Text;
                    break;
                case "matrix":
                    errors.Add(new(at, "expected one 'matrix NAME' line"));
                    break;
                case "vary":
                    var values = tokens.Skip(1).SkipWhile(t => t.Text != "=").Skip(1).Select(t => t.Text).ToList();
                    if (tokens.Count < 4 || tokens[2].Text != "=" || values.Count == 0 || vars.Any(v => v.Key == tokens[1].Text))
                        errors.Add(new(at, "expected 'vary KEY = VALUE…' with a new KEY"));
                    else
                        vars.Add((tokens[1].Text, values));
                    break;
                case "exclude":
                    var pairs = tokens.Skip(1).Select(t => t.Text.Split('=', 2)).ToList();
                    if (pairs.Count == 0 || pairs.Any(p => p.Length != 2 || vars.All(v => v.Key != p[0])))
                        errors.Add(new(at, "expected 'exclude KEY=VALUE…' naming variables declared by 'vary' above"));
                    else
                        excludes.Add(pairs.ToDictionary(p => p[0], p => p[1]));
                    break;
                case "set":
                    var conditions = tokens.Skip(5).Select(t => t.Text.Split('=', 2)).ToList();
                    if (tokens.Count is not (4 or >= 6) || tokens[2].Text != "=" || vars.Any(v => v.Key == tokens[1].Text) ||
                        (tokens.Count >= 6 && tokens[4].Text != "if") || conditions.Any(c => c.Length != 2 || vars.All(v => v.Key != c[0])))
                        errors.Add(new(at, "expected 'set KEY = VALUE [if KEY=VALUE…]': a KEY not varied, conditions on variables declared by 'vary' above"));
                    else
                        sets.Add(new SetLine(at, tokens[1].Text, tokens[3].Text, conditions.ToDictionary(c => c[0], c => c[1])));
                    break;
            }
        }
        if (vars.Count == 0)
            errors.Add(new(new SourceSpan(file, 1, 1), "expected at least one 'vary KEY = VALUE…' in a matrix"));
        CheckPlaceholders(template, vars.Select(v => v.Key).Concat(sets.Select(d => d.Key)).ToHashSet(), file, errors);
        if (errors.Count > 0)
            return ([], errors);
        var instances = new List<(string, string)>();
        var unsetReported = new HashSet<string>();
        foreach (var combo in Product(vars))
        {
            if (excludes.Any(ex => ex.All(kv => combo[kv.Key] == kv.Value)))
                continue;
            var instance = $"{name}[{string.Join(',', vars.Select(v => combo[v.Key]))}]";
            var values = new Dictionary<string, string>(combo);
            foreach (var set in sets.Where(d => d.Conditions.All(c => combo[c.Key] == c.Value)))
                values[set.Key] = set.Value;
            foreach (var unset in sets.Where(d => !values.ContainsKey(d.Key) && unsetReported.Add(d.Key)).DistinctBy(d => d.Key))
                errors.Add(new(unset.At, $"'{unset.Key}' has no value in {instance}: expected a 'set {unset.Key} = VALUE' without 'if', or one whose condition holds"));
            var body = template.Select(l => Substitute(l, values));
            instances.Add((instance, string.Join('\n', body)));
        }
        return errors.Count > 0 ? ([], errors) : (instances, errors);
    }

    private sealed record SetLine(SourceSpan At, string Key, string Value, Dictionary<string, string> Conditions);

    private static IEnumerable<Dictionary<string, string>> Product(List<(string Key, List<string> Values)> vars) =>
        vars.Aggregate(
            (IEnumerable<Dictionary<string, string>>)[new Dictionary<string, string>()],
            (acc, v) => acc.SelectMany(d => v.Values.Select(value => new Dictionary<string, string>(d) { [v.Key] = value })));

    private static string Substitute(string line, Dictionary<string, string> combo)
    {
        foreach (var (key, value) in combo)
        {
            var placeholder = "{" + key + "}";
            if (!line.Contains(placeholder))
                continue;
            if (value == "-" && line.Trim() == placeholder)
                return "";
            line = line.Replace(placeholder, value);
        }
        return line;
    }

    private static void CheckPlaceholders(string[] template, HashSet<string> keys, string file, List<ScenarioError> errors)
    {
        for (var i = 0; i < template.Length; i++)
        {
            for (var open = template[i].IndexOf('{'); open >= 0; open = template[i].IndexOf('{', open + 1))
            {
                var close = template[i].IndexOf('}', open);
                var key = close < 0 ? "" : template[i][(open + 1)..close];
                if (!keys.Contains(key))
                    errors.Add(new(new SourceSpan(file, i + 1, open + 1), $"expected '{{KEY}}' naming a variable declared by 'vary' or 'set' ({string.Join(", ", keys)})"));
            }
        }
    }
}
