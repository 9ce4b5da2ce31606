using Bridge.Core.Scenarios;

namespace Bridge.Linux.PinPaths;

/// <summary>The real executor's implementation of every pin path of <see cref="PinPathTable"/>, one each, keyed by
/// the path's row, in the table's order: every <see cref="IPinPath"/> class of this assembly, so that adding a pin path adds its class and
/// touches no list. Loading fails when a row has none or two.</summary>
public static class PinPathRegistry
{
    public static IReadOnlyList<IPinPath> All { get; } = Complete(typeof(IPinPath).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IPinPath).IsAssignableFrom(t))
        .Select(t => (IPinPath)Activator.CreateInstance(t)!)
        .OrderBy(p => PinPathTable.All.ToList().IndexOf(p.Row))
        .ToList());

    public static IPinPath For(PinPathInfo row) => All.First(p => p.Row == row);

    private static IReadOnlyList<IPinPath> Complete(IReadOnlyList<IPinPath> paths)
    {
        var missing = PinPathTable.All.Where(row => paths.Count(p => p.Row == row) != 1).Select(row => row.Name).ToList();
        return missing.Count == 0 ? paths : throw new InvalidOperationException($"Bridge.Linux: not exactly one implementation of pin path {string.Join(", ", missing)}");
    }
}
