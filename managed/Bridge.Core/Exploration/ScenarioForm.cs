using System.Globalization;
using System.Text;
using Bridge.Core.Blocks;
using Bridge.Core.Scenarios;

namespace Bridge.Core.Exploration;

/// <summary>One step as the language writes it: its verb row and its argument words; a race carries its body.</summary>
public sealed record StepForm(VerbInfo Verb, IReadOnlyList<string> Words, IReadOnlyList<StepForm> Body)
{
    public StepForm(VerbInfo verb, IReadOnlyList<string> words) : this(verb, words, []) { }

    public string Line => string.Join(' ', Words.Prepend(Verb.Keyword));

    /// <summary>This step and its body, in source order.</summary>
    public IEnumerable<StepForm> Flattened() => Body.Prepend(this);
}

/// <summary>
/// A scenario as text the parser accepts, held as headers and step words so that the generator can build one and
/// the shrinker can change one word at a time. <see cref="Render"/> writes the text; <see cref="Of"/> reads a parsed
/// scenario back (its steps' words are the tokens the parser saw), so generate → render → parse → <see cref="Of"/>
/// gives the same form and the same text: a finding is saved as the very text that ran.
/// </summary>
public sealed record ScenarioForm(string Name, BackingInfo Backing, MapKind Map, BlockGeometry Geometry, InitialFill Init, IReadOnlyList<StepForm> Steps)
{
    public int BlockCount => Geometry.BlockCount;

    /// <summary>Every step, race bodies included, in source order.</summary>
    public IEnumerable<StepForm> AllSteps() => Steps.SelectMany(s => s.Flattened());

    public string Render() => new StringBuilder().Append("scenario ").Append(Name).Append('\n').Append(Body()).ToString();

    /// <summary>The text after the name line: what the scenario does, whatever it is called.</summary>
    public string Body()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"backing {Backing.Name}\nmap {Map.ToString().ToLowerInvariant()}\n");
        text.Append(CultureInfo.InvariantCulture, $"file size={Kib(Geometry.FileSize)} block={Kib(Geometry.BlockSize)}");
        text.Append(Init == InitialFill.Hole ? " init=hole\n" : "\n");
        foreach (var step in Steps)
        {
            text.Append(step.Line).Append('\n');
            if (step.Verb.Effect != Effect.Race)
                continue;
            foreach (var member in step.Body)
                text.Append("  ").Append(member.Line).Append('\n');
            text.Append("end\n");
        }
        return text.ToString();
    }

    /// <summary>Parses the rendered text as the file <paramref name="file"/>; null when the parser rejects it.</summary>
    public Scenario? TryParse(string file)
    {
        try
        {
            return ScenarioFile.ParseOne(Render(), file, Name);
        }
        catch (ScenarioException)
        {
            return null;
        }
    }

    /// <summary>The form of a parsed scenario: its headers and, per step, the words the parser read.</summary>
    public static ScenarioForm Of(Scenario scenario) =>
        new(scenario.Name, scenario.Backing, scenario.Map, scenario.Geometry, scenario.Init, [.. scenario.Steps.Select(Of)]);

    private static StepForm Of(Step step) => new(step.Verb, step.Text.Split(' ').Skip(1).ToList(), [.. step.Body.Select(Of)]);

    private static string Kib(long bytes) => $"{bytes / 1024}K";
}
