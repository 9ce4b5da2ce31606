using System.Globalization;
using Spectre.Console;

namespace Bridge.Cli.Terminal;

/// <summary>
/// The console tables and text are rendered to: as wide as <c>COLUMNS</c> says, else the terminal, else 120 columns
/// for a pipe or a file; colour only when the output is a terminal and <c>NO_COLOR</c> is not set
/// (https://no-color.org).
/// </summary>
public static class TerminalConsole
{
    public const int PipeWidth = 120;

    public static IAnsiConsole For(TextWriter output, bool isTerminal)
    {
        var colour = isTerminal && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = colour ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = colour ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(new TrailingSpaceTrimmer(output)),
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = Width(isTerminal);
        return console;
    }

    /// <summary>COLUMNS when set (as a shell exports it, or a user forces it), else the terminal's width.</summary>
    public static int Width(bool isTerminal)
    {
        if (int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), NumberStyles.None, CultureInfo.InvariantCulture, out var columns) && columns >= 20)
            return columns;
        if (isTerminal)
        {
            try
            {
                if (Console.WindowWidth >= 20)
                    return Console.WindowWidth;
            }
            catch (IOException)
            {
                // No size to be had: fall through.
            }
        }
        return PipeWidth;
    }

    /// <summary>Drops the spaces Spectre pads each table line with up to its width, line by line, so that logs and
    /// diffs of the output carry no trailing blanks.</summary>
    private sealed class TrailingSpaceTrimmer(TextWriter inner) : TextWriter
    {
        private readonly System.Text.StringBuilder _line = new();

        public override System.Text.Encoding Encoding => inner.Encoding;

        public override void Write(char value)
        {
            if (value == '\n')
            {
                inner.Write(_line.ToString().TrimEnd(' '));
                inner.Write('\n');
                _line.Clear();
            }
            else
            {
                _line.Append(value);
            }
        }

        public override void Write(string? value)
        {
            foreach (var c in value ?? "")
                Write(c);
        }

        public override void Flush()
        {
            inner.Write(_line.ToString());
            _line.Clear();
            inner.Flush();
        }
    }
}
