using Bridge.Targets.Vm;

namespace Bridge.Targets.Tests.Vm;

public sealed class RunDirectoryTests
{
    [Fact]
    public void DirectoriesOfDeadOwnersAreRemovedAndLiveOnesKept()
    {
        var abandoned = Directory.CreateTempSubdirectory("bridge-vm-");
        File.WriteAllText(Path.Combine(abandoned.FullName, "owner"), "2147483646 12345\n");
        File.WriteAllText(Path.Combine(abandoned.FullName, "disk0.img"), "left behind by a killed run");
        var foreign = Directory.CreateTempSubdirectory("bridge-vm-");
        try
        {
            using (var live = RunDirectory.Create())
            {
                Assert.False(Directory.Exists(abandoned.FullName), "a directory whose owner is gone is removed");
                Assert.True(Directory.Exists(foreign.FullName), "a directory without an owner file is not ours to remove");
                using var second = RunDirectory.Create();
                Assert.True(Directory.Exists(live.Path), "a live owner's directory stays");
                Assert.StartsWith($"{Environment.ProcessId} ", File.ReadAllText(Path.Combine(live.Path, "owner")), StringComparison.Ordinal);
            }
        }
        finally
        {
            foreign.Delete(recursive: true);
        }
    }
}
