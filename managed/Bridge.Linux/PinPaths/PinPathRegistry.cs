using Bridge.Core.Scenarios;

namespace Bridge.Linux.PinPaths;

/// <summary>The real executor's implementation of every pin path of <see cref="PinPathTable"/>, one each, keyed by
/// the path's row, in the table's order: every <see cref="IPinPath"/> class of this assembly, so that adding a pin path adds its class and
/// touches no list. Loading fails when a row has none or two.</summary>
public static class PinPathRegistry
{
    public static IReadOnlyList<IPinPath> All { get; } = PinPathTable.OnePerRow<IPinPath>(p => p.Row, "implementation");

    public static IPinPath For(PinPathInfo row) => All.First(p => p.Row == row);
}
