using Bridge.Core.Execution;
using Bridge.Core.Observations;
using Bridge.Core.Scenarios;

namespace Bridge.Core.Oracle;

/// <summary>
/// The one oracle. It knows nothing of how a scenario ran — real kernel or simulator — only the steps, each
/// step's actual result, and what every read path saw at every check. Pure: no I/O.
/// </summary>
public static class Oracle
{
    public static ScenarioVerdict Judge(Scenario scenario, Observation observation)
    {
        if (observation.Skip is { } skip)
            return new ScenarioVerdict(scenario.Name, VerdictClass.Skipped, [], [], skip);
        // A scenario cut short by a signal is not judged: the steps that did not run would read as lost writes.
        if (observation.Interrupted is { } where)
            return new ScenarioVerdict(scenario.Name, VerdictClass.Interrupted, [], [], where);

        var findings = new List<Finding>();
        var refusals = new List<Refusal>();
        var expectations = new Expectations(scenario, observation);
        Step? pin = null;
        foreach (var step in scenario.Steps)
        {
            foreach (var s in step.Body.Prepend(step))
                StepFindings(s, expectations.ResultOf(s), RefusedByAccess(s, pin), findings, refusals);
            pin = step.Effect switch { Effect.Pin => step, Effect.Unpin => null, _ => pin };
            if (step.Effect == Effect.Check && observation.Checks.FirstOrDefault(c => c.Step == step.Index) is { } check)
                findings.AddRange(JudgeCheck(check, expectations, observation.RunId));
            else
                expectations.Apply(step);
        }
        findings.AddRange(KernelLogRules.Reports(observation.KernelLog)
            .Select(line => new Finding(VerdictClass.KernelWarn, -1, null, null, null, "no warning", line, null, "kernel log during the scenario")));

        var orphaned = expectations.OrphanedWrites;
        var worst = ScenarioVerdict.Worst(findings, orphaned.Count > 0, refusals.Count > 0);
        return new ScenarioVerdict(scenario.Name, worst, findings, refusals, null)
        {
            Notes = KernelLogRules.SuppressedNote(observation.KernelLog) is { } note ? [note] : [],
            OrphanedWrites = orphaned,
        };
    }

    /// <summary>What every view of every check may hold, block by block, given the steps' results — the
    /// expectations <see cref="Judge"/> compares reads with, without reads: what a reproducer embeds. The folding is
    /// Judge's own: the same rules in the same order.</summary>
    public static IReadOnlyList<ExpectedBlock> ExpectedAtChecks(Scenario scenario, Observation observation)
    {
        var expected = new List<ExpectedBlock>();
        var expectations = new Expectations(scenario, observation);
        foreach (var step in scenario.Steps)
        {
            if (step.Effect != Effect.Check)
            {
                expectations.Apply(step);
                continue;
            }
            foreach (var view in CheckPlan.For(scenario, step).Views)
                for (var block = 0; block < scenario.Geometry.BlockCount; block++)
                {
                    var allowed = expectations.Expected(view.File, view.Path, block);
                    var history = view.File == CheckPlan.DataFile ? expectations.Block(block).Written : allowed;
                    expected.Add(new ExpectedBlock(step.Index, view, block, allowed, history));
                }
        }
        return expected;
    }

    /// <summary>What each file may hold on disk, block by block — once every step has run, or as the check step
    /// <paramref name="atCheck"/> began — the data file (when the backing has one) at its size then, then each
    /// output file: the expectation a kept image is checked against (<c>pinbridge check --expect</c>). Nothing for a
    /// scenario that did not run or was interrupted.</summary>
    public static IReadOnlyList<FileExpectation> OnDisk(Scenario scenario, Observation observation, int? atCheck = null)
    {
        if (observation.Skip is not null || observation.Interrupted is not null)
            return [];
        var expectations = new Expectations(scenario, observation);
        foreach (var step in scenario.Steps.TakeWhile(s => s.Index != atCheck))
            expectations.Apply(step);
        var files = new List<FileExpectation>();
        if (scenario.Backing.HasFile)
            files.Add(new FileExpectation(CheckPlan.DataFile, [.. Enumerable.Range(0, expectations.FileBlocks).Select(b => expectations.Expected(CheckPlan.DataFile, ReadPath.Disk, b))]));
        foreach (var output in CheckPlan.For(scenario).OutputFiles)
            files.Add(new FileExpectation(output, [.. Enumerable.Range(0, scenario.Geometry.BlockCount).Select(b => expectations.Expected(output, ReadPath.Disk, b))]));
        return files;
    }

