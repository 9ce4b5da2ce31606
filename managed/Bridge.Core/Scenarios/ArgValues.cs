using System.Globalization;
using System.Text.RegularExpressions;

namespace Bridge.Core.Scenarios;

/// <summary>Parsers for argument values. Each returns null and sets <c>expected</c> to the form it wanted.</summary>
internal static partial class ArgValues
{
    public static long? Size(string text, out string expected)
    {
        expected = "a size such as 65536, 64K, 2M or 1G";
        var m = SizeRegex().Match(text);
        if (!m.Success || !long.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            return null;
        var shift = m.Groups[2].Value.ToUpperInvariant() switch { "K" => 10, "M" => 20, "G" => 30, _ => 0 };
        return n > (long.MaxValue >> shift) ? null : n << shift;
    }

    public static uint? Gen(string text, out string expected)
    {
        expected = "a generation number 1-65535 (0 is the initial fill)";
        return uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var g) && g is >= 1 and <= 65535 ? g : null;
    }

    public static BlockSet? Blocks(string text, int blockCount, out string expected)
    {
        expected = $"blocks as 'all', N or A-B, comma-separated, within 0-{blockCount - 1}";
        if (text == "all")
            return BlockSet.Range(0, blockCount - 1);
        var blocks = new List<int>();
        foreach (var part in text.Split(','))
        {
            var m = RangeRegex().Match(part);
            if (!m.Success)
                return null;
            var first = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            var last = m.Groups[2].Success ? int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) : first;
            if (last < first || last >= blockCount)
                return null;
            blocks.AddRange(Enumerable.Range(first, last - first + 1));
        }
        return new BlockSet(blocks);
    }

    public static TimeSpan? Duration(string text, out string expected)
    {
        expected = "a duration such as 500ms, 3s or 1m";
        var m = DurationRegex().Match(text);
        if (!m.Success || !int.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n == 0)
            return null;
        return m.Groups[2].Value switch { "ms" => TimeSpan.FromMilliseconds(n), "s" => TimeSpan.FromSeconds(n), _ => TimeSpan.FromMinutes(n) };
    }

    public static int? Count(string text, out string expected)
    {
        expected = "a count 1-1000000";
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 1_000_000 ? n : null;
    }

    public static string? Name(string text, out string expected)
    {
        expected = "a file name of letters, digits, '-' and '_' (not 'data' or 'src')";
        return NameRegex().IsMatch(text) && text is not ("data" or "src") ? text : null;
    }

    [GeneratedRegex(@"^(\d+)([KkMmGg]?)$")]
    private static partial Regex SizeRegex();

    [GeneratedRegex(@"^(\d+)(?:-(\d+))?$")]
    private static partial Regex RangeRegex();

    [GeneratedRegex(@"^(\d+)(ms|s|m)$")]
    private static partial Regex DurationRegex();

    [GeneratedRegex(@"^[A-Za-z0-9_-]{1,32}$")]
    private static partial Regex NameRegex();
}
