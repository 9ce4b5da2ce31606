using Bridge.Core.Repro;
using Bridge.Core.Scenarios;
using Bridge.Linux.Backings;

namespace Bridge.Linux.Tests;

/// <summary>A reproducer makes a backing's filesystem (on the device it is given with -d) exactly as this executor
/// makes its scratch filesystems: the same tool and arguments, from each side's row.</summary>
public class ReproRowsTests
{
    [Fact]
    public void AReproducerMakesEveryFilesystemAsTheExecutorDoes()
    {
        foreach (var backing in BackingTable.All)
        {
            var executor = BackingProviders.For(backing).Mkfs;
            var repro = CBackings.MkfsOf(backing);
            Assert.Equal(executor is null ? null : [executor.Tool, .. executor.Args], repro);
        }
    }
}
