using System.CommandLine.Parsing;

namespace Bridge.Cli;

/// <summary>
/// The words a positional argument (a scenario file, an image) takes: those before the first one that looks like an
/// option. System.CommandLine hands an unknown option to a free argument as its value (<c>run --suit seed</c> would
/// look for a file named <c>--suit</c>); left unmatched instead, it is reported as an unknown option with the
/// parser's did-you-mean (<see cref="UsageErrors"/>).
/// </summary>
public static class PositionalWords
{
    public static string[] Take(ArgumentResult result)
    {
        var words = result.Tokens.TakeWhile(t => !t.Value.StartsWith('-')).Select(t => t.Value).ToArray();
        if (words.Length < result.Tokens.Count)
            result.OnlyTake(words.Length);
        return words;
    }
}
