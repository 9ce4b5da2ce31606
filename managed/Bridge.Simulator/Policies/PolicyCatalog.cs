namespace Bridge.Simulator.Policies;

/// <summary>The policies the simulator knows, by name.</summary>
public static class PolicyCatalog
{
    public static readonly Policy Legacy2019 = Legacy2019Table.Create();
    public static readonly Policy Linux61 = Linux61Table.Create();
    public static readonly Policy Linux65Plus = Linux65PlusTable.Create();

    public static readonly IReadOnlyList<Policy> All = [Legacy2019, Linux61, Linux65Plus];

    /// <summary>Other names a user may give for a policy: kernel releases it was measured on.</summary>
    private static readonly Dictionary<string, string> Aliases = new()
    {
        ["legacy"] = "linux-2019-legacy",
        ["linux-6.12"] = "linux-6.5+",
        ["linux-6.18"] = "linux-6.5+",
    };

    public static Policy? Find(string name) =>
        All.FirstOrDefault(p => p.Name == (Aliases.TryGetValue(name, out var real) ? real : name));
}
