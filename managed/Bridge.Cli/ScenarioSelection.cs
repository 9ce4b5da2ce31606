using System.CommandLine;
using System.IO.Enumeration;
using Bridge.Core.Scenarios;

namespace Bridge.Cli;

/// <summary>The scenario-selecting arguments shared by run, sim, compare and regress: files and suites, narrowed by
/// <c>--only PATTERN</c> (a glob on instance names, like kselftest's <c>-t</c>), and <c>--list</c> to print the names
/// instead of running them.</summary>
public sealed class ScenarioSelection
{
    /// <summary>Scenario files; a word that looks like an option is never one (<see cref="PositionalWords"/>).</summary>
    public Argument<string[]> Files { get; } = new("files")
    {
        Arity = ArgumentArity.ZeroOrMore,
        Description = "scenario files (.scn), single or matrix",
        CustomParser = PositionalWords.Take,
    };

    public Option<string[]> Suite { get; } = new("--suite")
    {
        Description = "every scenario under scenarios/NAME (repeatable): default, seed, policy, …",
        AllowMultipleArgumentsPerToken = true,
    };

    public Option<string[]> Only { get; } = new("--only")
    {
        Description = "run only the scenarios whose name matches PATTERN (repeatable): * and ? match any text and any character, brackets are literal, e.g. 'uring[ext4,shared,*]'",
    };

    public Option<bool> List { get; } = new("--list") { Description = "print the selected scenarios' names, one per line, and run nothing" };

    public void AddTo(Command command)
    {
        command.Arguments.Add(Files);
        command.Options.Add(Suite);
        command.Options.Add(Only);
        command.Options.Add(List);
    }

    /// <summary>The scenarios of the files and suites given, narrowed by --only (a pattern that matches none is a
    /// usage error: a typo must not run nothing and pass).</summary>
    public IReadOnlyList<Scenario> Load(ParseResult parse) =>
        Select(ScenarioLoader.Load(parse.GetValue(Files) ?? [], parse.GetValue(Suite) ?? []), parse.GetValue(Only) ?? []);

    public static IReadOnlyList<Scenario> Select(IReadOnlyList<Scenario> scenarios, IReadOnlyList<string> patterns)
    {
        if (patterns.Count == 0)
            return scenarios;
        foreach (var pattern in patterns.Where(p => !scenarios.Any(s => Matches(p, s.Name))))
            throw new UsageException($"--only '{pattern}' matches none of the {scenarios.Count} scenarios; expected a glob on their names (--list prints them), e.g. '{scenarios.FirstOrDefault()?.Name ?? "name"}' or 'uring[ext4,*]'");
        return [.. scenarios.Where(s => patterns.Any(p => Matches(p, s.Name)))];
    }

    /// <summary>With --list: prints the names and says so (the command then runs nothing).</summary>
    public bool Listed(ParseResult parse, IReadOnlyList<Scenario> scenarios)
    {
        if (!parse.GetValue(List))
            return false;
        Console.Out.Write(string.Concat(scenarios.Select(s => s.Name + "\n")));
        return true;
    }

    private static bool Matches(string pattern, string name) => FileSystemName.MatchesSimpleExpression(pattern, name, ignoreCase: false);
}
