using Bridge.Core.Observations;
using Bridge.Core.Oracle;
using Bridge.Core.Scenarios;

namespace Bridge.Core.Reports;

/// <summary>One scenario's run: what it was, what was observed, what the oracle said.</summary>
public sealed record ScenarioRun(Scenario Scenario, Observation Observation, ScenarioVerdict Verdict);

/// <summary>The result of a run of many scenarios, and the exit code it implies: 0 when every verdict is one the
/// oracle allows (intact, refused, skipped), 1 when there are findings.</summary>
public sealed record RunReport(IReadOnlyList<ScenarioRun> Runs)
{
    public int ExitCode => Runs.Any(r => r.Verdict.HasFindings) ? 1 : 0;

    /// <summary>The exit code for <c>git bisect run</c> (<c>bridge run --bisect-exit</c>): <see cref="Bisect.Bad"/> when
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

    public IEnumerable<RunEnvironment> Environments => Runs.Select(r => r.Observation.Environment).Distinct();
}

/// <summary>What a refused pin means to a bisection: by default this kernel cannot test the finding (skip); when the
/// refusal itself is what is bisected (the first version that refuses), good or bad.</summary>
public enum BisectRefusal { Skip, Good, Bad }

/// <summary>The exit codes <c>git bisect run</c> understands.</summary>
public static class Bisect
{
    public const int Good = 0, Bad = 1, CannotTest = 125;
}
