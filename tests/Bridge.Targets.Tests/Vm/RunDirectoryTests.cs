using System.Diagnostics;
using Bridge.Linux.Host;
using Bridge.Targets.Vm;

namespace Bridge.Targets.Tests.Vm;

public sealed class RunDirectoryTests
{
    [Fact]
    public void A_run_directory_is_in_the_ledger_while_it_exists()
    {
        string path;
        using (var run = RunDirectory.Create())
        {
            path = run.Path;
            Assert.True(Directory.Exists(path));
            Assert.Contains(new LedgerEntry(RunDirectory.Leftover.Kind, path), RunLedger.Current.Held);
        }
        Assert.False(Directory.Exists(path));
        Assert.DoesNotContain(new LedgerEntry(RunDirectory.Leftover.Kind, path), RunLedger.Current.Held);
    }

    [Fact]
    public async Task The_directory_of_a_killed_run_is_swept_and_a_live_runs_kept()
    {
        var state = Directory.CreateTempSubdirectory("bridge-ledgers-");
        var abandoned = Directory.CreateTempSubdirectory("bridge-vm-");
        File.WriteAllText(Path.Combine(abandoned.FullName, "disk0.img"), "left behind by a killed run");
        var live = Directory.CreateTempSubdirectory("bridge-vm-");
        using var exited = Process.Start("/bin/true")!;
        await exited.WaitForExitAsync(TestContext.Current.CancellationToken);
        new RunLedger(state.FullName, new ProcessIdentity(HostProcesses.BootId, exited.Id, 1)).Take(RunDirectory.Leftover.Kind, abandoned.FullName);
        new RunLedger(state.FullName, ProcessIdentity.Current).Take(RunDirectory.Leftover.Kind, live.FullName);
        try
        {
            var swept = await LedgerSweep.RunAsync([RunDirectory.Leftover], stateDirectory: state.FullName);

            Assert.Equal(abandoned.FullName, Assert.Single(swept).Entry.Value);
            Assert.False(Directory.Exists(abandoned.FullName), "a directory whose owner is gone is removed");
            Assert.True(Directory.Exists(live.FullName), "a live owner's directory stays");
        }
        finally
        {
            live.Delete(recursive: true);
            state.Delete(recursive: true);
        }
    }
}
