using Bridge.Core.Scenarios;

namespace Bridge.Linux.PinPaths;

/// <summary>The real executor's implementation of every pin path of <see cref="PinPathTable"/>, one each, keyed by
/// the path's row, in the table's order. Listed, not found by reflection: the guest agent is this executor compiled
/// ahead of time (trimmed). Loading fails when a row has none or two, so a new pin path's class cannot be forgotten
/// here.</summary>
public static class PinPathRegistry
{
    public static IReadOnlyList<IPinPath> All { get; } = PinPathTable.OnePerRow<IPinPath>([new UringRegisterPath(), new RdmaMrPath()], p => p.Row, "implementation");

    public static IPinPath For(PinPathInfo row) => All.First(p => p.Row == row);
}
