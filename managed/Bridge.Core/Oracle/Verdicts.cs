using Bridge.Core.Observations;

namespace Bridge.Core.Oracle;

/// <summary>Verdict classes (docs/ARCHITECTURE.md §7), most severe first where a scenario has several.</summary>
public enum VerdictClass
{
    /// <summary>Every block held what the oracle allows.</summary>
    Intact,
    /// <summary>The kernel refused a pin; whether a policy expected that is a separate question (pinbridge compare).</summary>
    Refused,
    /// <summary>Every block held what the oracle allows, but device writes completed into pages truncate, punch or
    /// a file writer had taken out of the file: the data can never reach the file, and nobody was told. Not a
    /// finding (the data contract is kept; exit code 0), counted apart.</summary>
    OrphanedWrite,
    /// <summary>The scenario did not run here (missing root, device, kernel feature); the reason is given.</summary>
    Skipped,
    /// <summary>The run was interrupted (SIGINT, SIGTERM) during the scenario: neither a finding nor intact.</summary>
    Interrupted,
    /// <summary>A memory path (buffered, mapping) shows an older generation than another path or the last write.</summary>
    Stale,
    /// <summary>Zeros, a hole or end of file where data is required.</summary>
    Zeroed,
    /// <summary>A header names another file or offset than where the sector was read.</summary>
    Misplaced,
    /// <summary>A crc32c failure, or sectors of several generations where one is required.</summary>
    Torn,
    /// <summary>Content no completed step wrote to this block (a failed step's, an orphaned page's, foreign bytes).</summary>
    Phantom,
    /// <summary>The disk holds an older generation than the persistence contract requires.</summary>
    LostWrite,
    /// <summary>A read or a persistence call failed with EIO.</summary>
    IoError,
    /// <summary>WARN/BUG/Oops in the kernel log during the scenario.</summary>
    KernelWarn,
    /// <summary>A step did not finish in time.</summary>
    Hang,
}

public static class VerdictClasses
{
    public static bool IsFinding(this VerdictClass c) => c > VerdictClass.Interrupted;

    /// <summary>kebab-case names used in tables, TAP and JSON.</summary>
    public static string Name(this VerdictClass c) => c switch
    {
        VerdictClass.LostWrite => "lost-write",
        VerdictClass.OrphanedWrite => "orphaned-write",
        VerdictClass.IoError => "io-error",
        VerdictClass.KernelWarn => "kernel-warn",
        _ => c.ToString().ToLowerInvariant(),
    };
}

/// <summary>One finding: what was expected and what was seen, where, and which step is to blame.</summary>
/// <param name="Check">Index of the check step (or the failing step for step-level findings).</param>
/// <param name="File">"data" or an output file's name; null for step-level findings.</param>
/// <param name="Culprit">The step whose write went missing, or that wrote what should not be there.</param>
public sealed record Finding(
    VerdictClass Class,
    int Check,
    string? File,
    ReadPath? Path,
    int? Block,
    string Expected,
    string Observed,
    int? Culprit,
    string Note);

/// <summary>A step the kernel refused (a pin that failed), for the table and for policy comparison.</summary>
public sealed record Refusal(int Step, string Text, string Errno);

/// <summary>The oracle's judgement of one scenario run.</summary>
/// <param name="SkipReason">Why it was skipped, or where it was interrupted; null when it was judged.</param>
public sealed record ScenarioVerdict(
    string Scenario,
    VerdictClass Class,
    IReadOnlyList<Finding> Findings,
    IReadOnlyList<Refusal> Refusals,
    string? SkipReason)
{
    public bool HasFindings => Class.IsFinding();

    /// <summary>A scenario's class: its most severe finding, else orphaned-write, else refused, else intact.</summary>
    public static VerdictClass Worst(IReadOnlyCollection<Finding> findings, bool orphaned, bool refused) =>
        findings.Count > 0 ? findings.Max(f => f.Class)
        : orphaned ? VerdictClass.OrphanedWrite
        : refused ? VerdictClass.Refused
        : VerdictClass.Intact;

    /// <summary>The class this verdict would have without the findings <paramref name="ignored"/> selects.</summary>
    public VerdictClass ClassWithout(Func<Finding, bool> ignored) =>
        Worst([.. Findings.Where(f => !ignored(f))], OrphanedWrites.Count > 0, Refusals.Count > 0);

    /// <summary>What a reader must know to trust the verdict (the kernel log is incomplete), one line each.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>Device writes that completed into pages the file no longer owns (<see cref="VerdictClass.OrphanedWrite"/>),
    /// whatever the verdict: a scenario with findings may have them too.</summary>
    public IReadOnlyList<OrphanedWrite> OrphanedWrites { get; init; } = [];
}
