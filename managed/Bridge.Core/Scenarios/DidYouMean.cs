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
        candidates = candidates.Where(c => c.Length <= 64);
        var limit = Math.Max(1, word.Length / 3);
        var best = candidates
            .Where(c => c != word && Math.Abs(c.Length - word.Length) <= limit)
            .Select(c => (Candidate: c, Distance: Distance(word, c)))
            .Where(x => x.Distance <= limit)
            .OrderBy(x => x.Distance)
            .FirstOrDefault();
        return best.Candidate is null ? "" : $" (did you mean '{best.Candidate}'?)";
    }

    /// <summary>Three rolling rows (a transposition looks two back), on the stack: words are at most 64 characters.</summary>
    public static int Distance(string a, string b)
    {
        var w = b.Length + 1;
        Span<int> d = stackalloc int[3 * w];
        for (var j = 0; j < w; j++)
            d[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            int row = i % 3 * w, back = (i - 1) % 3 * w, back2 = (i + 1) % 3 * w;
            d[row] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[row + j] = Math.Min(Math.Min(d[back + j] + 1, d[row + j - 1] + 1), d[back + j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[row + j] = Math.Min(d[row + j], d[back2 + j - 2] + 1);
            }
        }
        return d[a.Length % 3 * w + b.Length];
    }
}
