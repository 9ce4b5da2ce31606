using Bridge.Core.Observations;
using Bridge.Core.Oracle;
using Bridge.Core.Scenarios;
using Bridge.Linux.Backings;
using Bridge.Linux.Execution;
using Bridge.Linux.Interop;

[assembly: Xunit.v3.Parallelization(Mode = Xunit.Sdk.ParallelMode.None)]

namespace Bridge.Linux.Tests;

/// <summary>Runs scenario text on the host kernel and judges it, for tests.</summary>
internal static class KernelRun
{
    public static (Scenario Scenario, Observation Observation, ScenarioVerdict Verdict) Run(string text, string name = "t")
    {
        Assert.SkipUnless(SystemInfo.IsRoot, "the real-kernel executor tests need root (loop mounts, drop_caches, hugetlb)");
        var scenario = ScenarioFile.Parse(text, name + ".scn")[0];
        using var scratch = new ScratchSpace();
        using var runner = new ScenarioRunner(scratch, "test");
        var observation = runner.Run(scenario, interrupt: TestContext.Current.CancellationToken);
        return (scenario, observation, Core.Oracle.Oracle.Judge(scenario, observation));
    }

    /// <summary>A kernel that warned during the scenario (WARN, BUG, a filesystem aborting its transaction) has left
    /// the ground the rows describe: what follows is its bug, not a rule to check. Bridge must report the warning as a
    /// kernel-warn finding; the test then ends as a skip that quotes the kernel, so that it is seen, not passed.</summary>
    public static void SkipWhenTheKernelWarned(Observation observation, ScenarioVerdict verdict)
    {
        var warning = observation.KernelLog.FirstOrDefault(KernelLogRules.IsWarning);
        if (warning is null)
            return;
        Assert.Contains(verdict.Findings, f => f.Class == VerdictClass.KernelWarn && f.Observed == warning);
        Assert.Skip($"the kernel warned during the scenario (its bug; Bridge reported kernel-warn): {warning} " +
                    string.Join(" | ", observation.KernelLog.Where(l => l.Contains("BTRFS", StringComparison.Ordinal) || l.Contains("error", StringComparison.OrdinalIgnoreCase)).Take(3)));
    }

    public static string Explain(Scenario scenario, Observation observation, ScenarioVerdict verdict) =>
        string.Join("\n", Core.Reports.FindingText.Lines(new Core.Reports.ScenarioRun(scenario, observation, verdict))
            .Concat(observation.Steps.Where(s => !s.Ok).Select(s => $"{scenario.StepAt(s.Step)}: {s} {s.Detail}"))
            .Append(observation.Skip ?? ""));
}
