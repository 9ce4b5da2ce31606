using System.Text.RegularExpressions;

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
/// Each keeps the template's line numbers, and an error's column is mapped back through the substitutions, so an
/// error in one is reported at the template's file:line:col. <c>exclude</c> and <c>set … if</c> name only declared
/// variables and their declared values, each at most once; the product is held to
/// <see cref="InputLimits.MatrixInstances"/> before anything is expanded.
/// </summary>
internal static partial class Matrix
{
    public static bool IsMatrix(IReadOnlyList<string> lines) =>
        lines.Select(Tokens.Split).FirstOrDefault(t => t.Count > 0) is [{ Text: "matrix" }, ..];

    public static (List<MatrixInstance> Instances, List<ScenarioError> Errors) Expand(IReadOnlyList<string> lines, string file)
    {
        var errors = new List<ScenarioError>();
        var template = new string[lines.Count];
        var vars = new List<(string Key, List<string> Values)>();
        var excludes = new List<Dictionary<string, string>>();
        var sets = new List<SetLine>();
        string? name = null;
        SourceSpan nameAt = default;
        var sawVary = false;
        long instances = 1;
        var templateLines = lines.Count; // every instance parses every line, blank or not
        for (var i = 0; i < lines.Count; i++)
        {
            var tokens = Tokens.Split(lines[i]);
            var at = new SourceSpan(file, i + 1, tokens.Count > 0 ? tokens[0].Column : 1);
            void Error(int column, string message) => errors.Add(new(at with { Column = column }, message));
            template[i] = tokens.Count > 0 && tokens[0].Text is "matrix" or "vary" or "exclude" or "set" ? "" : lines[i];
            switch (tokens.Count > 0 ? tokens[0].Text : null)
            {
                case "matrix" when tokens.Count == 2 && name is null && ScenarioName.IsMatch(tokens[1].Text):
                    (name, nameAt) = (tokens[1].Text, at with { Column = tokens[1].Column });
                    break;
                case "matrix":
                    Error(at.Column, name is null ? $"expected 'matrix NAME', NAME {ScenarioName.Form}" : "a second 'matrix' line; expected one 'matrix NAME' line");
                    break;
                case "vary":
                    sawVary = true;
                    var values = tokens.Skip(3).Select(t => t.Text).ToList();
                    if (tokens.Count < 4 || tokens[2].Text != "=" || !KeyRegex().IsMatch(tokens[1].Text))
                    {
                        Error(at.Column, "expected 'vary KEY = VALUE…', KEY of letters, digits, '-' and '_'");
                        break;
                    }
                    if (vars.Any(v => v.Key == tokens[1].Text))
                    {
                        Error(tokens[1].Column, $"'{tokens[1].Text}' is varied twice; expected a new KEY");
                        break;
                    }
                    if (values.GroupBy(v => v).FirstOrDefault(g => g.Count() > 1) is { } twice)
                        Error(tokens.Skip(3).Where(t => t.Text == twice.Key).Skip(1).First().Column, $"value '{Printable.Word(twice.Key)}' given twice; expected each value once (instances are named by them)");
                    vars.Add((tokens[1].Text, values.Distinct().ToList()));
                    // The product is checked as it grows, and reported once, at the line that crosses the limit.
                    var before = instances;
                    instances = Math.Min(instances * vars[^1].Values.Count, InputLimits.MatrixInstances.Max + 1);
                    if (instances > InputLimits.MatrixInstances.Max && before <= InputLimits.MatrixInstances.Max)
                        Error(at.Column, $"the vary lines up to here make more than {InputLimits.MatrixInstances.Max:N0} instances; expected at most that many (exclude does not count: split the matrix)");
                    else if (instances <= InputLimits.MatrixInstances.Max && instances * templateLines > InputLimits.MatrixLines.Max && before * templateLines <= InputLimits.MatrixLines.Max)
                        Error(at.Column, $"{instances:N0} instances × {templateLines:N0} lines is more than {InputLimits.MatrixLines.Max:N0} lines to parse; expected fewer instances or a shorter file");
                    break;
                case "exclude":
                    if (tokens.Count < 2)
                        Error(at.Column, "expected 'exclude KEY=VALUE…' naming variables declared by 'vary' above");
                    else if (Clause(tokens.Skip(1), vars, at, errors) is { } exclude)
                        excludes.Add(exclude);
                    break;
                case "set":
                    if (tokens.Count is not (4 or >= 6) || tokens[2].Text != "=" || (tokens.Count >= 6 && tokens[4].Text != "if") || !KeyRegex().IsMatch(tokens[1].Text))
                        Error(at.Column, "expected 'set KEY = VALUE [if KEY=VALUE…]': a KEY not varied, conditions on variables declared by 'vary' above");
                    else if (vars.Any(v => v.Key == tokens[1].Text))
                        Error(tokens[1].Column, $"'{tokens[1].Text}' is varied; expected 'set' of a KEY not varied (a value that follows from the varied ones)");
                    else if (Clause(tokens.Skip(5), vars, at, errors) is { } conditions)
                        sets.Add(new SetLine(at, tokens[1].Text, tokens[3].Text, conditions));
                    break;
            }
        }
        if (!sawVary)
            errors.Add(new(new SourceSpan(file, 1, 1), "expected at least one 'vary KEY = VALUE…' in a matrix"));
        CheckPlaceholders(template, vars.Select(v => v.Key).Concat(sets.Select(d => d.Key)).ToHashSet(), file, errors);
        if (errors.Count > 0 || name is null)
            return ([], errors);
        return Instances(name, nameAt, template, vars, excludes, sets, errors);
    }

