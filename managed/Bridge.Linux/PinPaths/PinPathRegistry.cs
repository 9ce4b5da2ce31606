namespace Bridge.Linux.PinPaths;

/// <summary>The pin paths this executor can drive, by name.</summary>
public static class PinPathRegistry
{
    public static IReadOnlyList<IPinPath> All { get; } = [new UringRegisterPath(), new RdmaMrPath()];

    public static IPinPath? Find(string name) => All.FirstOrDefault(p => p.Name == name);

    /// <summary>Why a scenario's pin path cannot run here, or null.</summary>
    public static string? Unavailable(string name) =>
        Find(name) is { } path ? path.Unavailable : $"pin path '{name}' is not available in this build";
}
