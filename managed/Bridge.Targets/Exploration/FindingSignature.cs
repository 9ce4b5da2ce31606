using Bridge.Core.Oracle;
using Bridge.Core.Scenarios;
using Bridge.Simulator.Analysis;
using Bridge.Targets.Analysis;

namespace Bridge.Targets.Exploration;

/// <summary>Whether a failure is the oracle's judgement of the kernel, or the kernel and the model disagreeing.</summary>
public enum FailureKind { Finding, Disagreement }

/// <summary>
/// What makes two failures the same bug, for de-duplication: the kind, the verdict class (a finding's, or a
/// disagreement's kind with the kernel's and the model's values), the culprit step's verb, the backing, the pin path
/// and the errno involved. Shrinking keeps the <see cref="SameFailure"/> part (kind, class, culprit): it may simplify
/// the backing or lose the pin path's name on the way, and still be the same failure.
/// </summary>
public sealed record FindingSignature(FailureKind Kind, string Class, string Culprit, string Backing, string PinPath, string Errno)
{
    private const string None = "-";

    private static readonly DisagreementKind[] Precedence =
        [DisagreementKind.StepResult, DisagreementKind.BlockVerdict, DisagreementKind.ViewAvailability, DisagreementKind.KernelWarn, DisagreementKind.ScenarioVerdict];

    /// <summary>The same failure as far as shrinking is concerned.</summary>
    public bool SameFailure(FindingSignature other) => Kind == other.Kind && Class == other.Class && Culprit == other.Culprit;

    /// <summary>What <c>explore --shrink</c> names it by: a finding's verdict class (lost-write, io-error …), or
    /// <c>disagreement</c>.</summary>
    public string ShrinkName => Kind == FailureKind.Finding ? Class : "disagreement";

    /// <summary>A file name for it: letters, digits and dashes.</summary>
    public string Slug => string.Join('-', new[] { Kind == FailureKind.Finding ? "finding" : "disagree", Class, Culprit, Backing, PinPath, Errno }
        .Where(p => p != None)
        .Select(p => new string([.. p.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-')]).Trim('-')));

    public override string ToString() =>
        $"{(Kind == FailureKind.Finding ? "finding" : "disagreement")} {Class}, culprit {Culprit}, backing {Backing}, pin path {PinPath}, errno {Errno}";

    /// <summary>The kernel's worst finding.</summary>
    public static FindingSignature OfFinding(Trial trial)
    {
        var worst = trial.RealVerdict.Findings.Where(f => f.Class == trial.RealVerdict.Class).DefaultIfEmpty(trial.RealVerdict.Findings.MaxBy(f => f.Class)).First()!;
        var step = worst.Culprit ?? worst.Check;
        return Of(trial, FailureKind.Finding, trial.RealVerdict.Class.Name(), step);
    }

    /// <summary>The first disagreement of the most telling kind: a step's result, then a block's verdict, then the rest.</summary>
    public static FindingSignature OfDisagreement(Trial trial)
    {
        var d = trial.Disagreements.OrderBy(x => Array.IndexOf(Precedence, x.Kind)).ThenBy(x => x.Step ?? -1).First();
        var step = d.Kind == DisagreementKind.BlockVerdict ? CulpritAt(trial, d) ?? d.Step : d.Step;
        return Of(trial, FailureKind.Disagreement, $"{DisagreementText.Kind(d.Kind).Replace(' ', '-')} {d.Real}/{d.Simulated}", step);
    }

    /// <summary>The step either side's oracle blames for the block the two sides judge differently.</summary>
    private static int? CulpritAt(Trial trial, Disagreement d) =>
        new[] { trial.RealVerdict, trial.ModelVerdict }.OfType<ScenarioVerdict>().SelectMany(v => v.Findings)
            .FirstOrDefault(f => f.Check == d.Step && f.File == d.File && f.Path == d.Path && f.Block == d.Block && f.Culprit is not null)?.Culprit;

    private static FindingSignature Of(Trial trial, FailureKind kind, string cls, int? step)
    {
        var scenario = trial.Scenario;
        var culprit = step is { } s && s >= 0 && s < scenario.StepCount ? scenario.StepAt(s) : null;
        var pin = scenario.AllSteps().FirstOrDefault(x => x.Effect == Effect.Pin)?.PinPath.Name ?? None;
        // The errno of the culprit when it failed, else of the first step that failed (a persistence call's EIO).
        var errno = (culprit is null ? null : trial.Real.ResultOf(culprit.Index)?.Errno)
                    ?? trial.Real.Steps.FirstOrDefault(r => r.Errno is not null && scenario.StepAt(r.Step).Effect != Effect.Pin)?.Errno ?? None;
        return new FindingSignature(kind, cls, culprit?.Keyword ?? None, scenario.Backing.Name, pin, errno);
    }
}
