namespace Bridge.Core.Scenarios;

/// <summary>
/// The lines of a scenario file, checked against the size limits before any line is parsed: a file past
/// <see cref="InputLimits.FileChars"/> or <see cref="InputLimits.Lines"/> is one error at the place it crosses the
/// limit; a line past <see cref="InputLimits.LineLength"/> is an error at that column and is left out (blank), and a
/// control or invisible character is an error at its column and ends its line there, so neither causes more errors.
/// Null: the file as a whole is past a limit.
/// </summary>
internal static class SourceText
{
    public static string[]? Lines(string text, string file, List<ScenarioError> errors)
    {
        if (text.Length > InputLimits.FileChars.Max)
        {
            var (line, column) = Position(text, (int)InputLimits.FileChars.Max);
            errors.Add(new(new SourceSpan(file, line, column), $"the file is longer than {InputLimits.FileChars.Max:N0} characters; expected at most that (split it into several files)"));
            return null;
        }
        var lines = text.Split('\n');
        if (lines.Length > InputLimits.Lines.Max)
        {
            errors.Add(new(new SourceSpan(file, (int)InputLimits.Lines.Max + 1, 1), $"the file has {lines.Length:N0} lines; expected at most {InputLimits.Lines.Max:N0} (split it into several files)"));
            return null;
        }
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].EndsWith('\r') ? lines[i][..^1] : lines[i];
            lines[i] = line;
            if (line.Length > InputLimits.LineLength.Max)
            {
                errors.Add(new(new SourceSpan(file, i + 1, (int)InputLimits.LineLength.Max + 1), $"the line is {line.Length:N0} characters; expected at most {InputLimits.LineLength.Max:N0}"));
                lines[i] = "";
            }
            else if (Printable.FirstHidden(line) is var hidden and >= 0)
            {
                errors.Add(new(new SourceSpan(file, i + 1, hidden + 1), $"unexpected character {Printable.Text(line.Substring(hidden, char.IsSurrogatePair(line, hidden) ? 2 : 1))}; expected printable text (a scenario is plain text)"));
                lines[i] = line[..hidden];
            }
        }
        return lines;
    }

    private static (int Line, int Column) Position(string text, int index)
    {
        var line = 1;
        var start = 0;
        for (var i = text.IndexOf('\n'); i >= 0 && i < index; i = text.IndexOf('\n', i + 1))
        {
            line++;
            start = i + 1;
        }
        return (line, index - start + 1);
    }
}
