using Bridge.Core.Observations;
using Bridge.Core.Scenarios;

namespace Bridge.Core.Execution;

/// <summary>The steps' results (one per step index, in index order) and what every check that ran saw.</summary>
/// <param name="Hung">A step never returned: the executor may still be inside a call on the scenario's memory.</param>
/// <param name="Skip">Why the scenario is skipped after all: a step that needs privilege was refused for the lack of it.</param>
/// <param name="Interrupted">Where the run's interruption (SIGINT, SIGTERM) stopped the scenario, or null when every
/// step ran.</param>
/// <param name="PowerCutAt">The crash step after which the sequence stopped for the power to be cut
/// (<see cref="PowerCut.NextBoot"/>): <see cref="Steps"/> holds the results up to it, and the caller resumes the rest
/// on the next boot with <see cref="Sequencer.Resume"/>.</param>
public sealed record Sequence(IReadOnlyList<StepResult> Steps, IReadOnlyList<CheckObservation> Checks, bool Hung, string? Skip = null, string? Interrupted = null,
    int? PowerCutAt = null);

/// <summary>
/// Runs a scenario's steps in order on an executor, by the rules both executors share:
/// <list type="bullet">
/// <item>after a step that hung (a call that never returned), every later step is not run;</item>
/// <item>a step that needs the pin (<see cref="VerbInfo.NeedsPin"/>: dma, dma-read, unpin) is not run when the pin
/// step before it failed or was not run — the refusal is the result, and the device never wrote;</item>
/// <item>a step of a verb that needs privilege (<see cref="VerbInfo.Privilege"/>) refused with EPERM or EACCES makes
/// the scenario skipped with that reason, and no later step runs: the run lacks the privilege, and what the step was
/// to do (drop the caches) did not happen;</item>
/// <item>once the run is interrupted (the token is cancelled), no further step starts; the executor cuts the step in
/// flight short (a race ends early, a call still running is abandoned) and the scenario is interrupted;</item>
/// <item>a check reads the <see cref="CheckPlan"/>'s views in order; one that did not complete records no views;</item>
/// <item>a race records, per body step, its <see cref="RaceTally"/>; the race itself spans the whole race and is a
/// time-out when a body step hung;</item>
/// <item>a step that cuts the power (<see cref="VerbInfo.CutsPower"/>) on an executor that cannot
/// (<see cref="PowerCut.None"/>) makes the scenario skipped before any step runs (<see cref="NeedsPowerCut"/>); one
/// that cuts it on the next boot (<see cref="PowerCut.NextBoot"/>) ends the sequence after the crash step, and
/// <see cref="Resume"/> runs the rest; the checks after a power cut read <see cref="CheckPlan.AfterPowerCut"/>.</item>
/// </list>
/// Pure: the executor does every call.
/// </summary>
public static class Sequencer
{
    /// <summary>Why a step after the run's interruption is not run.</summary>
    public const string AfterInterruption = "the run was interrupted";

    public static Sequence Run(Scenario scenario, IStepExecutor executor, CancellationToken interrupt = default)
    {
        if (executor.PowerCut == PowerCut.None && scenario.Steps.FirstOrDefault(s => s.Verb.CutsPower) is { } crash)
        {
            var why = NeedsPowerCut(crash);
            return new Sequence([.. scenario.AllSteps().Select(s => StepResult.Skipped(s.Index, why))], [], false, why);
        }
        return RunFrom(scenario, executor, new StepResult?[scenario.StepCount], after: -1, interrupt);
    }

    /// <summary>Runs the steps after the crash step <paramref name="cutAt"/> on the boot after the power cut, with the
    /// results <paramref name="before"/> of the steps up to it (the sequence that stopped there): the returned
    /// sequence holds the results and checks of the steps after it only.</summary>
    public static Sequence Resume(Scenario scenario, IStepExecutor executor, IReadOnlyList<StepResult> before, int cutAt, CancellationToken interrupt = default)
    {
        if (!scenario.Steps.Any(s => s.Index == cutAt && s.Verb.CutsPower))
            throw new ArgumentException($"step #{cutAt} of {scenario.Name} is no top-level step that cuts the power", nameof(cutAt));
        var results = new StepResult?[scenario.StepCount];
        foreach (var result in before.Where(r => r.Step <= cutAt))
            results[result.Step] = result;
        var sequence = RunFrom(scenario, executor, results, cutAt, interrupt);
        return sequence with { Steps = [.. sequence.Steps.Where(r => r.Step > cutAt)] };
    }

    /// <summary>Why a scenario that cuts the power is skipped on an executor that cannot.</summary>
    public static string NeedsPowerCut(Step crash) => $"'{crash.Text}' (line {crash.At.Line}) {PowerCutTarget}";

    /// <summary>Why a verb that cuts the power cannot run on an executor that cannot (exploration leaves it out).</summary>
    public static string NeedsPowerCut(VerbInfo verb) => $"'{verb.Keyword}' {PowerCutTarget}";

    private const string PowerCutTarget = "needs the VM target (--target vm:LINE): only a VM's power can be cut and the kernel booted again on the same disks";

