using System.Diagnostics;

namespace Bridge.Cli.Terminal;

/// <summary>
/// One live line on a terminal's standard error — the target and its kernel, the scenario running, n/N, elapsed
/// time and findings so far — redrawn in place every second and as scenarios finish, and erased before anything
/// else is printed. Nothing at all when standard error is not a terminal: pipes and CI logs get no progress.
/// </summary>
public sealed class ProgressLine : IDisposable
{
    private readonly TextWriter? _terminal;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Timer? _timer;
    private readonly Lock _lock = new();
    private string _target = "";
    private string? _kernel;
    private string _scenario = "";
    private int _done;
    private int _total;
    private int _findings;
    private string? _counts;
    private bool _shown;

    public ProgressLine(bool enabled)
    {
        if (!enabled)
            return;
        _terminal = Console.Error;
        _timer = new Timer(_ => Draw(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    /// <summary>Standard error is a terminal (and so progress is wanted).</summary>
    public static bool Wanted => !Console.IsErrorRedirected;

    public void Target(string target, int total)
    {
        lock (_lock)
            (_target, _kernel, _total, _done) = (target, null, total, 0);
        Draw();
    }

    /// <summary>A scenario finished; <paramref name="next"/> is the one now running, if any.</summary>
    public void Finished(string? kernel, bool finding, string? next)
    {
        lock (_lock)
        {
            _done++;
            _findings += finding ? 1 : 0;
            _kernel ??= kernel;
            _scenario = next ?? "";
        }
        Draw();
    }

    /// <summary>Counts that replace n/N and findings (an open-ended run such as explore: rate, findings,
    /// disagreements).</summary>
    public void Counts(string counts)
    {
        lock (_lock)
            _counts = counts;
        Draw();
    }

    public void Running(string scenario)
    {
        lock (_lock)
            _scenario = scenario;
        Draw();
    }

    /// <summary>Erases the line (before a table or a message is printed); the next update draws it again.</summary>
    public void Clear()
    {
        if (_terminal is null)
            return;
        lock (_lock)
        {
            if (_shown)
                Write("\r\e[2K");
            _shown = false;
        }
    }

    private void Draw()
    {
        if (_terminal is null)
            return;
        lock (_lock)
        {
            var elapsed = _clock.Elapsed;
            var counts = _counts ?? $"{_done}/{_total}  {(int)elapsed.TotalMinutes}:{elapsed.Seconds:00}  {_findings} finding{(_findings == 1 ? "" : "s")}";
            var text = $"[{_target}{(_kernel is null ? "" : $" {_kernel}")}] {counts}{(_scenario.Length > 0 ? $"  running {_scenario}" : "")}";
            var width = Math.Max(20, TerminalConsole.Width(isTerminal: true) - 1);
            Write("\r\e[2K" + (text.Length > width ? text[..(width - 1)] + "…" : text));
            _shown = true;
        }
    }

    private void Write(string text)
    {
        try
        {
            _terminal!.Write(text);
            _terminal.Flush();
        }
        catch (IOException)
        {
            // A terminal that went away takes no progress.
        }
    }

    public void Dispose()
    {
        _timer?.Dispose();
        Clear();
    }
}