    private static (List<MatrixInstance>, List<ScenarioError>) Instances(string name, SourceSpan nameAt, string[] template,
        List<(string Key, List<string> Values)> vars, List<Dictionary<string, string>> excludes, List<SetLine> sets, List<ScenarioError> errors)
    {
        var instances = new List<MatrixInstance>();
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
            var lines = new string[template.Length];
            var maps = new LineMap?[template.Length];
            for (var i = 0; i < template.Length; i++)
                (lines[i], maps[i]) = Substitute(template[i], values);
            instances.Add(new MatrixInstance(instance, nameAt, lines, string.Join('\n', lines), maps));
        }
        if (instances.Count == 0)
            errors.Add(new(nameAt, "every instance is excluded; expected at least one"));
        return errors.Count > 0 ? ([], errors) : (instances, errors);
    }

    private sealed record SetLine(SourceSpan At, string Key, string Value, Dictionary<string, string> Conditions);

    /// <summary><c>KEY=VALUE…</c> of an exclude or a set condition: declared keys, each once, with declared values.</summary>
    private static Dictionary<string, string>? Clause(IEnumerable<Token> pairs, List<(string Key, List<string> Values)> vars, SourceSpan at, List<ScenarioError> errors)
    {
        var clause = new Dictionary<string, string>();
        var ok = true;
        foreach (var t in pairs)
        {
            var eq = t.Text.IndexOf('=');
            var (key, value) = eq < 0 ? (t.Text, "") : (t.Text[..eq], t.Text[(eq + 1)..]);
            var declared = vars.FirstOrDefault(v => v.Key == key);
            string? problem =
                eq < 0 ? $"expected KEY=VALUE, not '{Printable.Word(t.Text)}'"
                : declared.Key is null ? $"'{Printable.Word(key)}' is not a variable declared by 'vary' above{DidYouMean.Hint(key, vars.Select(v => v.Key))}; declared: {string.Join(", ", vars.Select(v => v.Key))}"
                : clause.ContainsKey(key) ? $"'{key}' given twice; expected each variable once (an instance has one value of it)"
                : !declared.Values.Contains(value) ? $"'{Printable.Word(value)}' is not a value of '{key}'{DidYouMean.Hint(value, declared.Values)}; expected one of: {string.Join(' ', declared.Values)}"
                : null;
            if (problem is not null)
            {
                errors.Add(new(at with { Column = t.Column }, problem));
                ok = false;
                continue;
            }
            clause[key] = value;
        }
        return ok ? clause : null;
    }

    private static IEnumerable<Dictionary<string, string>> Product(List<(string Key, List<string> Values)> vars) =>
        vars.Aggregate(
            (IEnumerable<Dictionary<string, string>>)[new Dictionary<string, string>()],
            (acc, v) => acc.SelectMany(d => v.Values.Select(value => new Dictionary<string, string>(d) { [v.Key] = value })));

    /// <summary>Replaces every <c>{KEY}</c> in one left-to-right pass, recording where each replacement landed so
    /// that an instance's column maps back to the template's. A line that is only a placeholder whose value is
    /// '-' vanishes.</summary>
    private static (string Line, LineMap? Map) Substitute(string line, Dictionary<string, string> values)
    {
        if (!line.Contains('{'))
            return (line, null);
        if (line.Trim() is ['{', .. var only, '}'] && values.TryGetValue(only, out var dash) && dash == "-")
            return ("", null);
        var sb = new System.Text.StringBuilder();
        var segments = new List<LineMap.Segment>();
        var i = 0;
        while (i < line.Length)
        {
            var open = line.IndexOf('{', i);
            var close = open < 0 ? -1 : line.IndexOf('}', open);
            if (close < 0 || !values.TryGetValue(line[(open + 1)..close], out var value))
            {
                var end = open < 0 ? line.Length : open + 1;
                sb.Append(line, i, end - i);
                i = end;
                continue;
            }
            sb.Append(line, i, open - i);
            segments.Add(new LineMap.Segment(sb.Length, value.Length, open, close + 1 - open));
            sb.Append(value);
            i = close + 1;
        }
        return (sb.ToString(), segments.Count == 0 ? null : new LineMap(segments));
    }

    /// <summary>Every <c>{…}</c> must name a variable. One pass per line, one error per line.</summary>
    private static void CheckPlaceholders(string[] template, HashSet<string> keys, string file, List<ScenarioError> errors)
    {
        for (var i = 0; i < template.Length; i++)
        {
            var line = template[i];
            for (var open = line.IndexOf('{'); open >= 0; open = line.IndexOf('{', open + 1))
            {
                var close = line.IndexOf('}', open);
                var key = close < 0 || line.IndexOf('{', open + 1, close - open - 1) >= 0 ? null : line[(open + 1)..close];
                if (key is not null && keys.Contains(key))
                {
                    open = close;
                    continue;
                }
                var shown = key is null ? "'{' without its '}'" : $"'{{{Printable.Word(key)}}}'";
                errors.Add(new(new SourceSpan(file, i + 1, open + 1),
                    $"{shown}: expected '{{KEY}}' naming a variable declared by 'vary' or 'set' ({string.Join(", ", keys)}){DidYouMean.Hint(key ?? "", keys)}"));
                break;
            }
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9_-]{1,32}$")]
    private static partial Regex KeyRegex();
}

