namespace Bridge.Targets.Vm.Kernels;

/// <summary>One binary package as a suite's Packages index lists it (the fields a kernel needs).</summary>
/// <param name="Depends">Every package named in Depends (each alternative), with the version it must equal when the
/// relation is <c>(= V)</c>: the parts of a split kernel package are named so.</param>
public sealed record ArchivePackage(
    string Name,
    DebianVersion Version,
    string Suite,
    long Size,
    long InstalledSize,
    IReadOnlyList<PackageRelation> Depends);

/// <summary>One package a Depends field names, and the exact version when the relation is <c>(= V)</c>.</summary>
public sealed record PackageRelation(string Name, string? ExactVersion);

/// <summary>
/// Reads a Debian Packages index (deb822 stanzas, deb-control(5): <c>Field: value</c> lines, continuation lines
/// starting with a space, stanzas separated by blank lines). Only stanzas whose Package field passes the filter are
/// parsed further, so a 100 MB index of a whole suite is read in one pass at the speed of reading lines.
/// </summary>
public static class PackagesFile
{
    /// <exception cref="FormatException">A kept stanza lacks Package or Version, or has a version dpkg rejects;
    /// the message names the line.</exception>
    public static IEnumerable<ArchivePackage> Read(TextReader reader, string suite, Func<string, bool> keep, string source)
    {
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? lastField = null;
        var skipping = false;
        var lineNumber = 0;
        var stanzaLine = 1;
        while (true)
        {
            var line = reader.ReadLine();
            lineNumber++;
            if (line is null || line.Length == 0)
            {
                if (!skipping && fields.Count > 0)
                    yield return ToPackage(fields, suite, $"{source}:{stanzaLine}");
                fields.Clear();
                lastField = null;
                skipping = false;
                stanzaLine = lineNumber + 1;
                if (line is null)
                    yield break;
                continue;
            }
            if (skipping)
                continue;
            if (line[0] is ' ' or '\t')
            {
                if (lastField is not null)
                    fields[lastField] += "\n" + line.Trim();
                continue;
            }
            var colon = line.IndexOf(':');
            if (colon <= 0)
                throw new FormatException($"{source}:{lineNumber}: expected 'Field: value', found '{line}'");
            var name = line[..colon];
            var value = line[(colon + 1)..].Trim();
            if (fields.Count == 0 && name.Equals("Package", StringComparison.OrdinalIgnoreCase) && !keep(value))
            {
                skipping = true;
                continue;
            }
            fields[name] = value;
            lastField = name;
        }
    }

    private static ArchivePackage ToPackage(Dictionary<string, string> fields, string suite, string at)
    {
        var name = fields.GetValueOrDefault("Package") ?? throw new FormatException($"{at}: stanza without a Package field");
        var versionText = fields.GetValueOrDefault("Version") ?? throw new FormatException($"{at}: package {name} has no Version field");
        var version = DebianVersion.TryParse(versionText) ?? throw new FormatException($"{at}: package {name} has version '{versionText}', which is not a Debian version");
        return new ArchivePackage(
            name, version, suite,
            Number(fields.GetValueOrDefault("Size")),
            Number(fields.GetValueOrDefault("Installed-Size")) * 1024,
            ParseRelations(fields.GetValueOrDefault("Depends") ?? ""));
    }

    private static long Number(string? text) => long.TryParse(text, System.Globalization.NumberStyles.None, null, out var n) ? n : 0;

    /// <summary>deb-control(5) relations: comma-separated, alternatives by |, each <c>name[:arch] [(op version)]
    /// [[arch…]] [&lt;profile&gt;]</c>.</summary>
    public static IReadOnlyList<PackageRelation> ParseRelations(string field)
    {
        var relations = new List<PackageRelation>();
        foreach (var alternative in field.Split([',', '|'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var paren = alternative.IndexOf('(');
            var name = (paren >= 0 ? alternative[..paren] : alternative).Split(' ', '[', '<')[0].Split(':')[0].Trim();
            string? exact = null;
            if (paren >= 0 && alternative.IndexOf(')', paren) is var close and > 0)
            {
                var condition = alternative[(paren + 1)..close].Trim();
                if (condition.StartsWith('=') && !condition.StartsWith("=>", StringComparison.Ordinal))
                    exact = condition[1..].Trim();
            }
            if (name.Length > 0)
                relations.Add(new PackageRelation(name, exact));
        }
        return relations;
    }
}
