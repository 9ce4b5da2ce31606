namespace Bridge.Core.Scenarios;

/// <summary>The closest known word to a misspelt one (optimal string alignment distance: insertions, deletions,
/// substitutions and transpositions), as git and System.CommandLine suggest them.</summary>
public static class DidYouMean
{
    /// <summary>" (did you mean 'X'?)" when a candidate is within a third of the word's length, else "".</summary>
    public static string Hint(string word, IEnumerable<string> candidates)
    {
        if (word.Length == 0 || word.Length > 64)
            return "";
        var limit = Math.Max(1, word.Length / 3);
        var best = candidates
            .Where(c => c != word && Math.Abs(c.Length - word.Length) <= limit)
            .Select(c => (Candidate: c, Distance: Distance(word, c)))
            .Where(x => x.Distance <= limit)
            .OrderBy(x => x.Distance)
            .FirstOrDefault();
        return best.Candidate is null ? "" : $" (did you mean '{best.Candidate}'?)";
    }

    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
            d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++)
            d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        }
        return d[a.Length, b.Length];
    }
}
