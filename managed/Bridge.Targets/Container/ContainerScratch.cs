using Bridge.Linux.Backings;
using Bridge.Linux.Host;
using Bridge.Linux.Interop;

namespace Bridge.Targets.Container;

/// <summary>
/// A host directory made for one container run and bound into it read-write (the agent's request, its scratch
/// filesystem images, its own ledger in <see cref="StateDirectory"/>), in the run's ledger before it exists. A killed
/// run's is swept after its container (<see cref="Leftover"/>): what the agent's ledger still holds that outlives a
/// container (huge page reservations) is given back, loop devices backed by its files are detached, and it is deleted.
/// </summary>
public static class ContainerScratch
{
    /// <summary>The agent's ledger directory, relative to the scratch directory.</summary>
    public const string StateDirectory = "state";

    /// <summary>The agent's ledgers are swept with every owner taken as gone: they name pids of the container's own
    /// pid namespace, and the container is removed before this row runs (its entry is newer). Their directories and
    /// mounts were the container's; their huge page counts are the machine's.</summary>
    public static LeftoverKind Leftover { get; } = new("container-scratch", async path =>
    {
        if (!Directory.Exists(path))
            return;
        await LedgerSweep.RunAsync([HugePages.Leftover], stateDirectory: Path.Combine(path, StateDirectory), ownersGone: true);
        await LoopDevices.DetachBackedByFilesUnderAsync(path);
        Directory.Delete(path, recursive: true);
    });

    /// <summary>Gives back a run's own directory as a killed run's is swept (its agent may have been killed before
    /// it gave back its huge pages), then crosses it out of the ledger; what cannot be given back stays there.</summary>
    public static async Task GiveBackAsync(LedgeredDirectory directory)
    {
        try
        {
            await Leftover.Sweep(directory.Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SysException or ToolException)
        {
            return; // the ledger keeps it for the next run
        }
        directory.Dispose();
    }

    /// <summary>PARENT/PREFIX-PID-XXXXXXXXXXXX.</summary>
    public static LedgeredDirectory Create(string parent, string prefix) =>
        LedgeredDirectory.Create(Path.Combine(Path.GetFullPath(parent), $"{prefix}{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..12]}"), Leftover);
}
