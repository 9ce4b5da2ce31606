namespace Bridge.Cli.Tests;

public class LayeringTests
{
    /// <summary>Cli → Targets → (Linux, Simulator) → Core: the command reaches the executors only through Targets.
    /// The compiler records an assembly reference only for what the code uses.</summary>
    [Fact]
    public void TheCliUsesTargetsAndCoreOnly()
    {
        var bridge = typeof(Commands.RunCommand).Assembly.GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(n => n.StartsWith("Bridge.", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);
        Assert.Equal(["Bridge.Core", "Bridge.Targets"], bridge);
    }
}
