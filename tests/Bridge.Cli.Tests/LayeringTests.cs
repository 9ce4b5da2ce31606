namespace Bridge.Cli.Tests;

public class LayeringTests
{
    /// <summary>Cli → Targets → (Agent → Linux, Simulator) → Core: the command reaches the executors only through
    /// Targets, and through the agent (<c>pinbridge agent</c>, the same code the guest's native agent runs). The
    /// compiler records an assembly reference only for what the code uses.</summary>
    [Fact]
    public void TheCliUsesTargetsAndCoreOnly()
    {
        var bridge = typeof(Commands.RunCommand).Assembly.GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(n => n.StartsWith("Bridge.", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);
        Assert.Equal(["Bridge.Agent", "Bridge.Core", "Bridge.Targets"], bridge);
    }
}