/// <summary>One instance of a matrix: its name, where the name comes from, its lines and how their columns map
/// back to the template's.</summary>
internal sealed record MatrixInstance(string Name, SourceSpan NameAt, string[] Lines, string Text, LineMap?[] Maps)
{
    /// <summary>An error at an instance's line and column, at the template's.</summary>
    public SourceSpan InTemplate(SourceSpan at) =>
        at.Line >= 1 && at.Line <= Maps.Length && Maps[at.Line - 1] is { } map ? at with { Column = map.TemplateColumn(at.Column) } : at;
}

/// <summary>Where the substitutions of one template line landed in the instance's line.</summary>
internal sealed record LineMap(IReadOnlyList<LineMap.Segment> Segments)
{
    /// <param name="At">0-based start in the instance line.</param>
    /// <param name="Length">The value's length.</param>
    /// <param name="TemplateAt">0-based start of the <c>{KEY}</c> in the template line.</param>
    /// <param name="TemplateLength">The placeholder's length.</param>
    public readonly record struct Segment(int At, int Length, int TemplateAt, int TemplateLength);

    public int TemplateColumn(int column)
    {
        var shift = 0;
        foreach (var s in Segments)
        {
            if (column - 1 < s.At)
                break;
            if (column - 1 < s.At + s.Length)
                return s.TemplateAt + 1; // inside a substituted value: the placeholder's column
            shift += s.Length - s.TemplateLength;
        }
        return column - shift;
    }
}
