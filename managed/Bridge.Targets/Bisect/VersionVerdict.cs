using Bridge.Core.Oracle;
using Bridge.Core.Reports;

namespace Bridge.Targets.Bisect;

/// <summary>How a bisection tells verdicts apart and what it cannot test.</summary>
/// <param name="ByErrno">Two findings of one class differ when their culprit steps failed with different errnos
/// (io-error with EUCLEAN vs EIO).</param>
/// <param name="RefusedIsVerdict">A refused pin is a verdict like any other (bisecting the refusal itself); else a
/// kernel that refuses the pin cannot show the finding, and cannot be tested.</param>
public sealed record VerdictRules(bool ByErrno = false, bool RefusedIsVerdict = false);

/// <summary>One scenario's verdict on one candidate: its class (the most severe over the runs) and, for a finding
/// whose culprit step failed, that step's errno; <see cref="Run"/> is the run that gave it (its steps are shown).</summary>
public sealed record ScenarioVerdictKey(string Scenario, VerdictClass Class, string? Errno, ScenarioRun Run)
{
    public string Verdict => Errno is null ? Class.Name() : $"{Class.Name()}({Errno})";

    /// <summary>Every step of the run: its file:line, its text and how it ended (a race step with its failed iterations).</summary>
    public IReadOnlyList<(string At, string Text, string Result)> Steps =>
        [.. Run.Scenario.AllSteps().Select(s => ($"{s.At.File}:{s.At.Line}", s.Text, Result(Run.Observation.ResultOf(s.Index))))];

    private static string Result(Core.Observations.StepResult? r) => r switch
    {
        null => "not-run",
        { Race: { Failures: > 0 } race } => $"{r} ({race.Failures} of {race.Iterations} iterations failed)",
        { Race: { } race } => $"{r} ({race.Iterations} iterations)",
        _ => r.ToString(),
    };
}

/// <summary>
/// The verdict a bisection compares, per candidate: for every selected scenario, in order, its verdict class —
/// the most severe over the candidate's runs (<c>--repeat</c>: a race that shows a finding once in N runs shows it)
/// — and, with <see cref="VerdictRules.ByErrno"/>, the errno of that finding's culprit step (of a refusal: the
/// refused pin's). Two candidates behave
/// alike when every scenario's verdict is equal. A candidate cannot be tested when any run did not finish every
/// scenario (the kernel did not boot or the VM died), when a scenario was skipped or interrupted (it has no verdict),
/// or when the kernel refused a pin and refusals are not verdicts (the device never wrote: the finding can be neither
/// seen nor ruled out — <c>run --bisect-exit</c>'s rule).
/// </summary>
public static class VersionVerdict
{
    public static ProbeResult Classify(IReadOnlyList<RunReport> runs, VerdictRules rules)
    {
        if (runs.Count == 0)
            return ProbeResult.CannotTest("nothing ran");
        foreach (var report in runs)
        {
            if (report.Runs.FirstOrDefault(r => r.Verdict.Class is VerdictClass.Skipped or VerdictClass.Interrupted) is { } skipped)
                return ProbeResult.CannotTest(report.Runs.All(r => r.Verdict.Class == VerdictClass.Skipped)
                    ? $"every scenario skipped: {skipped.Verdict.SkipReason}"
                    : $"{skipped.Scenario.Name} {skipped.VerdictName}: {skipped.Verdict.SkipReason}");
            if (report.Runs.Count < report.Planned)
                return ProbeResult.CannotTest($"{report.Runs.Count} of {report.Planned} scenarios finished");
            if (!rules.RefusedIsVerdict && report.Runs.FirstOrDefault(r => r.Verdict.Class == VerdictClass.Refused) is { } refused)
                return ProbeResult.CannotTest($"{refused.Scenario.Name}: the kernel refused {Refusal(refused)} (the device never wrote; --refused verdict bisects the refusal)");
        }
        return ProbeResult.Verdict(Key(Scenarios(runs, rules)));
    }

    /// <summary>Each scenario's verdict over the runs of one candidate, in the order of the first run.</summary>
    public static IReadOnlyList<ScenarioVerdictKey> Scenarios(IReadOnlyList<RunReport> runs, VerdictRules rules) =>
        [.. runs.SelectMany(r => r.Runs).GroupBy(r => r.Scenario.Name).Select(g =>
        {
            var worst = g.MaxBy(r => r.Verdict.Class)!;
            return new ScenarioVerdictKey(g.Key, worst.Verdict.Class, rules.ByErrno ? CulpritErrno(worst) : null, worst);
        })];

    public static string Key(IReadOnlyList<ScenarioVerdictKey> scenarios) => string.Join("; ", scenarios.Select(s => $"{s.Scenario}={s.Verdict}"));

    /// <summary>The errno the culprit step of the run's most severe finding failed with, if it failed; for a refused
    /// run, the errno of the first refused pin (EOPNOTSUPP and EFAULT are different refusals).</summary>
    public static string? CulpritErrno(ScenarioRun run) =>
        run.Verdict.Class == VerdictClass.Refused ? run.Verdict.Refusals.FirstOrDefault()?.Errno
        : run.Verdict.Findings.Where(f => f.Class == run.Verdict.Class && f.Culprit is not null)
            .Select(f => run.Observation.ResultOf(f.Culprit!.Value)?.Errno).FirstOrDefault(e => e is not null);

    private static string Refusal(ScenarioRun run) =>
        run.Verdict.Refusals is [var first, ..] ? $"'{first.Text}' ({first.Errno})" : "a pin";
}