    private static Sequence RunFrom(Scenario scenario, IStepExecutor executor, StepResult?[] results, int after, CancellationToken interrupt)
    {
        var checks = new List<CheckObservation>();
        var hung = false;
        string? stopped = null, skip = null, interrupted = null;
        // After a power cut no pin survives: the steps after it cannot name one (the parser's rule).
        (Step Step, StepResult Result)? pin = null;
        foreach (var step in scenario.Steps.Where(s => s.Index > after))
        {
            if (stopped is null && interrupt.IsCancellationRequested)
                (interrupted, stopped) = ($"before {step}", AfterInterruption);
            if (stopped is not null)
            {
                foreach (var s in step.Body.Prepend(step))
                    results[s.Index] = StepResult.Skipped(s.Index, stopped);
                continue;
            }
            var recorded = step.Effect switch
            {
                Effect.Check => [Check(step, CheckPlan.For(scenario, step), executor, checks, interrupt)],
                Effect.Race => Race(step, pin, executor, interrupt),
                _ when step.Verb.NeedsPin && PinFailure(pin) is { } why => [StepResult.Skipped(step.Index, why)],
                _ => [executor.Run(step, interrupt).ToStepResult(step.Index)],
            };
            foreach (var result in recorded)
                results[result.Step] = result;
            if (step.Effect == Effect.Pin)
                pin = (step, recorded[0]);
            else if (step.Effect == Effect.Unpin)
                pin = null;
            if (recorded.LastOrDefault(r => r.Outcome == Outcome.Timeout) is { } timeout)
                (hung, stopped) = (true, AfterHang(scenario, timeout));
            else if (recorded.Any(r => r.Outcome == Outcome.Interrupted))
                (interrupted, stopped) = ($"during {step}", AfterInterruption);
            else if (recorded.Select(r => LacksPrivilege(scenario.StepAt(r.Step), r)).FirstOrDefault(w => w is not null) is { } lacking)
                (skip, stopped) = (lacking, $"the scenario is skipped: {lacking}");
            else if (step.Verb.CutsPower && recorded[0].Ok && executor.PowerCut == PowerCut.NextBoot)
                return new Sequence([.. results.TakeWhile(r => r is not null).OfType<StepResult>()], checks, hung, PowerCutAt: step.Index);
            else
                executor.BetweenSteps(step);
        }
        return new Sequence(results.Select((r, i) => r ?? throw new InvalidOperationException($"step #{i} has no result")).ToList(), checks, hung, skip, interrupted);
    }

    /// <summary>Why a step refused for want of privilege makes the scenario skipped, or null: its verb's row says
    /// what it needs, and the kernel refused it with EPERM or EACCES.</summary>
    private static string? LacksPrivilege(Step step, StepResult result) =>
        step.Verb.Privilege is { } needs && result.Errno is { } errno && Errnos.PrivilegeRefusals.Contains(errno)
            ? $"'{step.Text}' needs {needs}; the kernel refused it with {errno}"
            : null;

    /// <summary>Why a step after a hung one is not run.</summary>
    public static string AfterHang(Scenario scenario, StepResult hung) => $"{scenario.Describe(hung.Step)} hung: {hung.Detail}";

    /// <summary>Why a step that needs the pin is not run, or null when the pin is held.</summary>
    public static string? PinFailure((Step Step, StepResult Result)? pin) =>
        pin is { } p && !p.Result.Ok ? $"needs the pin that '{p.Step.Text}' (line {p.Step.At.Line}) could not take ({p.Result})" : null;

    private static StepResult Check(Step step, CheckPlan plan, IStepExecutor executor, List<CheckObservation> checks, CancellationToken interrupt)
    {
        var views = new List<ViewRead>();
        var call = executor.Check(step, plan, views, interrupt);
        if (call.Ok)
        {
            if (!plan.Matches(views))
                throw new InvalidOperationException($"{step}: the executor read {string.Join(", ", views.Select(v => $"{v.File} {v.Path}"))}, " +
                                                    $"not the check plan's {string.Join(", ", plan.Views.Select(v => $"{v.File} {v.Path}"))}");
            checks.Add(new CheckObservation(step.Index, views));
        }
        return call.ToStepResult(step.Index);
    }

    private static List<StepResult> Race(Step race, (Step Step, StepResult Result)? pin, IStepExecutor executor, CancellationToken interrupt)
    {
        var skipped = race.Body.Where(s => s.Verb.NeedsPin && PinFailure(pin) is not null)
            .Select(s => StepResult.Skipped(s.Index, PinFailure(pin)!)).ToList();
        var tallies = race.Body.Where(s => skipped.All(r => r.Step != s.Index)).Select(s => new RaceTally(s)).ToList();
        var (start, end) = executor.Race(race, tallies, interrupt);
        var body = tallies.Select(t => t.Result()).Concat(skipped).OrderBy(r => r.Step).ToList();
        // A race that returns once the run is interrupted was cut short (its threads stop between iterations).
        var outcome = body.Any(r => r.Outcome == Outcome.Timeout) ? Outcome.Timeout
            : interrupt.IsCancellationRequested ? Outcome.Interrupted
            : Outcome.Ok;
        var span = new StepResult(race.Index, outcome, Start: start, End: end,
            Detail: string.Join(", ", body.Select(b => $"'{race.Body.First(s => s.Index == b.Step).Text}' ×{b.Race?.Iterations ?? 0}")));
        return [span, .. body];
    }
}
