using System.Text.RegularExpressions;

namespace Bridge.Core.Scenarios;

/// <summary>The form of a name given by <c>scenario NAME</c> or <c>matrix NAME</c>: it appears in reports, TAP
/// lines and file names of evidence, so it is a plain word.</summary>
internal static partial class ScenarioName
{
    public const string Form = "of letters, digits, '.', '-' and '_' (at most 64, starting with a letter or digit)";

    public static bool IsMatch(string name) => NameRegex().IsMatch(name);

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex NameRegex();
}
