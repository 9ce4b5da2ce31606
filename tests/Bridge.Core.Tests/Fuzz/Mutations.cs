using System.Text;
using CsCheck;

namespace Bridge.Core.Tests.Fuzz;

/// <summary>
/// Text-level mutations of a scenario (syzkaller's and AFL's havoc, at line and token granularity): hostile
/// fragments spliced in, spans deleted, lines duplicated, swapped or repeated thousands of times, numbers replaced
/// by huge ones or by digits of other scripts, and the pathological shapes that once cost seconds or gigabytes
/// (a line of 100,000 '{', 99,999 error lines, a megabyte token).
/// </summary>
internal static class Mutations
{
    private static readonly string[] Fragments =
    [
        "\0", "\u001b[31m", "\u001b]0;title\u0007", "\u202E", "\u200B", "\uFEFF", "\uFFFD", "\r", "\t", "\u0085", "\u2028",
        "٣", "\u0660", "𝟙", "１", "{", "}", "{{", "}{", "{b}", "{size}", "=", "==", "#", "\"", "\"\"", "-", ",", ":",
        "end\n", "race count=2\n", "race for=1s\n", "check\n", "matrix m\n", "vary x = 1 2\n", "exclude x=1 x=2\n",
        "set y = 1 if x=1 x=2\n", "scenario dup\n", "backing zfs\n", "file size=4G block=4G\n", "99999999999999999999",
        "18446744073709551615", "2147483648", "blocks=0-99999999999999999999", "gen=٣", "size=٦٤K", "for=99999999m",
    ];

    /// <summary>Inputs stay below this (four times the parser's file limit): the point is what the parser does with
    /// too much, not how fast the generator can fill memory.</summary>
    private const int MaxChars = 4 << 20;

    private static string Apply(string text, int op, int at, int length, int fragment)
    {
        if (text.Length > MaxChars)
            return text[..MaxChars];
        var lines = text.Split('\n');
        var line = lines.Length == 0 ? 0 : at % lines.Length;
        var pos = text.Length == 0 ? 0 : at % (text.Length + 1);
        switch (op)
        {
            case 0: // splice a hostile fragment in
                return text.Insert(pos, Fragments[fragment % Fragments.Length]);
            case 1: // delete a span
                return text.Remove(pos, Math.Min(length % 40, text.Length - pos));
            case 2: // duplicate a line
                return string.Join('\n', lines.Take(line + 1).Append(lines[line]).Concat(lines.Skip(line + 1)));
            case 3: // swap two lines
                var other = (line + 1 + (length % Math.Max(1, lines.Length))) % lines.Length;
                (lines[line], lines[other]) = (lines[other], lines[line]);
                return string.Join('\n', lines);
            case 4: // a number becomes huge or foreign
                var digits = text.AsSpan(Math.Min(pos, text.Length)).IndexOfAnyInRange('0', '9') is var d and >= 0 ? pos + d : -1;
                return digits < 0 ? text : text.Remove(digits, 1).Insert(digits, length % 2 == 0 ? "99999999999999999999" : "\u0663");
            case 5: // a line repeated many times
                var times = Math.Min(100 + length * 37 % 20_000, MaxChars / (lines[line].Length + 1));
                return string.Join('\n', lines.Take(line + 1).Concat(Enumerable.Repeat(lines[line], times)).Concat(lines.Skip(line + 1)));
            case 6: // cut short
                return text[..pos];
            default: // the pathological shapes
                return (fragment % 6) switch
                {
                    0 => text + new string('{', 100_000) + "\n",
                    1 => text + string.Concat(Enumerable.Repeat("stor gen=x\n", 99_999)),
                    2 => text + "store gen=1 blocks=" + new string('9', 1 << 20) + "\n",
                    3 => text + string.Concat(Enumerable.Repeat("\u001b[2J\u0007\0", 20_000)) + "\n",
                    4 => "matrix big\n" + string.Concat(Enumerable.Range(0, 12).Select(i => $"vary v{i} = 1 2 3 4 5 6 7 8 9 10\n")) + text,
                    _ => string.Join("\n" + new string(' ', 10_000), lines.Take(300)),
                };
        }
    }

    private static readonly Gen<(int Op, int At, int Length, int Fragment)> One =
        Gen.Select(Gen.Frequency((10, Gen.Int[0, 4]), (2, Gen.Int[5, 6]), (1, Gen.Const(7))), Gen.Int[0, int.MaxValue], Gen.Int[0, 1000], Gen.Int[0, 1000]);

    /// <summary>1-4 mutations of a text drawn from <paramref name="seeds"/>.</summary>
    public static Gen<string> Of(Gen<string> seeds) =>
        Gen.Select(seeds, One.Array[1, 4], (text, ops) => ops.Aggregate(text, (t, m) => Apply(t, m.Op, m.At, m.Length, m.Fragment)));

    /// <summary>Raw bytes as a user's editor or a pipe might hand them over (invalid UTF-8 decoded as U+FFFD).</summary>
    public static readonly Gen<string> Binary = Gen.Byte.Array[0, 4096].Select(b => Encoding.UTF8.GetString(b));
}
