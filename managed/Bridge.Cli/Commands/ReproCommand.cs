using System.CommandLine;
using Bridge.Core.Repro;
using Bridge.Core.Scenarios;

namespace Bridge.Cli.Commands;

/// <summary><c>pinbridge repro SCENARIO</c>: writes a standalone C reproducer of one scenario (Core's
/// <see cref="ReproGenerator"/> writes the text; this command only picks the scenario and writes the file).</summary>
public static class ReproCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("scenario") { Description = "a scenario file (.scn), single or matrix" };
        var only = new Option<string?>("--only") { Description = "the scenario of a matrix file to reproduce, by name (e.g. 'races[btrfs,msync]')" };
        var output = new Option<string>("--output", "-o") { Description = "directory to write repro.c into (default: the working directory)", DefaultValueFactory = _ => "." };
        var command = new Command("repro", "Write repro.c: one standalone C program (libc, plus liburing or libibverbs when the pin path needs them) that performs a scenario's steps and judges every block against the oracle's expectations embedded at generation time. Exit 0: written; 2: usage or input errors.")
        {
            file, only, output,
        };
        command.SetAction(parse =>
        {
            var scenario = Pick(ScenarioLoader.Load([parse.GetValue(file)!], []), parse.GetValue(only));
            var dir = parse.GetValue(output)!;
            if (!Directory.Exists(dir))
                throw new UsageException($"-o {dir}: no such directory; expected an existing directory");
            string text;
            try
            {
                text = ReproGenerator.Generate(scenario);
            }
            catch (ArgumentException e)
            {
                throw new UsageException(e.Message);
            }
            var path = Path.Combine(dir, "repro.c");
            File.WriteAllText(path, text);
            Console.WriteLine($"{path}: reproducer of {scenario.Name} ({scenario.SourceFile})");
            Console.WriteLine($"  {text[..text.IndexOf('\n', StringComparison.Ordinal)].Trim('/', '*', ' ')}");
            return 0;
        });
        return command;
    }

    public static Scenario Pick(IReadOnlyList<Scenario> scenarios, string? only)
    {
        if (only is not null)
            return scenarios.FirstOrDefault(s => s.Name == only)
                   ?? throw new UsageException($"--only {only}: no such scenario in the file; expected one of: {string.Join(", ", scenarios.Select(s => s.Name))}");
        return scenarios.Count == 1
            ? scenarios[0]
            : throw new UsageException($"the file holds {scenarios.Count} scenarios; choose one with --only NAME: {string.Join(", ", scenarios.Select(s => s.Name))}");
    }
}
