using System.Globalization;
using System.Text;

namespace Bridge.Core.Scenarios;

/// <summary>
/// Input text as it may be echoed to a terminal: control characters, terminal escape sequences, bidirectional
/// overrides and other invisible characters are rendered visibly (<c>\e</c>, <c>\x07</c>, <c>\u202E</c>), so that an
/// error message can neither drive the terminal nor hide what the file says; long words are elided.
/// </summary>
public static class Printable
{
    /// <summary>The whole text, every character visible.</summary>
    public static string Text(string text)
    {
        var first = FirstHidden(text, tabIsPlain: false);
        if (first < 0)
            return text;
        var sb = new StringBuilder(text.Length + 16).Append(text, 0, first);
        for (var i = first; i < text.Length;)
        {
            var plain = Next(text, i, out var used);
            if (plain)
                sb.Append(text, i, used);
            else
                sb.Append(text[i] switch
                {
                    '\t' => "\\t",
                    '\r' => "\\r",
                    '\n' => "\\n",
                    '\u001b' => "\\e",
                    < '\u0100' => $"\\x{(int)text[i]:X2}",
                    _ when used == 2 => $"\\U{char.ConvertToUtf32(text[i], text[i + 1]):X8}",
                    _ => $"\\u{(int)text[i]:X4}",
                });
            i += used;
        }
        return sb.ToString();
    }

    /// <summary>A word from the input, quoted in a message: visible, and elided in the middle past
    /// <see cref="InputLimits.WordShown"/> characters.</summary>
    public static string Word(string word)
    {
        var max = (int)InputLimits.WordShown.Max;
        if (word.Length <= max)
            return Text(word);
        return $"{Text(word[..(max / 2)])}…{Text(word[^(max / 4)..])} ({word.Length:N0} characters)";
    }

    /// <summary>The index of the first character of <paramref name="text"/> that <see cref="Text"/> would escape,
    /// or -1. Tabs are whitespace in a scenario line, so they are plain there.</summary>
    public static int FirstHidden(string text, bool tabIsPlain = true)
    {
        for (var i = 0; i < text.Length;)
        {
            if (!Next(text, i, out var used) && !(tabIsPlain && text[i] == '\t'))
                return i;
            i += used;
        }
        return -1;
    }

    /// <summary>Whether the character (or surrogate pair) at <paramref name="i"/> shows as itself. Unpaired
    /// surrogates, U+FFFD (what undecodable bytes became), controls, format characters (bidirectional overrides,
    /// zero-width ones), separators other than the space and unassigned code points do not.</summary>
    private static bool Next(string text, int i, out int used)
    {
        var c = text[i];
        used = 1;
        if (c < '\u0080')
            return c >= ' ' && c != '\u007f';
        if (Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out used) != System.Buffers.OperationStatus.Done || rune == Rune.ReplacementChar)
            return false;
        return Rune.GetUnicodeCategory(rune) is not (UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
            or UnicodeCategory.ParagraphSeparator or UnicodeCategory.SpaceSeparator or UnicodeCategory.PrivateUse
            or UnicodeCategory.OtherNotAssigned or UnicodeCategory.Surrogate);
    }
}
