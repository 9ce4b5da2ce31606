using System.Text.RegularExpressions;

namespace Bridge.Core.Scenarios;

/// <summary>The form of a name given by <c>scenario NAME</c> or <c>matrix NAME</c>: it appears in reports, TAP
/// lines and file names of evidence, so it is a plain word — with the brackets and commas of an instance name
/// (<c>policy[ext4,shared,rdma-mr,rw]</c>, which generated scenarios carry in their header).</summary>
internal static partial class ScenarioName
{
    public const string Form = "of letters, digits and . _ - + = , [ ] (at most 100, starting with a letter or digit)";

    public static bool IsMatch(string name) => NameRegex().IsMatch(name);

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._+=,\[\]-]{0,99}$")]
    private static partial Regex NameRegex();
}
