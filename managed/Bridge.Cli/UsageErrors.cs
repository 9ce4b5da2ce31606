using System.CommandLine;
using System.CommandLine.Invocation;
using System.Text.RegularExpressions;

namespace Bridge.Cli;

/// <summary>
/// Command-line errors, exit 2: an unknown option or command with System.CommandLine's did-you-mean
/// (<c>run --suit seed</c> → <c>unknown option '--suit' (did you mean '--suite'?)</c>), and every other parse error
/// as System.CommandLine words it, each line prefixed with the program's name.
/// </summary>
public static partial class UsageErrors
{
    public static int Report(ParseResult parse)
    {
        var suggestions = Suggestions(parse);
        // In command-line order: a word an argument gives back (PositionalWords) is unmatched after the words that
        // follow it.
        var words = parse.Tokens.Select(t => t.Value).ToList();
        var unmatched = parse.UnmatchedTokens.OrderBy(words.IndexOf).ToList();
        // The words after an unknown option are most likely its values (run --suit seed): they were never parsed, so
        // they are not reported as arguments of their own.
        var afterUnknownOption = false;
        foreach (var token in unmatched)
        {
            if (!token.StartsWith('-') && afterUnknownOption)
                continue;
            afterUnknownOption |= token.StartsWith('-');
            var hint = suggestions.TryGetValue(token, out var s) && s.Count > 0 ? $" (did you mean {string.Join(" or ", s.Select(x => $"'{x}'"))}?)" : "";
            Console.Error.WriteLine(token.StartsWith('-') ? $"pinbridge: unknown option '{token}'{hint}" : $"pinbridge: unexpected argument '{token}'{hint}");
        }
        foreach (var error in parse.Errors)
        {
            // Unmatched tokens are reported above. An argument that passed tokens on (the scenario files stop at the
            // first word that looks like an option) also reports a conversion error of its own: System.CommandLine
            // 2.0.0 marks such a result failed although its value is fine.
            if (unmatched.Any(t => error.Message.Contains($"'{t}'", StringComparison.Ordinal)) ||
                (unmatched.Count > 0 && error.Message.StartsWith("Cannot parse argument", StringComparison.Ordinal)))
                continue;
            Console.Error.WriteLine($"pinbridge: {error.Message}");
        }
        var command = parse.CommandResult.Command;
        Console.Error.WriteLine(command is RootCommand ? "Try 'pinbridge --help'." : $"Try 'pinbridge {command.Name} --help'.");
        return 2;
    }

    /// <summary>System.CommandLine's typo corrections per unmatched token (it prints them; this reads them back).</summary>
    private static Dictionary<string, List<string>> Suggestions(ParseResult parse)
    {
        var found = new Dictionary<string, List<string>>();
        if (parse.Action is not ParseErrorAction action)
            return found;
        action.ShowHelp = false;
        action.ShowTypoCorrections = true;
        var text = new StringWriter();
        parse.Invoke(new InvocationConfiguration { Error = text, Output = text });
        List<string>? current = null;
        foreach (var line in text.ToString().Split('\n', StringSplitOptions.TrimEntries))
        {
            if (NotMatched().Match(line) is { Success: true } m)
                found[m.Groups[1].Value] = current = [];
            else if (line.Length == 0 || line.Contains(' ', StringComparison.Ordinal))
                current = null;
            else
                current?.Add(line);
        }
        return found;
    }

    [GeneratedRegex(@"^'(.+)' was not matched\. Did you mean one of the following\?$")]
    private static partial Regex NotMatched();
}
