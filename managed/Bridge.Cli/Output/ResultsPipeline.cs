using Bridge.Cli.Terminal;
using Bridge.Core.Reports;
using Bridge.Core.Scenarios;
using Bridge.Targets;
using Spectre.Console;

namespace Bridge.Cli.Output;

/// <summary>
/// Where a command's results go as they arrive: each observation is judged by the oracle, streamed as KTAP lines
/// (<c>--tap</c>), counted on the progress line, and written to the <c>--output</c> directory; when the command ends
/// — or is interrupted — the table or the JSON document is printed, KTAP ends with <c>Bail out!</c>, and the output
/// files say whether the run completed. Write failures (a closed pipe, a full disk) stop the run:
/// <see cref="OutputFailedException"/>.
/// </summary>
public sealed class ResultsPipeline : IDisposable
{
    private readonly string _command;
    private readonly IReadOnlyList<string> _targets;
    private readonly int _perTarget;
    private readonly StdoutFormat _format;
    private readonly OutputDirectory? _directory;
    private readonly Action<IAnsiConsole, Results> _table;
    private readonly List<(string Target, List<ScenarioRun> Runs)> _reports = [];
    private readonly KtapDocument _ktap;
    private readonly ProgressLine _progress;
    private int _ktapPrinted;

    public ResultsPipeline(string command, IReadOnlyList<string> targets, int perTarget, StdoutFormat format, OutputDirectory? directory, Action<IAnsiConsole, Results> table)
    {
        _command = command;
        _targets = targets;
        _perTarget = perTarget;
        _format = format;
        _directory = directory;
        _table = table;
        _ktap = new KtapDocument($"pinbridge {command}: {perTarget} scenario{(perTarget == 1 ? "" : "s")} on {string.Join(", ", targets)}", targets, perTarget);
        _progress = new ProgressLine(ProgressLine.Wanted);
        Flush();
    }

    /// <summary>The results so far.</summary>
    public Results Snapshot(string? interrupted = null) =>
        new(_command, _targets, [.. _reports.Select(r => new RunReport(r.Target, _perTarget, [.. r.Runs]))], interrupted);

    /// <summary>Runs the scenarios on one target, judging each observation as it arrives.</summary>
    public async Task RunTargetAsync(ITarget target, IReadOnlyList<Scenario> scenarios, CancellationToken ct)
    {
        if (_directory is not null)
            target.KeepImages = _directory.KeepingFor(target.Name);
        var runs = new List<ScenarioRun>();
        _reports.Add((target.Name, runs));
        _ktap.BeginTarget(target.Name, scenarios.Count);
        _progress.Target(target.Name, scenarios.Count);
        if (scenarios.Count > 0)
            _progress.Running(scenarios[0].Name);
        Flush();
        var byName = scenarios.ToDictionary(s => s.Name);
        await foreach (var observation in target.RunAsync(scenarios, ct))
        {
            var scenario = byName[observation.Scenario];
            var run = new ScenarioRun(scenario, observation, Core.Oracle.Oracle.Judge(scenario, observation));
            runs.Add(run);
            _ktap.Add(run);
            _directory?.Add(new RunReport(target.Name, _perTarget, runs), run);
            _progress.Finished(observation.Environment.KernelRelease, run.Verdict.HasFindings, runs.Count < scenarios.Count ? scenarios[runs.Count].Name : null);
            Flush();
        }
        _ktap.EndTarget(new RunReport(target.Name, _perTarget, runs));
        Flush();
    }

    /// <summary>Runs <paramref name="body"/> and ends the results whatever happens: complete, interrupted (then the
    /// cancellation goes on to the caller, which exits 130), or unable to write (rethrown).</summary>
    public async Task<Results> RunAsync(Func<ResultsPipeline, Task> body)
    {
        try
        {
            await body(this);
        }
        catch (OperationCanceledException)
        {
            End("interrupted by a signal");
            throw;
        }
        catch (OutputFailedException)
        {
            _progress.Clear();
            throw;
        }
        return End(null);
    }

    private Results End(string? interrupted)
    {
        if (interrupted is not null)
            _ktap.BailOut(interrupted);
        var results = Snapshot(interrupted);
        _progress.Dispose();
        Flush(results);
        switch (_format)
        {
            case StdoutFormat.Json:
                Print(JsonReport.Render(results) + "\n");
                break;
            case StdoutFormat.Table when results.Targets.Count > 0:
                try
                {
                    _table(TerminalConsole.For(Console.Out, StandardOutput.IsTerminal), results);
                }
                catch (StandardOutputException e)
                {
                    throw OutputFailedException.Of(e);
                }
                break;
        }
        return results;
    }

    /// <summary>New KTAP lines to standard output (with --tap), and the output directory rewritten.</summary>
    private void Flush(Results? results = null)
    {
        if (_format == StdoutFormat.Ktap && _ktap.Lines.Count > _ktapPrinted)
        {
            _progress.Clear();
            Print(string.Concat(_ktap.Lines.Skip(_ktapPrinted).Select(l => l + "\n")));
            _ktapPrinted = _ktap.Lines.Count;
        }
        _directory?.Write(results ?? Snapshot(), _ktap);
    }

    private static void Print(string text)
    {
        try
        {
            Console.Out.Write(text);
            Console.Out.Flush();
        }
        catch (StandardOutputException e)
        {
            throw OutputFailedException.Of(e);
        }
    }

    public void Dispose() => _progress.Dispose();
}
