using Bridge.Core.Scenarios;

namespace Bridge.Simulator.Policies;

/// <summary>
/// What one pin path does in every era: its pin rows (one per memory class × access it can ask) and its unpin row,
/// each citing the kernel code it models. One class per row of <see cref="PinPathTable"/>, found by
/// <see cref="PinPathRules"/>: adding a pin path adds its rules file and touches no era table.
/// </summary>
public interface IPinPathRules
{
    PinPathInfo Path { get; }

    IEnumerable<PolicyRow> RowsFor(Era era);
}

/// <summary>Every pin path's rules (every <see cref="IPinPathRules"/> class of this assembly, in the table's order);
/// loading fails when a pin path has none or two.</summary>
public static class PinPathRules
{
    public static IReadOnlyList<IPinPathRules> All { get; } = PinPathTable.OnePerRow<IPinPathRules>(r => r.Path, "rules class");

    /// <summary>Every pin path's rows of one era.</summary>
    public static IEnumerable<PolicyRow> For(Era era) => All.SelectMany(r => r.RowsFor(era));
}
