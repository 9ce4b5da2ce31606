namespace Bridge.Core.Scenarios;

/// <summary>A whitespace-separated word of a scenario line and its 1-based column.</summary>
internal readonly record struct Token(string Text, int Column);

internal static class Tokens
{
    /// <summary>Splits a line into words; <c>#</c> starts a comment; double quotes group a word with spaces.</summary>
    public static List<Token> Split(string line)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < line.Length)
        {
            if (char.IsWhiteSpace(line[i])) { i++; continue; }
            if (line[i] == '#') break;
            var start = i;
            if (line[i] == '"')
            {
                var close = line.IndexOf('"', i + 1);
                var end = close < 0 ? line.Length : close;
                tokens.Add(new Token(line[(i + 1)..end], start + 1));
                i = end + 1;
                continue;
            }
            while (i < line.Length && !char.IsWhiteSpace(line[i]) && line[i] != '#')
                i++;
            tokens.Add(new Token(line[start..i], start + 1));
        }
        return tokens;
    }
}
