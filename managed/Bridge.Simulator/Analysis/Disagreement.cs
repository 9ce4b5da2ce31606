using Bridge.Core.Observations;

namespace Bridge.Simulator.Analysis;

/// <summary>What kind of thing two observations of one scenario disagree about.</summary>
public enum DisagreementKind
{
    /// <summary>The real run was skipped: nothing to compare.</summary>
    Skipped,
    /// <summary>A step ended differently: ok vs an errno, two errnos, not-run, time-out.</summary>
    StepResult,
    /// <summary>A read path of a check was available on one side only (O_DIRECT on tmpfs, say).</summary>
    ViewAvailability,
    /// <summary>The oracle put one block in different verdict classes.</summary>
    BlockVerdict,
    /// <summary>One side's kernel log has a warning the other's has not.</summary>
    KernelWarn,
    /// <summary>The scenario's overall verdict differs.</summary>
    ScenarioVerdict,
}

/// <summary>One disagreement between the real kernel and the model, located as precisely as the kind allows.</summary>
public sealed record Disagreement(
    DisagreementKind Kind,
    int? Step,
    string? File,
    ReadPath? Path,
    int? Block,
    string Real,
    string Simulated,
    string Note)
{
    public override string ToString()
    {
        var where = Step is { } s ? $"#{s}" : "";
        if (File is not null)
            where += $" {File}/{Path?.ToString().ToLowerInvariant()}" + (Block is { } b ? $" b{b}" : "");
        return $"{Kind}{(where.Length > 0 ? " " + where.Trim() : "")}: real {Real}, simulated {Simulated} — {Note}";
    }
}
