using Bridge.Core.Observations;
using Bridge.Core.Oracle;
using Bridge.Core.Scenarios;

namespace Bridge.Core.Reports;

/// <summary>One scenario's run: what it was, what was observed, what the oracle said.</summary>
public sealed record ScenarioRun(Scenario Scenario, Observation Observation, ScenarioVerdict Verdict)
{
    /// <summary>From the first step's start to the last step's end (zero when nothing ran).</summary>
    public TimeSpan Elapsed => Observation.Steps.Count == 0
        ? TimeSpan.Zero
        : TimeSpan.FromTicks(Math.Max(0, Observation.Steps.Max(s => s.End) - Observation.Steps.Min(s => s.Start)) / 100);

    /// <summary>The verdict's name, as every report prints it (<c>lost-write</c>, <c>skipped</c> …).</summary>
    public string VerdictName => Verdict.Class.Name();
}

/// <summary>Exit codes, as kselftest's runner sets them.</summary>
public static class ExitCodes
{
    /// <summary>Every verdict is one the oracle allows — orphaned-write included: the file is as the contract allows,
    /// and what the device lost is reported, not failed.</summary>
    public const int Pass = 0;

    /// <summary>At least one finding.</summary>
    public const int Findings = 1;

    /// <summary>Usage or input errors: nothing ran.</summary>
    public const int Usage = 2;

    /// <summary>Nothing was judged: every scenario was skipped (kselftest's KSFT_SKIP), or compare compared nothing.</summary>
    public const int NothingJudged = 4;

    /// <summary>SIGINT or SIGTERM: 128 + SIGINT, as a shell reports a process a signal ended.</summary>
    public const int Interrupted = 130;
}

/// <summary>One target's results: how many scenarios it was given and those that finished, in order.</summary>
public sealed record RunReport(string Target, int Planned, IReadOnlyList<ScenarioRun> Runs)
{
    /// <summary>1 on findings; 4 when nothing was judged (every scenario skipped, or none finished); else 0.</summary>
    public int ExitCode =>
        Runs.Any(r => r.Verdict.HasFindings) ? ExitCodes.Findings
        : Runs.All(r => r.Verdict.Class == VerdictClass.Skipped) ? ExitCodes.NothingJudged
        : ExitCodes.Pass;

    /// <summary>The kernel that ran the scenarios (the policy's name for the simulator), once one has reported.</summary>
    public string? KernelRelease => Runs.Select(r => r.Observation.Environment.KernelRelease).FirstOrDefault(k => k is not "unknown");

    /// <summary>How many scenarios ended with each verdict, most severe last.</summary>
    public IReadOnlyList<(VerdictClass Class, int Count)> Counts =>
        [.. Runs.GroupBy(r => r.Verdict.Class).OrderBy(g => g.Key).Select(g => (g.Key, g.Count()))];

    public string CountsText => Runs.Count == 0 ? "nothing finished" : string.Join(", ", Counts.Select(c => $"{c.Count} {c.Class.Name()}"));

    /// <summary>The exit code for <c>git bisect run</c> (<c>pinbridge run --bisect-exit</c>): <see cref="Bisect.Bad"/> when
    /// any scenario has findings; <see cref="Bisect.CannotTest"/> when nothing ran (every scenario skipped: a kernel that
    /// did not boot, a device it lacks) or when the kernel refused a pin and <paramref name="refused"/> says a refusal
    /// cannot test the finding (the device never wrote, so the bug can be neither seen nor ruled out); else
    /// <see cref="Bisect.Good"/>.</summary>
    public int BisectExitCode(BisectRefusal refused)
    {
        if (Runs.Any(r => r.Verdict.HasFindings))
            return Bisect.Bad;
        if (Runs.All(r => r.Verdict.Class == VerdictClass.Skipped))
            return Bisect.CannotTest;
        return Runs.Any(r => r.Verdict.Class == VerdictClass.Refused)
            ? refused switch
            {
                BisectRefusal.Good => Bisect.Good,
                BisectRefusal.Bad => Bisect.Bad,
                _ => Bisect.CannotTest,
            }
            : Bisect.Good;
    }
}

/// <summary>Everything one command produced: a report per target that started (in order), the targets it was to run
/// on, and — when it did not run to its end — why.</summary>
public sealed record Results(string Command, IReadOnlyList<string> PlannedTargets, IReadOnlyList<RunReport> Targets, string? Interrupted = null)
{
    public bool Complete => Interrupted is null && Targets.Count == PlannedTargets.Count && Targets.All(t => t.Runs.Count == t.Planned);

    /// <summary>130 when interrupted; 1 when any target has findings; 4 when no target judged anything; else 0.</summary>
    public int ExitCode =>
        Interrupted is not null ? ExitCodes.Interrupted
        : Targets.Any(t => t.ExitCode == ExitCodes.Findings) ? ExitCodes.Findings
        : Targets.All(t => t.ExitCode == ExitCodes.NothingJudged) ? ExitCodes.NothingJudged
        : ExitCodes.Pass;

    /// <summary>The scenarios in the order they were first reported by any target (rows of the matrix).</summary>
    public IReadOnlyList<Scenario> Scenarios => [.. Targets.SelectMany(t => t.Runs).Select(r => r.Scenario).DistinctBy(s => s.Name)];
}

/// <summary>What a refused pin means to a bisection: by default this kernel cannot test the finding (skip); when the
/// refusal itself is what is bisected (the first version that refuses), good or bad.</summary>
public enum BisectRefusal { Skip, Good, Bad }

/// <summary>The exit codes <c>git bisect run</c> understands.</summary>
public static class Bisect
{
    public const int Good = 0, Bad = 1, CannotTest = 125;
}
