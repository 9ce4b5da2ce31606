using Bridge.Core.Oracle;

namespace Bridge.Core.Reports;

/// <summary>Findings that say the same thing about consecutive blocks (same class, check, file, read path, expected
/// and observed contents, note and culprit), or the kernel log's warnings of a scenario: one entry of a report.</summary>
public sealed record FindingGroup(IReadOnlyList<Finding> Members)
{
    public Finding First => Members[0];
    public VerdictClass Class => First.Class;
    public int? FirstBlock => First.Block;
    public int? LastBlock => Members[^1].Block;

    /// <summary>Consecutive findings that differ only in their block, in the oracle's order; every kernel-log warning
    /// of a scenario in one group.</summary>
    public static IReadOnlyList<FindingGroup> Of(IReadOnlyList<Finding> findings)
    {
        var groups = new List<List<Finding>>();
        foreach (var f in findings)
        {
            var open = f.Class == VerdictClass.KernelWarn ? groups.FirstOrDefault(g => g[0].Class == VerdictClass.KernelWarn) : groups.LastOrDefault();
            if (open is not null && Continues(open[^1], f))
                open.Add(f);
            else
                groups.Add([f]);
        }
        return [.. groups.Select(g => new FindingGroup(g))];
    }

    private static bool Continues(Finding last, Finding next) =>
        next.Class == VerdictClass.KernelWarn
            ? last.Class == VerdictClass.KernelWarn
            : last with { Block = null } == next with { Block = null } && last.Block is { } b && next.Block == b + 1;
}
