using System.CommandLine;
using Bridge.Core.Reports;
using Bridge.Core.Scenarios;
using Bridge.Targets;

namespace Bridge.Cli.Commands;

/// <summary><c>bridge run</c>: scenarios on a real kernel, judged by the oracle.</summary>
public static class RunCommand
{
    public static Command Create()
    {
        var files = ScenarioOptions.Files();
        var suite = ScenarioOptions.Suite();
        var target = new TargetOption();
        var timeout = TimeoutOption.Create();
        var report = new ReportWriter();
        var bisectExit = new Option<bool>("--bisect-exit")
        {
            Description = $"exit as `git bisect run` expects: {Bisect.Good} good (every verdict allowed), {Bisect.Bad} bad (findings), " +
                          $"{Bisect.CannotTest} cannot test (the kernel did not boot, every scenario skipped, or a pin refused: see --bisect-refused)",
        };
        var bisectRefused = new Option<BisectRefusal>("--bisect-refused")
        {
            Description = "with --bisect-exit, what a refused pin means: skip (default: this kernel cannot show the finding), good, or bad (bisecting the refusal itself)",
            DefaultValueFactory = _ => BisectRefusal.Skip,
        };
        var command = new Command("run", "Run scenarios on a real kernel and judge every block with the oracle. Exit 0: every verdict allowed; 1: findings; 2: usage or input errors; with --bisect-exit, git bisect run's codes (125: cannot test).")
        {
            files, suite, timeout, bisectExit, bisectRefused,
        };
        target.AddTo(command);
        report.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var scenarios = ScenarioLoader.Load(parse.GetValue(files) ?? [], parse.GetValue(suite) ?? []);
            await using var t = target.Open(parse, parse.GetValue(timeout));
            try
            {
                var result = await Execute(t, scenarios, ct);
                report.Write(parse, result, Console.Out);
                return parse.GetValue(bisectExit) ? result.BisectExitCode(parse.GetValue(bisectRefused)) : result.ExitCode;
            }
            catch (RunInterrupted interrupted)
            {
                // The scenarios judged before the signal and the interrupted one; TAP consumers are told the rest is
                // missing on purpose.
                report.Write(parse, interrupted.Judged, Console.Out);
                if (parse.GetValue(report.Tap) && !parse.GetValue(report.Json))
                    Console.Out.WriteLine("Bail out! interrupted");
                throw;
            }
        });
        return command;
    }

    /// <summary>Runs on the target and judges each observation as it arrives; an interruption ends it with
    /// <see cref="RunInterrupted"/> carrying what was judged.</summary>
    public static async Task<RunReport> Execute(ITarget target, IReadOnlyList<Scenario> scenarios, CancellationToken ct)
    {
        var byName = scenarios.ToDictionary(s => s.Name);
        var runs = new List<ScenarioRun>();
        try
        {
            await foreach (var observation in target.RunAsync(scenarios, ct))
            {
                var scenario = byName[observation.Scenario];
                var verdict = Core.Oracle.Oracle.Judge(scenario, observation);
                runs.Add(new ScenarioRun(scenario, observation, verdict));
                if (!Console.IsErrorRedirected)
                    Console.Error.WriteLine($"[{runs.Count}/{scenarios.Count}] {scenario.Name} [{scenario.Label}]: {verdict.Class.ToString().ToLowerInvariant()}");
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw new RunInterrupted(new RunReport(runs), ct);
        }
        return new RunReport(runs);
    }
}
