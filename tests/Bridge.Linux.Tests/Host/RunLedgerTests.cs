using System.Diagnostics;
using Bridge.Linux.Backings;
using Bridge.Linux.Host;
using Bridge.Linux.Interop;

namespace Bridge.Linux.Tests.Host;

public class RunLedgerTests
{
    [Fact]
    public void Entries_are_held_until_released_and_the_ledger_goes_with_the_last()
    {
        using var state = new TempState();
        var ledger = new RunLedger(state.Path, ProcessIdentity.Current);
        var first = ledger.Take("scratch", "/var/tmp/a b");
        var second = ledger.Take("hugepages", "4 0");
        Assert.True(Directory.Exists(ledger.Directory));
        ledger.Release(first);

        var (_, owner, held) = Assert.Single(RunLedger.Read(state.Path));
        Assert.Equal(ProcessIdentity.Current, owner);
        Assert.Equal([second], held);
        ledger.Release(second);
        Assert.False(Directory.Exists(ledger.Directory));
    }

    [Fact]
    public async Task A_sweep_gives_back_a_dead_runs_entries_newest_first_and_leaves_a_live_run_alone()
    {
        using var state = new TempState();
        var dead = new RunLedger(state.Path, await DeadOwnerAsync());
        dead.Take("a", "1");
        dead.Take("b", "2");
        dead.Release(dead.Take("a", "3"));
        var live = new RunLedger(state.Path, ProcessIdentity.Current);
        live.Take("a", "live");
        var given = new List<string>();
        LeftoverKind Row(string kind) => new(kind, value =>
        {
            given.Add($"{kind} {value}");
            return Task.CompletedTask;
        });

        var listed = await LedgerSweep.RunAsync([Row("a"), Row("b")], dryRun: true, stateDirectory: state.Path);
        Assert.Equal(["b 2", "a 1"], listed.Select(l => $"{l.Entry.Kind} {l.Entry.Value}"));
        Assert.Empty(given);

        var swept = await LedgerSweep.RunAsync([Row("a"), Row("b")], stateDirectory: state.Path);
        Assert.Equal(["b 2", "a 1"], given);
        Assert.All(swept, l => Assert.Null(l.Failure));
        Assert.False(Directory.Exists(dead.Directory));
        Assert.True(Directory.Exists(live.Directory));
    }

    [Fact]
    public async Task An_entry_no_row_knows_keeps_its_ledger()
    {
        using var state = new TempState();
        var dead = new RunLedger(state.Path, await DeadOwnerAsync());
        dead.Take("unknown-kind", "x");

        var swept = await LedgerSweep.RunAsync([], stateDirectory: state.Path);
        Assert.NotNull(Assert.Single(swept).Failure);
        Assert.True(Directory.Exists(dead.Directory));
    }

    [Fact]
    public async Task A_killed_runs_scratch_space_and_huge_pages_are_given_back()
    {
        Assert.SkipUnless(SystemInfo.IsRoot, "loop mounts and huge pages need root");
        using var state = new TempState();
        var before = HugePages.Total();
        // What a run killed mid-scenario holds: a loop-mounted filesystem in its scratch directory and 2 pages.
        var scratch = Directory.CreateTempSubdirectory("bridge-killed-").FullName;
        var dead = new RunLedger(state.Path, await DeadOwnerAsync());
        dead.Take(ScratchSpace.Leftover.Kind, scratch);
        var image = Path.Combine(scratch, "ext4.img");
        using (var f = File.Create(image))
            f.SetLength(16 << 20);
        Tool.Run("mkfs.ext4", "-q", "-F", image);
        var mountPoint = Path.Combine(scratch, "ext4");
        Directory.CreateDirectory(mountPoint);
        var (device, path) = LoopDevice.Attach(image);
        using (device)
            Mounts.Mount(path, mountPoint, "ext4");
        dead.Take(HugePages.Leftover.Kind, $"2 {before}");
        File.WriteAllText("/proc/sys/vm/nr_hugepages", (before + 2).ToString(System.Globalization.CultureInfo.InvariantCulture));

        var swept = await LedgerSweep.RunAsync([ScratchSpace.Leftover, HugePages.Leftover], stateDirectory: state.Path);

        Assert.All(swept, l => Assert.Null(l.Failure));
        Assert.Equal(before, HugePages.Total());
        Assert.Empty(MountTable.Under(scratch));
        Assert.False(Directory.Exists(scratch));
        for (var i = 0; i < 50 && LoopDevice.BackedBy(scratch).Count > 0; i++)
            await Task.Delay(100, TestContext.Current.CancellationToken); // the autoclear detach follows the unmount
        Assert.Empty(LoopDevice.BackedBy(scratch));
    }

    /// <summary>A pid that ran and exited, with start time 1 (no process but init starts one tick after boot).</summary>
    private static async Task<ProcessIdentity> DeadOwnerAsync()
    {
        using var exited = Process.Start("/bin/true")!;
        await exited.WaitForExitAsync();
        return new ProcessIdentity(HostProcesses.BootId, exited.Id, 1);
    }

    private sealed class TempState : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("bridge-ledgers-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
