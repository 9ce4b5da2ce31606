using System.Globalization;
using System.Text.RegularExpressions;

namespace Bridge.Core.Scenarios;

/// <summary>Parsers for argument values. Each returns null and sets <c>expected</c> to the form it wanted. Digits
/// are ASCII only (a regex <c>\d</c> also matches Arabic-Indic and other scripts' digits, which no integer parser
/// then accepts), and every number is parsed with overflow checked against the limit it must meet.</summary>
internal static partial class ArgValues
{
    public static long? Size(string text, out string expected)
    {
        expected = "a size such as 65536, 64K, 2M or 1G";
        var m = SizeRegex().Match(text);
        if (!m.Success || !long.TryParse(m.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            return null;
        var shift = m.Groups[2].ValueSpan switch { "K" or "k" => 10, "M" or "m" => 20, "G" or "g" => 30, _ => 0 };
        return n > (long.MaxValue >> shift) ? null : n << shift;
    }

    public static uint? Gen(string text, out string expected)
    {
        var max = InputLimits.Generation.Max;
        expected = $"a generation number 1-{max} (0 is the initial fill)";
        return Number(text) is { } g && g is >= 1 && g <= max ? (uint)g : null;
    }

    /// <summary><c>all</c>, or comma-separated <c>N</c> and <c>A-B</c> within <c>0</c> to <paramref name="blockCount"/>-1.</summary>
    public static BlockSet? Blocks(string text, int blockCount, out string expected)
    {
        expected = $"blocks as 'all', N or A-B, comma-separated, within 0-{blockCount - 1}";
        if (text == "all")
            return BlockSet.Range(0, blockCount - 1);
        var ranges = new List<(int, int)>();
        foreach (var part in text.Split(','))
        {
            var m = RangeRegex().Match(part);
            if (!m.Success || Number(m.Groups[1].Value) is not { } first)
                return null;
            var last = m.Groups[2].Success ? Number(m.Groups[2].Value) : first;
            if (last is null || last < first || last >= blockCount)
                return null;
            ranges.Add(((int)first, (int)last));
        }
        return BlockSet.FromRanges(ranges);
    }

    /// <summary>A duration as the scenario language writes it (<c>500ms</c>, <c>3s</c>, <c>1m</c>), at most
    /// <paramref name="limit"/> (default: a race's bound, <see cref="InputLimits.RaceDuration"/>).</summary>
    public static TimeSpan? Duration(string text, out string expected, TimeSpan? limit = null)
    {
        var max = limit ?? TimeSpan.FromSeconds(InputLimits.RaceDuration.Max);
        expected = $"a duration such as 500ms, 3s or 1m, at most {max.TotalMinutes:0}m";
        var m = DurationRegex().Match(text);
        if (!m.Success || Number(m.Groups[1].Value) is not { } n || n == 0)
            return null;
        var duration = m.Groups[2].ValueSpan switch
        {
            "ms" => TimeSpan.FromMilliseconds(Math.Min(n, (long)max.TotalMilliseconds + 1)),
            "s" => TimeSpan.FromSeconds(Math.Min(n, (long)max.TotalSeconds + 1)),
            _ => TimeSpan.FromMinutes(Math.Min(n, (long)max.TotalMinutes + 1)),
        };
        return duration <= max ? duration : null;
    }

    public static int? Count(string text, out string expected)
    {
        var max = InputLimits.RaceCount.Max;
        expected = $"a count 1-{max}";
        return Number(text) is { } n && n >= 1 && n <= max ? (int)n : null;
    }

    public static string? Name(string text, out string expected)
    {
        expected = "a file name of letters, digits, '-' and '_' (not 'data' or 'src')";
        return NameRegex().IsMatch(text) && text is not ("data" or "src") ? text : null;
    }

    /// <summary>A non-negative decimal of ASCII digits that fits a long; null otherwise (never an exception).</summary>
    public static long? Number(string text) =>
        text.Length > 0 && text.All(char.IsAsciiDigit) && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;

    [GeneratedRegex(@"^([0-9]+)([KkMmGg]?)$")]
    private static partial Regex SizeRegex();

    [GeneratedRegex(@"^([0-9]+)(?:-([0-9]+))?$")]
    private static partial Regex RangeRegex();

    [GeneratedRegex(@"^([0-9]+)(ms|s|m)$")]
    private static partial Regex DurationRegex();

    [GeneratedRegex(@"^[A-Za-z0-9_-]{1,32}$")]
    private static partial Regex NameRegex();
}