    /// <summary>Whether <paramref name="step"/> is a device operation that the access of <paramref name="pin"/> (the
    /// pin step in effect) does not allow: the device refuses it, whatever it reports — EACCES, or EIO where rdma_rxe
    /// flushes the request of a QP its own refusal put in the error state (6.12) — and no data was lost.</summary>
    private static bool RefusedByAccess(Step step, Step? pin)
    {
        var needs = step.Effect switch
        {
            Effect.WriteThroughPin => pin?.PinPath.DeviceWriteNeeds,
            Effect.CopyThroughPin => pin?.PinPath.DeviceReadNeeds,
            _ => null,
        };
        return needs is { } n && !PinPathInfo.Allows(pin!.Args.Access ?? PinAccess.None, n);
    }

    /// <summary>Step-level outcomes: a refused pin is recorded (not a finding); EIO and time-outs are findings, except
    /// the failure of a device operation the pin's access refuses (<paramref name="refusedByAccess"/>).</summary>
    private static void StepFindings(Step step, StepResult result, bool refusedByAccess, List<Finding> findings, List<Refusal> refusals)
    {
        if (step.Effect == Effect.Pin && result.Outcome == Outcome.Errno)
            refusals.Add(new Refusal(step.Index, step.Text, result.Errno!));
        if (result.Outcome == Outcome.Timeout)
            findings.Add(new Finding(VerdictClass.Hang, step.Index, null, null, null, "completion", "timeout", step.Index, $"'{step.Text}' did not finish ({result.Detail})"));
        // Data the kernel says it lost: EIO or EUCLEAN (a checksumming filesystem's csum failure) from any step, and
        // any failure of a persistence call (the data it was to make durable may not be).
        if (!refusedByAccess && (result.Errno is "EIO" or "EUCLEAN") || (step.Effect == Effect.Persist && result.Outcome == Outcome.Errno))
            findings.Add(new Finding(VerdictClass.IoError, step.Index, null, null, null, "0", result.Errno!, step.Index, $"'{step.Text}' failed with {result.Errno}"));
    }

    private static IEnumerable<Finding> JudgeCheck(CheckObservation check, Expectations expectations, ulong runId)
    {
        var found = new List<Finding>();
        foreach (var view in check.Views.Where(v => v.Unavailable is null))
        {
            foreach (var read in view.Blocks)
            {
                var expected = expectations.Expected(view.File, view.Path, read.Block);
                var history = view.File == CheckPlan.DataFile ? expectations.Block(read.Block).Written : expected;
                if (BlockJudge.Judge(expectations.Scenario, check.Step, view.File, view.Path, read, expected, history, runId) is { } finding)
                    found.Add(finding);
            }
        }
        if (expectations.SharedFileMapping)
            found.AddRange(CrossPathFindings(check, found));
        return found;
    }

    /// <summary>A shared mapping and a buffered read look at the same page: they must agree even where each alone
    /// is allowed (a race left two candidates).</summary>
    private static IEnumerable<Finding> CrossPathFindings(CheckObservation check, List<Finding> already)
    {
        var buffered = check.Views.FirstOrDefault(v => v.File == CheckPlan.DataFile && v.Path == ReadPath.Buffered && v.Unavailable is null);
        var mapping = check.Views.FirstOrDefault(v => v.File == CheckPlan.DataFile && v.Path == ReadPath.Mapping && v.Unavailable is null);
        if (buffered is null || mapping is null)
            yield break;
        foreach (var m in mapping.Blocks)
        {
            var b = buffered.Blocks.FirstOrDefault(x => x.Block == m.Block);
            if (b is null || b.ToString() == m.ToString() || already.Any(f => f.Block == m.Block && f.File == CheckPlan.DataFile))
                continue;
            yield return new Finding(VerdictClass.Stale, check.Step, CheckPlan.DataFile, ReadPath.Mapping, m.Block, $"same as buffered ({b})", m.ToString(), null,
                "the mapping and a buffered read disagree about one page");
        }
    }
}

/// <summary>What every block of one file may hold on disk, in block order.</summary>
public sealed record FileExpectation(string File, IReadOnlyList<Allowed> Blocks);

/// <summary>What one block of one view may hold at one check (<see cref="Allowed"/>), and every content completed
/// steps wrote into it (<paramref name="History"/>: an older one read back is a lost write or stale, anything else
/// a phantom).</summary>
public sealed record ExpectedBlock(int Check, CheckView View, int Block, Allowed Allowed, Allowed History);
